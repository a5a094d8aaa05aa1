package io.maskgen.job;

import io.maskgen.job.cli.UsageException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Chooses how Spark commits Parquet files to the output. On {@code s3a://} a commit must not rely
 * on renames (a copy per object on S3, and not atomic), so the job uses Hadoop's S3A committers
 * through Spark's cloud bindings: the magic committer by default, which writes each task's files
 * as pending multipart uploads and completes them at job commit. The same settings are in {@code
 * conf/spark-defaults-s3.conf.template}.
 *
 * <p>Precedence: a {@code spark.sql.sources.commitProtocolClass} set by the user leaves everything
 * as it is; a {@code fs.s3a.committer.name} set by the user (e.g. {@code directory}) is kept. Other
 * file systems (local, HDFS) keep Spark's default committer.
 */
public final class ObjectStoreCommit {

  static final String COMMIT_PROTOCOL = "spark.sql.sources.commitProtocolClass";
  static final String PARQUET_COMMITTER = "spark.sql.parquet.output.committer.class";
  static final String SPARK_DEFAULT_PROTOCOL =
      "org.apache.spark.sql.execution.datasources.SQLHadoopMapReduceCommitProtocol";
  static final String CLOUD_PROTOCOL =
      "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol";
  static final String CLOUD_PARQUET_COMMITTER =
      "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter";
  static final String S3A_COMMITTER_NAME = "fs.s3a.committer.name";
  static final String S3A_COMMITTER_FACTORY =
      "org.apache.hadoop.fs.s3a.commit.S3ACommitterFactory";

  private ObjectStoreCommit() {}

  /**
   * The settings for writing to {@code output}: SQL settings (keys {@code spark.sql.*}) and Hadoop
   * settings (the others); empty when Spark's default committer is right.
   *
   * @param sql the session's current SQL settings (only the commit protocol is read)
   * @param hadoop the session's Hadoop configuration (only the S3A committer name is read)
   */
  static Map<String, String> settings(Path output, Map<String, String> sql, Configuration hadoop) {
    Map<String, String> s = new LinkedHashMap<>();
    String scheme = output.toUri().getScheme();
    if (scheme == null || !scheme.toLowerCase(Locale.ROOT).equals("s3a")) {
      return s;
    }
    String protocol = sql.getOrDefault(COMMIT_PROTOCOL, SPARK_DEFAULT_PROTOCOL);
    if (!protocol.equals(SPARK_DEFAULT_PROTOCOL)) {
      return s; // the user chose a commit protocol
    }
    String committer = explicit(hadoop, S3A_COMMITTER_NAME);
    if (committer == null || committer.equals("file")) {
      committer = "magic";
    }
    s.put(COMMIT_PROTOCOL, CLOUD_PROTOCOL);
    s.put(PARQUET_COMMITTER, CLOUD_PARQUET_COMMITTER);
    s.put("mapreduce.outputcommitter.factory.scheme.s3a", S3A_COMMITTER_FACTORY);
    s.put(S3A_COMMITTER_NAME, committer);
    if (committer.equals("magic")) {
      s.put("fs.s3a.committer.magic.enabled", "true");
    }
    return s;
  }

  /**
   * Applies {@link #settings} to the session before the job writes to {@code output}.
   *
   * @return a short description for the job's log line, e.g. {@code "S3A magic committer"}, or null
   *     when nothing changed
   * @throws UsageException when the output needs the S3A committers and Spark's hadoop-cloud module
   *     is not on the classpath
   */
  static String apply(SparkSession spark, Path output) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Map<String, String> sql = new LinkedHashMap<>();
    spark.conf().getOption(COMMIT_PROTOCOL).foreach(v -> sql.put(COMMIT_PROTOCOL, v));
    Map<String, String> s = settings(output, sql, hadoop);
    if (s.isEmpty()) {
      return null;
    }
    try {
      Class.forName(CLOUD_PROTOCOL, false, ObjectStoreCommit.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new UsageException(
          "Cannot write --output "
              + output
              + " safely: the S3A committers need Spark's hadoop-cloud module"
              + " (spark-hadoop-cloud_2.13 jar, class "
              + CLOUD_PROTOCOL
              + ") on the classpath; add it (see deploy/OPERATIONS.md) or choose a commit protocol"
              + " with --conf "
              + COMMIT_PROTOCOL
              + "=CLASS");
    }
    s.forEach(
        (k, v) -> {
          if (k.startsWith("spark.sql.")) {
            spark.conf().set(k, v);
          } else {
            hadoop.set(k, v);
          }
        });
    return "S3A " + s.get(S3A_COMMITTER_NAME) + " committer";
  }

  /** A value set by the user or a site file, not one of Hadoop's own defaults; null if none. */
  private static String explicit(Configuration conf, String key) {
    String value = conf.get(key);
    String[] sources = conf.getPropertySources(key);
    if (value == null || sources == null) {
      return value;
    }
    for (String source : sources) {
      if (!source.endsWith("-default.xml")) {
        return value;
      }
    }
    return null;
  }
}
