package io.maskgen.job.table;

import io.delta.tables.DeltaTable;
import io.maskgen.schema.DatasetColumns;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** The Delta operations on a dataset's two tables; the only class that imports Delta. */
public final class DeltaTables {

  static final List<String> TABLES =
      List.of(DatasetColumns.IMAGES_TABLE, DatasetColumns.MASKS_TABLE);

  private DeltaTables() {}

  /** {@code table} of the dataset at {@code version}. */
  public static Dataset<Row> read(SparkSession spark, Path table, long version) {
    return spark.read().format("delta").option("versionAsOf", version).load(table.toString());
  }

  /** The latest committed version of a Delta table. */
  public static long latestVersion(SparkSession spark, Path table) {
    return DeltaTable.forPath(spark, table.toString()).history(1).head().getLong(0);
  }

  /**
   * Brings both tables back to the published snapshot, dropping the commits of a run that was
   * killed before it published; without a snapshot, removes the tables of an unfinished first run.
   */
  public static void resetToSnapshot(
      SparkSession spark, DatasetStore store, Optional<Snapshot> snapshot, PrintStream log) {
    for (String name : TABLES) {
      if (!store.hasDeltaLog(name)) {
        continue;
      }
      Path table = store.table(name);
      if (snapshot.isEmpty()) {
        log.printf("maskgen: removing %s left by an unfinished first run%n", table);
        try {
          store.fs().delete(table, true);
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot delete " + table + ": " + e.getMessage(), e);
        }
        continue;
      }
      long want =
          name.equals(DatasetColumns.IMAGES_TABLE)
              ? snapshot.get().imagesVersion()
              : snapshot.get().masksVersion();
      long have = latestVersion(spark, table);
      if (have != want) {
        log.printf(
            "maskgen: %s: undoing versions %d..%d of an unfinished run (back to %d)%n",
            name, want + 1, have, want);
        DeltaTable.forPath(spark, table.toString()).restoreToVersion(want);
      }
    }
  }

  /**
   * Deletes the rows of {@code generator} whose image id is in {@code imageIds} (a one-column
   * frame of ids), so that new rows can replace them.
   */
  public static void deleteImages(
      SparkSession spark, Path table, String generator, Dataset<Row> imageIds) {
    DeltaTable.forPath(spark, table.toString())
        .as("t")
        .merge(
            imageIds.toDF("id").distinct().as("s"),
            "t." + DatasetColumns.IMAGE_ID + " = s.id AND t." + DatasetColumns.GENERATOR + " = '"
                + generator.replace("'", "''") + "'")
        .whenMatched()
        .delete()
        .execute();
  }

  /** Appends {@code rows} (creating the table on first use); returns the new version. */
  public static long append(SparkSession spark, Path table, Dataset<Row> rows) {
    rows.write().format("delta").mode("append").save(table.toString());
    return latestVersion(spark, table);
  }

  /** Deletes every row of {@code generator}. */
  public static void deleteGenerator(SparkSession spark, Path table, String generator) {
    DeltaTable.forPath(spark, table.toString())
        .delete(DatasetColumns.GENERATOR + " = '" + generator.replace("'", "''") + "'");
  }

  /** Removes data files no longer referenced by versions newer than {@code retainHours}. */
  public static void vacuum(SparkSession spark, Path table, double retainHours) {
    DeltaTable.forPath(spark, table.toString()).vacuum(retainHours);
  }
}
