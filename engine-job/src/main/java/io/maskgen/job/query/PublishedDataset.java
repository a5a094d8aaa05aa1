package io.maskgen.job.query;

import io.maskgen.job.cli.UsageException;
import io.maskgen.job.table.DeltaSessions;
import io.maskgen.job.table.Snapshot;
import java.util.List;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A maskgen dataset read from your own Spark application the way {@code maskgen sql} reads it: both
 * tables ({@code images}, {@code masks}) at the Delta versions of the newest published snapshot,
 * showing one generator's rows (the most recently run one, or the one named). Rows that a refresh
 * replaced and rows of runs that have not published (still running, or killed) are not seen, as
 * they would be by a plain Parquet read of the folders.
 *
 * <pre>{@code
 * PublishedDataset ds = PublishedDataset.open(spark, "s3a://bucket/masks-out");
 * ds.createOrReplaceTempViews();   // or ds.masks(), ds.images()
 * spark.sql("SELECT image_id, count(*) FROM masks GROUP BY image_id").show();
 * }</pre>
 *
 * <p>The snapshot is chosen when the dataset is opened and kept: a refresh that publishes later is
 * seen by the next {@code open}. The session must have Delta Lake ({@link DeltaSessions}). A
 * dataset in the plain Parquet layout of earlier maskgen versions is read as it is (every row).
 */
public final class PublishedDataset {

  private final SparkSession spark;
  private final DatasetDir dir;

  private PublishedDataset(SparkSession spark, DatasetDir dir) {
    this.spark = spark;
    this.dir = dir;
  }

  /**
   * Opens the dataset at {@code dir} (a local path or a Hadoop URI) at its newest snapshot, showing
   * the most recently run generator.
   *
   * @throws IllegalArgumentException naming {@code dir} and the cause when it is not a maskgen
   *     dataset or has no finished run yet
   * @throws IllegalStateException when {@code spark} lacks Delta Lake, saying what to set
   */
  public static PublishedDataset open(SparkSession spark, String dir) {
    return open(spark, dir, null);
  }

  /**
   * Opens the dataset at {@code dir} at its newest snapshot, showing {@code generator}'s rows
   * (null: the most recently run generator).
   *
   * @throws IllegalArgumentException also when the dataset has no generator of that name (the
   *     message lists those it has)
   */
  public static PublishedDataset open(SparkSession spark, String dir, String generator) {
    Objects.requireNonNull(spark, "spark");
    Objects.requireNonNull(dir, "dir");
    DatasetDir d;
    try {
      d = DatasetDir.of(dir).withGenerator(generator);
      Configuration conf = spark.sparkContext().hadoopConfiguration();
      d.check(conf);
      // Resolves the snapshot and the generator now, so that open fails rather than a read.
      if (d.snapshot(conf) != null) {
        DeltaSessions.check(spark);
      }
    } catch (UsageException e) {
      // The same checks as the command line's, worded without its options.
      throw new IllegalArgumentException(
          e.getMessage()
              .replace("Invalid --dataset: ", "Not a readable maskgen dataset: ")
              .replace("--generator", "generator"),
          e);
    }
    return new PublishedDataset(spark, d);
  }

  /** The {@code images} table at the snapshot: one row per image of the generator. */
  public Dataset<Row> images() {
    return dir.images(spark);
  }

  /** The {@code masks} table at the snapshot: one row per mask of the generator. */
  public Dataset<Row> masks() {
    return dir.masks(spark);
  }

  /** Registers {@link #images()} and {@link #masks()} as the temp views of those names. */
  public void createOrReplaceTempViews() {
    dir.registerViews(spark);
  }

  /** The dataset folder as given. */
  public String root() {
    return dir.root();
  }

  /** The snapshot read (its number and the tables' versions); null for a plain Parquet dataset. */
  public Snapshot snapshot() {
    return dir.snapshot(conf());
  }

  /** The generator whose rows the tables show; null for a plain Parquet dataset read whole. */
  public String generator() {
    return dir.generator(conf());
  }

  /** Every generator of the snapshot, the default (most recently run) one last. */
  public List<String> generators() {
    return dir.generators(conf());
  }

  private Configuration conf() {
    return spark.sparkContext().hadoopConfiguration();
  }
}
