package io.maskgen.job.table;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark settings that Delta Lake needs. They are static session settings, so every session
 * that reads or writes a dataset is built with them ({@code bin/maskgen} and {@code spark-submit}
 * runs do this themselves; notebooks and tests use {@link #configure(SparkSession.Builder)}).
 */
public final class DeltaSessions {

  public static final String EXTENSIONS_KEY = "spark.sql.extensions";
  public static final String EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";
  public static final String CATALOG_KEY = "spark.sql.catalog.spark_catalog";
  public static final String CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog";

  private DeltaSessions() {}

  /** Adds the Delta extension (beside any others) and catalog to {@code conf}. */
  public static SparkConf configure(SparkConf conf) {
    conf.set(EXTENSIONS_KEY, withDelta(conf.get(EXTENSIONS_KEY, "")));
    conf.setIfMissing(CATALOG_KEY, CATALOG);
    return conf;
  }

  /** Adds the Delta extension and catalog to a session builder. */
  public static SparkSession.Builder configure(SparkSession.Builder b) {
    return b.config(EXTENSIONS_KEY, EXTENSION).config(CATALOG_KEY, CATALOG);
  }

  /** Whether {@code spark} was built with the Delta extension. */
  public static boolean isConfigured(SparkSession spark) {
    String ext = spark.sparkContext().conf().get(EXTENSIONS_KEY, "");
    for (String e : ext.split(",")) {
      if (e.trim().equals(EXTENSION)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Fails with a message saying what to set when {@code spark} lacks the Delta extension.
   *
   * @throws IllegalStateException if it does
   */
  public static void check(SparkSession spark) {
    if (!isConfigured(spark)) {
      throw new IllegalStateException(
          "The Spark session lacks Delta Lake, which maskgen datasets use: build it with "
              + EXTENSIONS_KEY
              + "="
              + EXTENSION
              + " and "
              + CATALOG_KEY
              + "="
              + CATALOG
              + " (DeltaSessions.configure does both)");
    }
  }

  private static String withDelta(String extensions) {
    if (extensions.isBlank()) {
      return EXTENSION;
    }
    for (String e : extensions.split(",")) {
      if (e.trim().equals(EXTENSION)) {
        return extensions;
      }
    }
    return extensions + "," + EXTENSION;
  }
}
