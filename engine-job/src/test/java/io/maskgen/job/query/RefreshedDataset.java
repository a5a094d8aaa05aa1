package io.maskgen.job.query;

import io.maskgen.job.table.DatasetStore;
import io.maskgen.job.table.DeltaTables;
import io.maskgen.job.table.Snapshot;
import io.maskgen.schema.ImageRecord;
import io.maskgen.schema.MaskRecord;
import io.maskgen.schema.rle.Rle;
import io.maskgen.spark.SparkSchemas;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A dataset written with Delta tables as generate writes them, for tests of its readers: snapshot
 * 1, a first run with generators {@link #OLD} and {@link #NEW} (images {@code a} with 2 masks and
 * {@code b} with 1, under both); snapshot 2, a refresh under {@code NEW} that replaced the rows of
 * {@code a} (now 3 masks, {@code sha256} of "a v2"); then a run that committed image {@code c} and
 * its mask but never published.
 */
public final class RefreshedDataset {

  public static final String OLD = "tiny-sam:old";
  public static final String NEW = "tiny-sam:new";

  /** Publication times of snapshots 1 and 2. */
  public static final String PUBLISHED_1 = "2026-01-01T00:00:01Z";

  public static final String PUBLISHED_2 = "2026-01-01T00:00:02Z";

  private RefreshedDataset() {}

  /** Writes the dataset into the folder {@code root}. */
  public static void write(SparkSession spark, Path root) {
    var dir = new org.apache.hadoop.fs.Path(root.toUri());
    DatasetStore store = new DatasetStore(dir, spark.sparkContext().hadoopConfiguration());
    var images = store.table("images");
    var masks = store.table("masks");

    // Run 1: images a and b under both generators; a has 2 masks (ids 0, 1), b has 1.
    List<ImageRecord> run1 = new ArrayList<>();
    List<MaskRecord> masks1 = new ArrayList<>();
    for (String g : List.of(OLD, NEW)) {
      run1.add(image("a", "v1", 2, g, "run-1"));
      run1.add(image("b", "v1", 1, g, "run-1"));
      masks1.add(mask("a", 0, g, "run-1"));
      masks1.add(mask("a", 1, g, "run-1"));
      masks1.add(mask("b", 0, g, "run-1"));
    }
    long iv = DeltaTables.append(spark, images, imageFrame(spark, run1));
    long mv = DeltaTables.append(spark, masks, maskFrame(spark, masks1));
    store.publish(snapshot(1, "run-1", iv, mv));

    // Run 2, a refresh under NEW: a changed; its rows are replaced (now 3 masks, ids 0..2).
    Dataset<Row> changed = spark.createDataFrame(List.of(RowFactory.create("a")), idSchema());
    DeltaTables.deleteImages(spark, images, NEW, changed);
    DeltaTables.deleteImages(spark, masks, NEW, changed);
    iv =
        DeltaTables.append(
            spark, images, imageFrame(spark, List.of(image("a", "v2", 3, NEW, "run-2"))));
    mv =
        DeltaTables.append(
            spark,
            masks,
            maskFrame(
                spark,
                List.of(
                    mask("a", 0, NEW, "run-2"),
                    mask("a", 1, NEW, "run-2"),
                    mask("a", 2, NEW, "run-2"))));
    store.publish(snapshot(2, "run-2", iv, mv));

    // Run 3: committed image c and its mask, then stopped before publishing.
    DeltaTables.append(
        spark, images, imageFrame(spark, List.of(image("c", "v1", 1, NEW, "run-3"))));
    DeltaTables.append(spark, masks, maskFrame(spark, List.of(mask("c", 0, NEW, "run-3"))));
  }

  /** Lowercase hex SHA-256 of {@code text}: the {@code sha256} of image "id version". */
  public static String sha(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ImageRecord image(String id, String version, int masks, String g, String run) {
    return ImageRecord.ok(
        id, "file:/in/" + id + ".png", sha(id + " " + version), 8, 6, masks, g, run, 0.1);
  }

  private static MaskRecord mask(String id, int maskId, String g, String run) {
    byte[] bits = new byte[8 * 6];
    bits[maskId] = 1;
    return MaskRecord.of(
        id, maskId, Rle.encodeRowMajor(bits, 6, 8), 0.9f, 0.95f, new double[][] {{0, 0}},
        new int[] {0, 0, 8, 6}, null, g, run);
  }

  private static Dataset<Row> imageFrame(SparkSession spark, List<ImageRecord> images) {
    return spark.createDataFrame(
        images.stream().map(SparkSchemas::imageRow).toList(), SparkSchemas.images());
  }

  private static Dataset<Row> maskFrame(SparkSession spark, List<MaskRecord> masks) {
    return spark.createDataFrame(
        masks.stream().map(SparkSchemas::maskRow).toList(), SparkSchemas.masks());
  }

  private static StructType idSchema() {
    return DataTypes.createStructType(
        List.of(DataTypes.createStructField("image_id", DataTypes.StringType, false)));
  }

  private static Snapshot snapshot(long number, String run, long imagesVersion, long masks) {
    return new Snapshot(
        number,
        run,
        number == 1 ? PUBLISHED_1 : PUBLISHED_2,
        imagesVersion,
        masks,
        List.of(
            new Snapshot.Generator(OLD, "tiny-sam", null, Map.of(), "run-1", "run-1"),
            new Snapshot.Generator(NEW, "tiny-sam", null, Map.of(), "run-1", run)));
  }
}
