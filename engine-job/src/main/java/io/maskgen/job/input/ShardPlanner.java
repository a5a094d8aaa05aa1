package io.maskgen.job.input;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits the scanned inputs into shards, one Spark task each: every tar is a shard; loose files go
 * in groups of at most {@code maxFilesPerShard}, smaller when there are few files so that all
 * {@code parallelism} task slots get work.
 */
public final class ShardPlanner {

  private ShardPlanner() {}

  public static List<Shard> plan(InputScanner.ScanResult scan, int maxFilesPerShard, int parallelism) {
    if (maxFilesPerShard <= 0) {
      throw new IllegalArgumentException(
          "Invalid --files-per-shard: " + maxFilesPerShard + " (must be >= 1)");
    }
    List<Shard> shards = new ArrayList<>();
    for (String tar : scan.tars()) {
      shards.add(Shard.ofTar(shards.size(), tar, scan.tarStates().get(tar)));
    }
    List<InputImage> files = scan.files();
    if (!files.isEmpty()) {
      // Aim for at least two shards per task slot, so a slow shard does not hold up the job.
      int spread = (int) Math.ceil(files.size() / (2.0 * Math.max(1, parallelism)));
      int group = Math.max(1, Math.min(maxFilesPerShard, spread));
      for (int i = 0; i < files.size(); i += group) {
        shards.add(Shard.ofFiles(shards.size(), files.subList(i, Math.min(files.size(), i + group))));
      }
    }
    return shards;
  }
}
