package io.maskgen.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.maskgen.job.cli.UsageException;
import io.maskgen.job.input.InputException;
import io.maskgen.job.input.InputScanner;
import io.maskgen.job.input.Shard;
import io.maskgen.job.input.ShardPlanner;
import io.maskgen.job.input.StoreErrors;
import io.maskgen.job.table.DatasetLock;
import io.maskgen.job.table.DatasetStore;
import io.maskgen.job.table.DeltaSessions;
import io.maskgen.job.table.DeltaTables;
import io.maskgen.job.table.Snapshot;
import io.maskgen.pipeline.StageTimes;
import io.maskgen.schema.DatasetColumns;
import io.maskgen.schema.ImageRecord;
import io.maskgen.spark.ModelLocations;
import io.maskgen.spark.PipelineSpec;
import io.maskgen.spark.SparkSchemas;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

/**
 * The {@code generate} job on the driver: expands the inputs, plans one task per shard, runs the
 * image pipeline on the executors, commits the new rows to the {@code images} and {@code masks}
 * Delta tables, publishes a dataset snapshot naming both versions, and writes a run report under
 * {@code _runs/}.
 *
 * <p>On an existing dataset a run is a refresh: inputs whose image id and sha256 the dataset
 * already holds for the same generator are skipped (failed ones too, unless {@code
 * retryFailed}); new and changed images are processed, and the rows of changed ones replace the
 * old. The run holds the dataset's {@link DatasetLock}; until it publishes its snapshot, readers
 * see the dataset as it was, and a killed run's commits are undone by the next run.
 */
public final class GenerateJob {

  private final GenerateConfig config;
  private final PrintStream log;

  public GenerateJob(GenerateConfig config) {
    this(config, System.err);
  }

  /** A job that prints its log lines to {@code log}. */
  public GenerateJob(GenerateConfig config, PrintStream log) {
    this.config = config;
    this.log = log;
  }

  /** Runs the job; returns the process exit code (0 also when some images failed). */
  public int run() {
    Instant started = Instant.now();
    String runId = config.runId() != null ? config.runId() : newRunId(started);
    SparkSession spark = session();
    try {
      return run(spark, runId, started);
    } finally {
      spark.stop();
    }
  }

  /** Runs on an existing session (tests, notebooks); the session stays open. */
  public RunReport run(SparkSession spark) {
    Instant started = Instant.now();
    String runId = config.runId() != null ? config.runId() : newRunId(started);
    return execute(spark, runId, started);
  }

  private int run(SparkSession spark, String runId, Instant started) {
    RunReport report = execute(spark, runId, started);
    log.println(report.summaryLine());
    return 0;
  }

  private RunReport execute(SparkSession spark, String runId, Instant started) {
    DeltaSessions.check(spark);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Path out = new Path(config.output());
    DatasetStore store = openOutput(hadoop, out);

    // Inputs and models are checked on the driver, before any task starts.
    InputScanner.ScanResult scan;
    try {
      scan = new InputScanner(hadoop).scan(config.inputs());
    } catch (InputException e) {
      throw new UsageException(e.getMessage());
    }
    if (scan.isEmpty()) {
      throw new UsageException("No images found in --input " + String.join(" ", config.inputs()));
    }
    ModelLocations.Resolved models =
        ModelLocations.resolveOnDriver(config.model(), config.clip(), config.amg(),
            config.clipBackground(), hadoop);
    String generator = models.generator();

    DatasetLock lock;
    try {
      lock = DatasetLock.acquire(store, runId, log);
    } catch (DatasetLock.HeldException e) {
      throw new UsageException(e.getMessage());
    }
    try (lock) {
      Optional<Snapshot> before = store.latest();
      DeltaTables.resetToSnapshot(spark, store, before, log);
      Map<String, String> done = done(spark, store, before, generator);
      return process(spark, jsc, hadoop, store, scan, models, runId, started, before, done);
    }
  }

