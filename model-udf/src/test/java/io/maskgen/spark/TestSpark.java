package io.maskgen.spark;

import org.apache.spark.sql.SparkSession;

/** A small local Spark session for tests: two cores, no UI, loopback only. */
final class TestSpark {

  private TestSpark() {}

  static SparkSession start() {
    return builder().getOrCreate();
  }

  static SparkSession.Builder builder() {
    return SparkSession.builder()
        .master("local[2]")
        .appName("maskgen-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2");
  }

  static void stop(SparkSession spark) {
    if (spark != null) {
      spark.stop();
    }
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
  }
}
