package io.maskgen.job.query;

import io.maskgen.job.table.DeltaSessions;
import io.maskgen.spark.MaskgenFunctions;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of a query command ({@code sql}, {@code render}, {@code inspect}), with the
 * maskgen SQL functions registered. Reuses the JVM's running session if there is one (then {@link
 * #close()} leaves it running); otherwise starts one on {@code master} and stops it on close.
 */
public final class LocalSpark implements AutoCloseable {

  private final SparkSession spark;
  private final boolean owned;

  private LocalSpark(SparkSession spark, boolean owned) {
    this.spark = spark;
    this.owned = owned;
  }

  /**
   * Returns the running session, or starts one.
   *
   * @param master Spark master URL, e.g. {@code local[*]}
   * @param conf extra Spark properties ({@code --conf}), applied to a new session
   * @param verbose keep Spark's logs of failed tasks (with stack traces), which are off otherwise
   */
  public static LocalSpark open(String master, Map<String, String> conf, boolean verbose) {
    SparkSession running = runningSession();
    if (running != null) {
      MaskgenFunctions.register(running);
      return new LocalSpark(running, false);
    }
    SparkSession.Builder b =
        SparkSession.builder()
            .master(master)
            .appName("maskgen")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false");
    if (master.startsWith("local")) {
      // One machine: no need to resolve the host name (and no warning when it is loopback).
      b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
    }
    DeltaSessions.configure(b);
    conf.forEach(b::config);
    SparkSession spark = b.getOrCreate();
    if (!verbose) {
      // A failed query is reported in one line by the command; Spark would also log the failed
      // task with its stack trace (bin/maskgen's conf/log4j2.properties keeps errors).
      Configurator.setLevel("org.apache.spark.executor.Executor", Level.OFF);
      Configurator.setLevel("org.apache.spark.scheduler.TaskSetManager", Level.OFF);
    }
    MaskgenFunctions.register(spark);
    return new LocalSpark(spark, true);
  }

  public SparkSession session() {
    return spark;
  }

  @Override
  public void close() {
    if (owned) {
      spark.stop();
    }
  }

  private static SparkSession runningSession() {
    scala.Option<SparkSession> s = SparkSession.getActiveSession();
    if (s.isEmpty()) {
      s = SparkSession.getDefaultSession();
    }
    return s.isEmpty() || s.get().sparkContext().isStopped() ? null : s.get();
  }
}
