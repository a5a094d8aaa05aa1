package io.maskgen.job;

import io.maskgen.job.cli.GenerateCommand;
import io.maskgen.job.cli.MaskgenCommand;
import io.maskgen.job.input.InputScanner;
import io.maskgen.job.input.Shard;
import io.maskgen.job.input.ShardPlanner;
import io.maskgen.job.input.ShardReader;
import io.maskgen.job.table.DatasetStore;
import io.maskgen.job.table.DeltaSessions;
import io.maskgen.job.table.DeltaTables;
import io.maskgen.job.table.Snapshot;
import io.maskgen.schema.DatasetColumns;
import io.maskgen.schema.ImageRecord;
import io.maskgen.spark.ModelLocations;
import io.maskgen.spark.SparkSchemas;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;

/**
 * Writes the dataset that a first {@code generate} with the same arguments would leave, as far as
 * a refresh reads it, without running the model: one {@code images} row per input image (status
 * ok, its real sha256 and file state, no masks) under the generator those arguments name, one
 * Parquet file per shard as a run writes them, the published snapshot and the list of recorded
 * files that a run keeps beside it. The refresh benchmark
 * ({@code engine-job/bench/refresh-fixed-cost.sh}) uses it because a real first run over 11,100
 * images takes an hour on a 2-core machine.
 *
 * <p>Usage: {@code RefreshBenchSeed GENERATE_ARGS...} (the same {@code --input}, {@code --output}
 * and generator options as the refresh to time).
 */
public final class RefreshBenchSeed {

  private RefreshBenchSeed() {}

  public static void main(String[] args) throws Exception {
    String[] full = new String[args.length + 1];
    full[0] = "generate";
    System.arraycopy(args, 0, full, 1, args.length);
    CommandLine.ParseResult parsed = MaskgenCommand.commandLine(full).parseArgs(full);
    GenerateCommand command =
        (GenerateCommand) parsed.subcommand().commandSpec().userObject();
    GenerateConfig config = command.toConfig();

    SparkSession spark =
        DeltaSessions.configure(SparkSession.builder())
            .master("local[2]")
            .appName("maskgen refresh bench seed")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.parquet.compression.codec", "zstd")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try {
      Configuration hadoop = spark.sparkContext().hadoopConfiguration();
      DatasetStore store = new DatasetStore(new Path(config.output()), hadoop);
      if (store.latest().isPresent()) {
        throw new IllegalStateException(config.output() + " holds a dataset already");
      }
      InputScanner.ScanResult scan = new InputScanner(hadoop).scan(config.inputs());
      ModelLocations.Resolved models =
          ModelLocations.resolveOnDriver(config.model(), config.clip(), config.amg(),
              config.clipBackground(), hadoop);
      String runId = "seed";
      List<Shard> shards = ShardPlanner.plan(scan, config.filesPerShard(), 2);
      List<Row> rows = new ArrayList<>();
      for (Shard shard : shards) {
        try (ShardReader reader = new ShardReader(shard, hadoop)) {
          while (reader.hasNext()) {
            ShardReader.Item item = reader.next();
            ImageRecord r =
                ImageRecord.ok(item.imageId(), item.source(),
                        GenerateFunction.sha256(item.bytes()), 32, 32, 0, models.generator(),
                        runId, 0.0)
                    .withInput(item.file(), item.state().size(), item.state().modified(),
                        item.state().etag());
            rows.add(SparkSchemas.imageRow(r));
          }
        }
      }
      long images =
          DeltaTables.append(spark, store.table(DatasetColumns.IMAGES_TABLE),
              spark.createDataFrame(rows, SparkSchemas.images()).repartition(shards.size()));
      long masks =
          DeltaTables.append(spark, store.table(DatasetColumns.MASKS_TABLE),
              spark.createDataFrame(List.of(), SparkSchemas.masks()));
      GenerateJob job = new GenerateJob(config);
      Snapshot.Generator g =
          new Snapshot.Generator(models.generator(), models.model(), models.clip(),
              job.parameters(), runId, runId);
      Snapshot snapshot =
          new Snapshot(1, runId, Instant.now().toString(), images, masks, List.of(g));
      store.publish(snapshot);
      RefreshPlan.keepRecordedFiles(spark, store, snapshot, models.generator());
      System.out.printf("seeded %s: %d images in %d shards, generator %s%n",
          config.output(), rows.size(), shards.size(), models.generator());
    } finally {
      spark.stop();
    }
  }
}