  /** Image id to sha256 of the images that the dataset holds for {@code generator} and that a
   * refresh skips: all of them, or only the ok ones with {@code --retry-failed}. */
  private Map<String, String> done(
      SparkSession spark, DatasetStore store, Optional<Snapshot> before, String generator) {
    Map<String, String> done = new HashMap<>();
    if (before.isEmpty() || before.get().generator(generator).isEmpty()) {
      return done;
    }
    Dataset<Row> rows =
        DeltaTables.read(spark, store.table(DatasetColumns.IMAGES_TABLE),
                before.get().imagesVersion())
            .where(functions.col(DatasetColumns.GENERATOR).equalTo(generator));
    if (config.retryFailed()) {
      rows = rows.where(functions.col(DatasetColumns.STATUS).equalTo(ImageRecord.STATUS_OK));
    }
    for (Row r : rows.select(DatasetColumns.IMAGE_ID, DatasetColumns.SHA256).collectAsList()) {
      done.put(r.getString(0), r.getString(1));
    }
    return done;
  }

  private RunReport process(
      SparkSession spark,
      JavaSparkContext jsc,
      Configuration hadoop,
      DatasetStore store,
      InputScanner.ScanResult scan,
      ModelLocations.Resolved models,
      String runId,
      Instant started,
      Optional<Snapshot> before,
      Map<String, String> done) {
    int parallelism = Math.max(1, jsc.defaultParallelism());
    List<Shard> shards = ShardPlanner.plan(scan, config.filesPerShard(), parallelism);
    int taskCpus =
        threadsPerTask(
            Integer.parseInt(spark.conf().get("spark.task.cpus", "1")),
            jsc.isLocal(),
            parallelism,
            shards.size());
    PipelineSpec spec =
        new PipelineSpec(
            models.model(),
            models.clip(),
            config.device(),
            config.amg(),
            config.clipBackground(),
            config.maxImagePixels(),
            models.generator(),
            runId,
            taskCpus);
    String generator = models.generator();
    log.printf(
        Locale.ROOT,
        "maskgen: run %s: %d files and %d tar shards in %d tasks; generator %s%s%n",
        runId, scan.files().size(), scan.tars().size(), shards.size(), generator,
        done.isEmpty() ? "" : "; refresh of " + done.size() + " images done before");

    JobMetrics metrics = new JobMetrics(spark.sparkContext());
    JobMetrics.LIVE_IMAGES.set(0);
    JobMetrics.LIVE_MASKS.set(0);
    boolean local = spark.sparkContext().isLocal();
    long totalImages = scan.tars().isEmpty() ? scan.files().size() : -1;
    Progress progress =
        new Progress(
            log,
            totalImages,
            shards.size(),
            () -> local ? JobMetrics.LIVE_IMAGES.get()
                : metrics.imagesOk.value() + metrics.imagesFailed.value(),
            () -> local ? JobMetrics.LIVE_MASKS.get() : metrics.masks.value(),
            () -> metrics.shards.value(),
            5000);
    if (config.progress()) {
      progress.start();
    }

    Path imagesTable = store.table(DatasetColumns.IMAGES_TABLE);
    Path masksTable = store.table(DatasetColumns.MASKS_TABLE);
    long t0 = System.nanoTime();
    long writeStart;
    Dataset<Row> rows;
    Counts counts;
    Optional<Snapshot> after = before;
    try {
      List<Integer> indices = java.util.stream.IntStream.range(0, shards.size()).boxed().toList();
      JavaRDD<Integer> work = jsc.parallelize(indices, shards.size());
      JavaRDD<Row> results =
          work.mapPartitions(
              new GenerateFunction(
                  shards, spec, new SerializableHadoopConf(hadoop), metrics, done));
      rows = spark.createDataFrame(results, SparkSchemas.imagesWithMasks())
          .persist(StorageLevel.DISK_ONLY());
      spark.sparkContext().setJobDescription("maskgen generate: images");
      counts = Counts.of(rows);
      writeStart = System.nanoTime();
      Dataset<Row> processed =
          rows.where(functions.col(DatasetColumns.STATUS).notEqual(GenerateFunction.STATUS_SKIPPED));
      if (counts.processed() > 0) {
        boolean replacing = !done.isEmpty() || (before.isPresent()
            && before.get().generator(generator).isPresent());
        Dataset<Row> ids = processed.select(DatasetColumns.IMAGE_ID);
        // Masks first, then images: an images row marks its masks as complete.
        spark.sparkContext().setJobDescription("maskgen generate: masks table");
        if (replacing) {
          DeltaTables.deleteImages(spark, masksTable, generator, ids);
        }
        long masksVersion =
            DeltaTables.append(
                spark,
                masksTable,
                processed
                    .select(functions.explode(functions.col(SparkSchemas.MASKS_COLUMN)).as("m"))
                    .select("m.*"));
        spark.sparkContext().setJobDescription("maskgen generate: images table");
        if (replacing) {
          DeltaTables.deleteImages(spark, imagesTable, generator, ids);
        }
        long imagesVersion =
            DeltaTables.append(spark, imagesTable, processed.drop(SparkSchemas.MASKS_COLUMN));
        Snapshot.Generator g =
            new Snapshot.Generator(
                generator,
                models.model(),
                models.clip(),
                parameters(),
                before.flatMap(s -> s.generator(generator)).map(Snapshot.Generator::firstRun)
                    .orElse(runId),
                runId);
        Snapshot next =
            new Snapshot(
                before.map(Snapshot::number).orElse(0L) + 1,
                runId,
                Instant.now().toString(),
                imagesVersion,
                masksVersion,
                Snapshot.withLast(before.map(Snapshot::generators).orElse(List.of()), g));
        pauseBeforePublish(spark, runId);
        store.publish(next);
        after = Optional.of(next);
      }
    } finally {
      progress.close();
    }
    rows.unpersist();
    double writeMasksSeconds = (System.nanoTime() - writeStart) / 1e9;
    double generateSeconds = (writeStart - t0) / 1e9;

    Instant ended = Instant.now();
    RunReport report =
        new RunReport(
            runId,
            started.toString(),
            ended.toString(),
            (ended.toEpochMilli() - started.toEpochMilli()) / 1000.0,
            config.inputs(),
            config.output(),
            models.model(),
            models.clip(),
            generator,
            parameters(),
            counts.processed(),
            counts.ok(),
            counts.failed(),
            counts.skipped(),
            counts.masks(),
            shards.size(),
            config.retryFailed(),
            after.map(Snapshot::number).orElse(null),
            stageSeconds(metrics.stageTimes(), generateSeconds, writeMasksSeconds),
            spark.sparkContext().master(),
            spark.sparkContext().applicationId());
    writeReport(hadoop, store.root(), report);
    return report;
  }

