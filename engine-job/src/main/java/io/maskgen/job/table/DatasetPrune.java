package io.maskgen.job.table;

import io.maskgen.schema.DatasetColumns;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Removes generators from a dataset: deletes their rows from both tables, publishes a snapshot
 * without them, and vacuums the data files that no longer belong to the tables. Holds the
 * dataset's {@link DatasetLock} throughout.
 */
public final class DatasetPrune {

  /**
   * What a prune did.
   *
   * @param removed the generators removed
   * @param images images rows deleted
   * @param masks masks rows deleted
   * @param kept the generators left, the default one last
   */
  public record Result(List<String> removed, long images, long masks, List<String> kept) {}

  private DatasetPrune() {}

  /**
   * Prunes {@code generators}, or with {@code keepLatest} every generator but the default one.
   *
   * @param retainHours data files unused for less than this stay (for readers that still read an
   *     older snapshot); 0 deletes them at once
   * @throws IllegalArgumentException for a dataset without snapshot or an unknown generator
   */
  public static Result prune(
      SparkSession spark,
      DatasetStore store,
      List<String> generators,
      boolean keepLatest,
      double retainHours,
      String runId,
      PrintStream log) {
    DeltaSessions.check(spark);
    if (store.layout() != DatasetStore.Layout.DELTA) {
      throw new IllegalArgumentException(
          store.root() + " has no published snapshot: nothing that maskgen prune can remove");
    }
    try (DatasetLock lock = DatasetLock.acquire(store, runId, log)) {
      Snapshot before = store.latest().orElseThrow();
      DeltaTables.resetToSnapshot(spark, store, java.util.Optional.of(before), log);
      List<String> drop = new ArrayList<>();
      if (keepLatest) {
        List<String> all = before.generatorNames();
        drop.addAll(all.subList(0, Math.max(0, all.size() - 1)));
      }
      for (String g : generators) {
        if (before.generator(g).isEmpty()) {
          throw new IllegalArgumentException(
              "Unknown --generator '" + g + "' in " + store.root() + "; it has "
                  + String.join(", ", before.generatorNames()));
        }
        if (!drop.contains(g)) {
          drop.add(g);
        }
      }
      List<String> kept =
          before.generatorNames().stream().filter(g -> !drop.contains(g)).toList();
      if (drop.isEmpty()) {
        return new Result(drop, 0, 0, kept);
      }
      var images = store.table(DatasetColumns.IMAGES_TABLE);
      var masks = store.table(DatasetColumns.MASKS_TABLE);
      long imageRows = count(spark, images, before.imagesVersion(), drop);
      long maskRows = count(spark, masks, before.masksVersion(), drop);
      long masksVersion = DeltaTables.deleteGenerators(spark, masks, drop);
      long imagesVersion = DeltaTables.deleteGenerators(spark, images, drop);
      store.publish(
          new Snapshot(
              before.number() + 1,
              runId,
              Instant.now().toString(),
              imagesVersion,
              masksVersion,
              before.generators().stream().filter(g -> !drop.contains(g.name())).toList()));
      DeltaTables.vacuum(spark, masks, retainHours);
      DeltaTables.vacuum(spark, images, retainHours);
      return new Result(drop, imageRows, maskRows, kept);
    }
  }

  private static long count(
      SparkSession spark, org.apache.hadoop.fs.Path table, long version, List<String> drop) {
    return DeltaTables.read(spark, table, version)
        .where(functions.col(DatasetColumns.GENERATOR).isin(drop.toArray()))
        .count();
  }
}
