package io.maskgen.job;

import io.maskgen.job.table.DeltaSessions;
import org.apache.spark.sql.SparkSession;

/** The local Spark session the engine-job tests share: Delta enabled, loopback only, no UI. */
public final class TestSessions {

  private TestSessions() {}

  /** A {@code local[2]} session with Delta, bound to 127.0.0.1, two shuffle partitions. */
  public static SparkSession local() {
    return builder().getOrCreate();
  }

  /** The builder of {@link #local()}, for tests that add settings. */
  public static SparkSession.Builder builder() {
    return DeltaSessions.configure(SparkSession.builder())
        .master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2");
  }

  /** Stops {@code spark} (if any) and forgets it, so the next test class starts afresh. */
  public static void stop(SparkSession spark) {
    if (spark != null) {
      spark.stop();
    }
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
  }
}
