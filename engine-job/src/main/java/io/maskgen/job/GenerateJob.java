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
import org.apache.spark.sql.Column;
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
 * <p>On an existing dataset a run is a refresh ({@link RefreshPlan}): input files whose path, size
 * and modification time are those the dataset recorded for the same generator are skipped without
 * being opened (tar shards as a whole); in the others, images whose id and sha256 the dataset holds
 * are skipped (failed ones too, unless {@code retryFailed}); new and changed images are processed,
 * and the rows of changed ones replace the old. A refresh that finds nothing new starts no task and
 * commits nothing. The run holds the dataset's {@link DatasetLock}; until it publishes its
 * snapshot, readers see the dataset as it was, and a killed run's commits are undone by the next
 * run.
 */
public final class GenerateJob {

  private final GenerateConfig config;
  private final PrintStream log;
  /** Wall seconds of the driver's fixed steps, in the order they ran (for the run report). */
  private final Map<String, Double> driverSeconds = new LinkedHashMap<>();

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
    long t = System.nanoTime();
    SparkSession spark = session();
    driverSeconds.put("spark_start_wall", (System.nanoTime() - t) / 1e9);
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
    long t = System.nanoTime();
    DatasetStore store = openOutput(hadoop, out);
    t = lap("open_output_wall", t);

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
    t = lap("list_inputs_wall", t);
    ModelLocations.Resolved models =
        ModelLocations.resolveOnDriver(config.model(), config.clip(), config.amg(),
            config.clipBackground(), hadoop);
    String generator = models.generator();
    t = lap("resolve_models_wall", t);