  /**
   * Test hook for the kill tests: with {@value #PAUSE_BEFORE_PUBLISH}{@code =FILE} set, the driver
   * creates FILE once both tables are committed and waits, before publishing, until FILE is gone.
   */
  static final String PAUSE_BEFORE_PUBLISH = "spark.maskgen.test.pauseBeforePublish";

  private void pauseBeforePublish(SparkSession spark, String runId) {
    String marker = spark.conf().get(PAUSE_BEFORE_PUBLISH, "");
    if (marker.isEmpty()) {
      return;
    }
    java.nio.file.Path file = java.nio.file.Path.of(marker);
    try {
      java.nio.file.Files.writeString(file, runId);
      log.println("maskgen: paused before publishing until " + file + " is deleted");
      while (java.nio.file.Files.exists(file)) {
        Thread.sleep(100);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while paused before publishing", e);
    }
  }

  /** Exact counts of one run, from its rows (accumulators may count retried tasks twice). */
  private record Counts(long ok, long failed, long skipped, long masks) {
    long processed() {
      return ok + failed;
    }

    static Counts of(Dataset<Row> rows) {
      long ok = 0;
      long failed = 0;
      long skipped = 0;
      long masks = 0;
      for (Row r :
          rows.groupBy(DatasetColumns.STATUS)
              .agg(functions.count(functions.lit(1)),
                  functions.sum(functions.col(DatasetColumns.MASK_COUNT)))
              .collectAsList()) {
        long n = r.getLong(1);
        switch (r.getString(0)) {
          case ImageRecord.STATUS_OK -> {
            ok = n;
            masks = r.isNullAt(2) ? 0 : r.getLong(2);
          }
          case ImageRecord.STATUS_FAILED -> failed = n;
          default -> skipped = n;
        }
      }
      return new Counts(ok, failed, skipped, masks);
    }
  }

  private Map<String, Object> parameters() {
    Map<String, Object> p = new LinkedHashMap<>();
    var a = config.amg();
    p.put("points_per_side", a.pointsPerSide());
    p.put("points_per_batch", a.pointsPerBatch());
    p.put("pred_iou_thresh", a.predIouThresh());
    p.put("stability_score_thresh", a.stabilityScoreThresh());
    p.put("stability_score_offset", a.stabilityScoreOffset());
    p.put("box_nms_thresh", a.boxNmsThresh());
    p.put("crop_n_layers", a.cropNLayers());
    p.put("crop_nms_thresh", a.cropNmsThresh());
    p.put("crop_overlap_ratio", a.cropOverlapRatio());
    p.put("crop_n_points_downscale_factor", a.cropNPointsDownscaleFactor());
    p.put("min_mask_region_area", a.minMaskRegionArea());
    p.put("multimask_output", a.multimaskOutput());
    p.put("use_m2m", a.useM2m());
    p.put("clip_background", config.clip() == null ? null : config.clipBackground().name().toLowerCase(Locale.ROOT));
    p.put("device", config.device());
    p.put("max_image_pixels", config.maxImagePixels());
    p.put("files_per_shard", config.filesPerShard());
    return p;
  }

  /**
   * Threads for each task's model calls and post-processing: {@code spark.task.cpus}, except that
   * on a local master with fewer tasks than cores the cores are shared out among the tasks (one
   * image on 8 cores gets 8 threads, not 1). On a cluster Spark alone places tasks, so the setting
   * stands.
   */
  static int threadsPerTask(int taskCpus, boolean local, int cores, int tasks) {
    if (!local || tasks <= 0 || tasks >= cores) {
      return taskCpus;
    }
    return Math.max(taskCpus, cores / tasks);
  }

  private static Map<String, Double> stageSeconds(StageTimes t, double generate, double writeMasks) {
    Map<String, Double> m = new LinkedHashMap<>(t.seconds());
    m.put("generate_and_write_images_wall", generate);
    m.put("write_masks_wall", writeMasks);
    return m;
  }

  private SparkSession session() {
    SparkConf conf = new SparkConf(true);
    if (config.master() != null) {
      conf.setMaster(config.master());
    } else if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    conf.setIfMissing("spark.app.name", "maskgen generate");
    conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    conf.setIfMissing("spark.kryo.registrator", JobKryoRegistrator.class.getName());
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    conf.setIfMissing("spark.sql.parquet.compression.codec", "zstd");
    DeltaSessions.configure(conf);
    for (Map.Entry<String, String> e : config.sparkConf().entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
    spark.sparkContext().setLogLevel(System.getProperty("maskgen.spark.log.level", "WARN"));
    return spark;
  }

  /** Refuses an output that already holds a dataset (for writers that do not refresh). */
  static void checkOutputIsFree(Configuration hadoop, Path out) {
    try {
      FileSystem fs = out.getFileSystem(hadoop);
      for (String table : List.of(DatasetColumns.IMAGES_TABLE, DatasetColumns.MASKS_TABLE)) {
        if (fs.exists(new Path(out, table))) {
          throw new UsageException(
              "Output " + out + " already holds a dataset (" + table + "/ exists): choose another"
                  + " --output");
        }
      }
    } catch (IOException e) {
      String missing = StoreErrors.missingBucket(out, e);
      throw new UsageException(
          "Cannot use --output " + out + ": " + (missing != null ? missing : e.getMessage()));
    }
  }

  /** The output folder; refuses one that holds a dataset in the old plain Parquet layout. */
  private static DatasetStore openOutput(Configuration hadoop, Path out) {
    DatasetStore store;
    try {
      store = new DatasetStore(out, hadoop);
      if (store.layout() == DatasetStore.Layout.LEGACY_PARQUET) {
        throw new UsageException(
            "Output " + out + " holds a dataset in the plain Parquet layout of maskgen before"
                + " refreshes (images/ without _delta_log/); it can still be queried, but not"
                + " refreshed: choose another --output");
      }
    } catch (java.io.UncheckedIOException e) {
      String missing = StoreErrors.missingBucket(out, e.getCause());
      throw new UsageException(
          "Cannot use --output " + out + ": "
              + (missing != null ? missing : e.getCause().getMessage()));
    }
    return store;
  }

  static void writeReport(Configuration hadoop, Path out, RunReport report) {
    Path file = new Path(new Path(out, "_runs"), report.runId() + ".json");
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    try (OutputStream o = file.getFileSystem(hadoop).create(file, false)) {
      mapper.writeValue(o, report);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot write run report " + file + ": " + e.getMessage(), e);
    }
  }

  static String newRunId(Instant now) {
    String ts = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(now);
    return ts + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(1 << 16));
  }
}
