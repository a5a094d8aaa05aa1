package io.maskgen.job.table;

import io.delta.tables.DeltaTable;
import io.maskgen.schema.DatasetColumns;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

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
      if (lastCommitInLog(store, table) == want) {
        continue; // the usual case, told by one listing without loading the table
      }
      long have = latestVersion(spark, table);
      if (have != want && changesDataAfter(spark, table, want)) {
        log.printf(
            "maskgen: %s: undoing versions %d..%d of an unfinished run (back to %d)%n",
            name, want + 1, have, want);
        DeltaTable.forPath(spark, table.toString()).restoreToVersion(want);
      }
    }
  }

  /**
   * The highest version with a commit file ({@code NNN.json}) in the table's {@code _delta_log/},
   * or -1 when there is none.
   */
  static long lastCommitInLog(DatasetStore store, Path table) {
    Path log = new Path(table, "_delta_log");
    long last = -1;
    try {
      for (FileStatus f : store.fs().listStatus(log)) {
        String name = f.getPath().getName();
        if (name.length() == 25 && name.endsWith(".json")) {
          try {
            last = Math.max(last, Long.parseLong(name.substring(0, 20)));
          } catch (NumberFormatException e) {
            // not a commit file
          }
        }
      }
    } catch (FileNotFoundException e) {
      return -1;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + log + ": " + e.getMessage(), e);
    }
    return last;
  }

  /** Whether a commit after {@code version} changed the table's rows (vacuums do not). */
  private static boolean changesDataAfter(SparkSession spark, Path table, long version) {
    return !DeltaTable.forPath(spark, table.toString())
        .history()
        .where(functions.col("version").gt(version))
        .where(functions.not(functions.col("operation").startsWith("VACUUM")))
        .isEmpty();
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

  /**
   * Appends {@code rows} (creating the table on first use); returns the new version. Columns that
   * the table lacks (those added to the schema since it was created) are added to it.
   */
  public static long append(SparkSession spark, Path table, Dataset<Row> rows) {
    rows.write().format("delta").mode("append").option("mergeSchema", "true")
        .save(table.toString());
    return latestVersion(spark, table);
  }

  /** Deletes every row of the {@code generators} in one commit; returns the new version. */
  public static long deleteGenerators(SparkSession spark, Path table, List<String> generators) {
    String in =
        generators.stream()
            .map(g -> "'" + g.replace("'", "''") + "'")
            .collect(java.util.stream.Collectors.joining(", "));
    DeltaTable.forPath(spark, table.toString())
        .delete(DatasetColumns.GENERATOR + " IN (" + in + ")");
    return latestVersion(spark, table);
  }

  /**
   * Deletes the data files that the latest version does not use and that are older than {@code
   * retainHours} (Delta refuses less than its retention check allows unless that check is off,
   * which this does for the call).
   */
  public static void vacuum(SparkSession spark, Path table, double retainHours) {
    String key = "spark.databricks.delta.retentionDurationCheck.enabled";
    String was = spark.conf().get(key, "true");
    spark.conf().set(key, "false");
    try {
      DeltaTable.forPath(spark, table.toString()).vacuum(retainHours);
    } finally {
      spark.conf().set(key, was);
    }
  }
}
