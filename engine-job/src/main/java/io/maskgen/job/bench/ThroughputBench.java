package io.maskgen.job.bench;

import io.maskgen.job.table.DeltaSessions;
import io.maskgen.job.GenerateConfig;
import io.maskgen.job.GenerateJob;
import io.maskgen.job.JobKryoRegistrator;
import io.maskgen.job.RunReport;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Throughput of the real {@code generate} job on each of several Spark masters over the same
 * input folder: images/s and masks/s from the job's wall time (scan, tasks, both table writes,
 * model loading on each executor included), and the speed-up against the first master. Warm runs
 * first run the job once untimed in the same application, so executors have loaded the models and
 * compiled the hot code.
 */
final class ThroughputBench {

  /** The result on one master. */
  record Result(String master, long images, long masks, double seconds, Map<String, Double> stages) {
    double imagesPerSecond() {
      return images / seconds;
    }

    double masksPerSecond() {
      return masks / seconds;
    }
  }

  private ThroughputBench() {}

  /**
   * Runs {@code base} (its master and output replaced) once per master, each in a fresh session
   * with {@code sparkConf} applied, writing to {@code outputRoot/run-N} (after an untimed run to
   * {@code outputRoot/warmup-N} when {@code warm}).
   */
  static List<Result> run(
      GenerateConfig base,
      List<String> masters,
      Map<String, String> sparkConf,
      boolean warm,
      Path outputRoot,
      PrintStream log) {
    List<Result> results = new java.util.ArrayList<>();
    for (int i = 0; i < masters.size(); i++) {
      String master = masters.get(i);
      SparkSession spark = session(master, sparkConf);
      RunReport report;
      try {
        if (warm) {
          log.printf("maskgen bench: %s: warm-up run (untimed)%n", master);
          Path warmup = outputRoot.resolve("warmup-" + (i + 1));
          new GenerateJob(config(base, master, sparkConf, warmup), log).run(spark);
        }
        Path timed = outputRoot.resolve("run-" + (i + 1));
        report = new GenerateJob(config(base, master, sparkConf, timed), log).run(spark);
      } finally {
        spark.stop();
      }
      Result r =
          new Result(
              master, report.images(), report.masks(), report.seconds(), report.stageSeconds());
      results.add(r);
      log.printf(
          Locale.ROOT,
          "maskgen bench: %s: %d images, %d masks in %.1f s: %.3f images/s, %.1f masks/s%n",
          master,
          r.images(),
          r.masks(),
          r.seconds(),
          r.imagesPerSecond(),
          r.masksPerSecond());
    }
    return results;
  }

  private static GenerateConfig config(
      GenerateConfig base, String master, Map<String, String> sparkConf, Path output) {
    return new GenerateConfig(
        base.inputs(),
        output.toString(),
        base.model(),
        base.clip(),
        base.clipBackground(),
        base.device(),
        base.amg(),
        base.maxImagePixels(),
        base.filesPerShard(),
        master,
        sparkConf,
        null,
        false,
        false);
  }

  private static SparkSession session(String master, Map<String, String> sparkConf) {
    SparkConf conf = new SparkConf(true).setMaster(master);
    conf.set("spark.app.name", "maskgen bench " + master);
    conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    conf.set("spark.kryo.registrator", JobKryoRegistrator.class.getName());
    conf.set("spark.ui.showConsoleProgress", "false");
    conf.set("spark.ui.enabled", "false");
    for (Map.Entry<String, String> e : sparkConf.entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    SparkSession spark = SparkSession.builder().config(DeltaSessions.configure(conf)).getOrCreate();
    spark.sparkContext().setLogLevel(System.getProperty("maskgen.spark.log.level", "WARN"));
    return spark;
  }

  /** The results as ordered columns per master. */
  static List<Map<String, Object>> columns(List<Result> results) {
    List<Map<String, Object>> rows = new java.util.ArrayList<>();
    double base = results.isEmpty() ? 0 : results.get(0).imagesPerSecond();
    for (Result r : results) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("master", r.master());
      m.put("images", r.images());
      m.put("masks", r.masks());
      m.put("seconds", r.seconds());
      m.put("images_per_s", r.imagesPerSecond());
      m.put("masks_per_s", r.masksPerSecond());
      m.put("speedup", r.imagesPerSecond() / base);
      rows.add(m);
    }
    return rows;
  }
}
