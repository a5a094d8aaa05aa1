package io.maskgen.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.maskgen.job.cli.UsageException;
import io.maskgen.job.input.InputException;
import io.maskgen.job.input.InputScanner;
import io.maskgen.job.input.Shard;
import io.maskgen.job.input.ShardPlanner;
import io.maskgen.pipeline.StageTimes;
import io.maskgen.schema.DatasetColumns;
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
 * image pipeline on the executors, writes {@code images/} and {@code masks/} as Parquet through
 * Spark's commit protocol, and a run report under {@code _runs/}.
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
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Path out = new Path(config.output());
    checkOutputIsFree(hadoop, out);

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
    int parallelism = Math.max(1, jsc.defaultParallelism());
    List<Shard> shards = ShardPlanner.plan(scan, config.filesPerShard(), parallelism);
    int taskCpus = Integer.parseInt(spark.conf().get("spark.task.cpus", "1"));
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
    log.printf(
        Locale.ROOT,
        "maskgen: run %s: %d files and %d tar shards in %d tasks; generator %s%n",
        runId, scan.files().size(), scan.tars().size(), shards.size(), models.generator());

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

    long writeStart;
    long t0 = System.nanoTime();
    Dataset<Row> rows;
    try {
      List<Integer> indices = java.util.stream.IntStream.range(0, shards.size()).boxed().toList();
      JavaRDD<Integer> work = jsc.parallelize(indices, shards.size());
      JavaRDD<Row> results =
          work.mapPartitions(
              new GenerateFunction(shards, spec, new SerializableHadoopConf(hadoop), metrics));
      rows = spark.createDataFrame(results, SparkSchemas.imagesWithMasks())
          .persist(StorageLevel.DISK_ONLY());
      spark.sparkContext().setJobDescription("maskgen generate: images table");
      rows.drop(SparkSchemas.MASKS_COLUMN)
          .write()
          .mode("errorifexists")
          .parquet(new Path(out, DatasetColumns.IMAGES_TABLE).toString());
      writeStart = System.nanoTime();
      spark.sparkContext().setJobDescription("maskgen generate: masks table");
      rows.select(functions.explode(functions.col(SparkSchemas.MASKS_COLUMN)).as("m"))
          .select("m.*")
          .write()
          .mode("errorifexists")
          .parquet(new Path(out, DatasetColumns.MASKS_TABLE).toString());
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
            models.generator(),
            parameters(),
            metrics.imagesOk.value() + metrics.imagesFailed.value(),
            metrics.imagesOk.value(),
            metrics.imagesFailed.value(),
            metrics.masks.value(),
            shards.size(),
            stageSeconds(metrics.stageTimes(), generateSeconds, writeMasksSeconds),
            spark.sparkContext().master(),
            spark.sparkContext().applicationId());
    writeReport(hadoop, out, report);
    return report;
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
    for (Map.Entry<String, String> e : config.sparkConf().entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
    spark.sparkContext().setLogLevel(System.getProperty("maskgen.spark.log.level", "WARN"));
    return spark;
  }

  private static void checkOutputIsFree(Configuration hadoop, Path out) {
    try {
      FileSystem fs = out.getFileSystem(hadoop);
      for (String table : List.of(DatasetColumns.IMAGES_TABLE, DatasetColumns.MASKS_TABLE)) {
        if (fs.exists(new Path(out, table))) {
          throw new UsageException(
              "Output " + out + " already holds a dataset (" + table + "/ exists); refreshing an"
                  + " existing dataset is not supported yet: choose another --output");
        }
      }
    } catch (IOException e) {
      throw new UsageException("Cannot use --output " + out + ": " + e.getMessage());
    }
  }

  private static void writeReport(Configuration hadoop, Path out, RunReport report) {
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