    DatasetLock lock;
    try {
      lock = DatasetLock.acquire(store, runId, log);
    } catch (DatasetLock.HeldException e) {
      throw new UsageException(e.getMessage());
    }
    try (lock) {
      Optional<Snapshot> before = store.latest();
      DeltaTables.resetToSnapshot(spark, store, before, log);
      t = lap("lock_and_check_tables_wall", t);
      RefreshPlan plan =
          RefreshPlan.of(spark, scan, store, before, generator, config.retryFailed(),
              config.verifyContent());
      lap("refresh_plan_wall", t);
      return process(spark, jsc, hadoop, store, scan, plan, models, runId, started, before);
    }
  }

  /** Records the seconds since {@code since} under {@code name}; returns now. */
  private long lap(String name, long since) {
    long now = System.nanoTime();
    driverSeconds.put(name, (now - since) / 1e9);
    return now;
  }

  private RunReport process(
      SparkSession spark,
      JavaSparkContext jsc,
      Configuration hadoop,
      DatasetStore store,
      InputScanner.ScanResult scan,
      RefreshPlan plan,
      ModelLocations.Resolved models,
      String runId,
      Instant started,
      Optional<Snapshot> before) {
    int parallelism = Math.max(1, jsc.defaultParallelism());
    List<Shard> shards = ShardPlanner.plan(plan.changed(), config.filesPerShard(), parallelism);
    // With nothing to read, the session's SQL state (built on first use of spark.conf()) is not.
    int taskCpus =
        shards.isEmpty()
            ? 1
            : threadsPerTask(
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
        "maskgen: run %s: %d files and %d tar shards, %d to read in %d tasks; generator %s%s%n",
        runId, scan.files().size(), scan.tars().size(),
        plan.changed().files().size() + plan.changed().tars().size(), shards.size(), generator,
        plan.unchangedFiles() == 0 ? "" : "; " + plan.unchangedFiles() + " files ("
            + plan.unchangedImages() + " images) unchanged since the dataset recorded them");

    JobMetrics metrics = new JobMetrics(spark.sparkContext());
    JobMetrics.LIVE_IMAGES.set(0);
    JobMetrics.LIVE_MASKS.set(0);
    boolean local = spark.sparkContext().isLocal();
    long totalImages = plan.changed().tars().isEmpty() ? plan.changed().files().size() : -1;
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
    long writeStart = t0;
    Dataset<Row> rows = null;
    Counts counts = Counts.NONE;
    Optional<Snapshot> after = before;
    try {
      if (!shards.isEmpty()) {
        JavaRDD<Row> results =
            plan.work(spark, jsc, shards)
                .mapPartitions(
                    new GenerateFunction(
                        shards, spec, new SerializableHadoopConf(hadoop), metrics));
        rows = spark.createDataFrame(results, SparkSchemas.imagesWithMasks())
            .persist(StorageLevel.DISK_ONLY());
        spark.sparkContext().setJobDescription("maskgen generate: images");
        counts = Counts.of(rows);
        writeStart = System.nanoTime();
      }
      if (counts.processed() > 0 || counts.restamped() > 0) {
        after = Optional.of(commit(spark, store, rows, counts, before, plan, models, runId));
      }
    } finally {
      progress.close();
    }
    if (rows != null) {
      rows.unpersist();
    }
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
            counts.skipped() + counts.restamped() + plan.unchangedImages(),
            counts.masks(),
            shards.size(),
            config.retryFailed(),
            after.map(Snapshot::number).orElse(null),
            stageSeconds(metrics.stageTimes(), generateSeconds, writeMasksSeconds),
            spark.sparkContext().master(),
            spark.sparkContext().applicationId(),
            new RunReport.Refresh(
                config.verifyContent(),
                scan.files().size() + scan.tars().size(),
                plan.unchangedFiles(),
                plan.unchangedImages(),
                counts.skipped() + counts.restamped(),
                counts.restamped()));
    writeReport(hadoop, store.root(), report);
    return report;
  }

  /**
   * Commits the processed images (their masks, then their rows, replacing those of the same id and
   * generator) and the new file state of the restamped ones, and publishes the snapshot.
   */
  private Snapshot commit(
      SparkSession spark,
      DatasetStore store,
      Dataset<Row> rows,
      Counts counts,
      Optional<Snapshot> before,
      RefreshPlan plan,
      ModelLocations.Resolved models,
      String runId) {
    String generator = models.generator();
    Path imagesTable = store.table(DatasetColumns.IMAGES_TABLE);
    Path masksTable = store.table(DatasetColumns.MASKS_TABLE);
    Column status = functions.col(DatasetColumns.STATUS);
    Dataset<Row> processed =
        rows.where(status.isin(ImageRecord.STATUS_OK, ImageRecord.STATUS_FAILED));
    boolean replacing = before.isPresent() && before.get().generator(generator).isPresent();
    long masksVersion = before.map(Snapshot::masksVersion).orElse(-1L);
    if (counts.processed() > 0) {
      // Masks first, then images: an images row marks its masks as complete.
      spark.sparkContext().setJobDescription("maskgen generate: masks table");
      if (replacing) {
        DeltaTables.deleteImages(
            spark, masksTable, generator, processed.select(DatasetColumns.IMAGE_ID));
      }
      masksVersion =
          DeltaTables.append(
              spark,
              masksTable,
              processed
                  .select(functions.explode(functions.col(SparkSchemas.MASKS_COLUMN)).as("m"))
                  .select("m.*"));
    }
    spark.sparkContext().setJobDescription("maskgen generate: images table");
    Dataset<Row> images = processed.drop(SparkSchemas.MASKS_COLUMN);
    if (counts.restamped() > 0) {
      images = images.unionByName(restamped(spark, store, rows, before.orElseThrow(), generator));
    }
    if (replacing) {
      DeltaTables.deleteImages(
          spark, imagesTable, generator, images.select(DatasetColumns.IMAGE_ID));
    }
    long imagesVersion = DeltaTables.append(spark, imagesTable, images);
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
    try {
      plan.keepRecordedFiles(spark, store, before, next, generator);
    } catch (RuntimeException e) {
      log.println("maskgen: could not keep the list of recorded input files (the next refresh"
          + " derives it from the images table): " + e.getMessage());
    }
    return next;
  }

  /**
   * The recorded {@code images} rows of the images that were skipped by content but whose file
   * moved, with the file's new state: the next refresh skips them without reading.
   */
  private static Dataset<Row> restamped(
      SparkSession spark, DatasetStore store, Dataset<Row> rows, Snapshot before,
      String generator) {
    Dataset<Row> moved =
        rows.where(functions.col(DatasetColumns.STATUS).equalTo(GenerateFunction.STATUS_RESTAMP))
            .select(
                functions.col(DatasetColumns.IMAGE_ID).as("moved_id"),
                functions.col(DatasetColumns.INPUT_FILE),
                functions.col(DatasetColumns.INPUT_SIZE),
                functions.col(DatasetColumns.INPUT_MODIFIED),
                functions.col(DatasetColumns.INPUT_ETAG));
    Dataset<Row> old =
        DeltaTables.read(spark, store.table(DatasetColumns.IMAGES_TABLE), before.imagesVersion())
            .where(functions.col(DatasetColumns.GENERATOR).equalTo(generator));
    for (String c : DatasetColumns.INPUT_COLUMNS) {
      if (List.of(old.columns()).contains(c)) {
        old = old.drop(c);
      }
    }
    Dataset<Row> joined =
        old.join(moved, functions.col(DatasetColumns.IMAGE_ID).equalTo(functions.col("moved_id")));
    return joined.select(
        DatasetColumns.IMAGES_COLUMNS.stream().map(functions::col).toArray(Column[]::new));
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
  private record Counts(long ok, long failed, long skipped, long restamped, long masks) {
    static final Counts NONE = new Counts(0, 0, 0, 0, 0);

    long processed() {
      return ok + failed;
    }

    static Counts of(Dataset<Row> rows) {
      long ok = 0;
      long failed = 0;
      long skipped = 0;
      long restamped = 0;
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
          case GenerateFunction.STATUS_RESTAMP -> restamped = n;
          default -> skipped = n;
        }
      }
      return new Counts(ok, failed, skipped, restamped, masks);
    }
  }

  Map<String, Object> parameters() {
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

  private Map<String, Double> stageSeconds(StageTimes t, double generate, double writeMasks) {
    Map<String, Double> m = new LinkedHashMap<>(t.seconds());
    m.putAll(driverSeconds);
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
