package io.maskgen.job.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskgen.job.TestSessions;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PublishedDataset}, the documented way to read a dataset from a Spark application, on Delta
 * tables written as generate writes them: a first run (generators {@code old} and {@code new}), a
 * refresh that replaced the rows of one image, then a run that committed rows but never published.
 */
class PublishedDatasetTest {

  private static final String OLD = "tiny-sam:old";
  private static final String NEW = "tiny-sam:new";

  @TempDir static Path tmp;

  private static SparkSession spark;
  private static Path root;

  @BeforeAll
  static void setUp() throws Exception {
    spark = TestSessions.local();
    root = tmp.resolve("out");
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
    long iv = DeltaTables.append(spark, images, imageFrame(run1));
    long mv = DeltaTables.append(spark, masks, maskFrame(masks1));
    store.publish(snapshot(1, "run-1", iv, mv));

    // Run 2, a refresh under NEW: a changed; its rows are replaced (now 3 masks, ids 0..2).
    Dataset<Row> changed = spark.createDataFrame(List.of(row("a")), idSchema());
    DeltaTables.deleteImages(spark, images, NEW, changed);
    DeltaTables.deleteImages(spark, masks, NEW, changed);
    iv = DeltaTables.append(spark, images, imageFrame(List.of(image("a", "v2", 3, NEW, "run-2"))));
    mv =
        DeltaTables.append(
            spark,
            masks,
            maskFrame(
                List.of(
                    mask("a", 0, NEW, "run-2"),
                    mask("a", 1, NEW, "run-2"),
                    mask("a", 2, NEW, "run-2"))));
    store.publish(snapshot(2, "run-2", iv, mv));

    // Run 3: committed image c and its mask, then stopped before publishing.
    DeltaTables.append(spark, images, imageFrame(List.of(image("c", "v1", 1, NEW, "run-3"))));
    DeltaTables.append(spark, masks, maskFrame(List.of(mask("c", 0, NEW, "run-3"))));
  }

  @AfterAll
  static void tearDown() {
    TestSessions.stop(spark);
  }

  @Test
  void readsOnlyThePublishedRowsOfTheNewestGenerator() {
    PublishedDataset ds = PublishedDataset.open(spark, root.toString());
    assertThat(ds.snapshot().number()).isEqualTo(2);
    assertThat(ds.generator()).isEqualTo(NEW);
    assertThat(ds.generators()).containsExactly(OLD, NEW);

    assertThat(keys(ds.masks(), "run_id"))
        .containsExactlyInAnyOrder("a/0 run-2", "a/1 run-2", "a/2 run-2", "b/0 run-1");
    assertThat(keys(ds.images(), "sha256"))
        .containsExactlyInAnyOrder("a " + sha("a v2"), "b " + sha("b v1"));
  }

  @Test
  void aPlainParquetReadOfTheFoldersWouldAlsoSeeReplacedAndUnpublishedRows() {
    Dataset<Row> plain =
        spark.read().parquet(root.resolve("masks").toString()).where("generator = '" + NEW + "'");
    // The first run's rows of a (replaced by the refresh) and c (never published) are there too.
    assertThat(keys(plain, "run_id"))
        .contains("a/0 run-1", "a/1 run-1", "c/0 run-3")
        .hasSize(8);
    assertThat(PublishedDataset.open(spark, root.toString()).masks().count()).isEqualTo(4);
  }

  @Test
  void readsANamedGeneratorAtTheSameSnapshot() {
    PublishedDataset ds = PublishedDataset.open(spark, root.toString(), OLD);
    assertThat(ds.generator()).isEqualTo(OLD);
    assertThat(keys(ds.masks(), "run_id"))
        .containsExactlyInAnyOrder("a/0 run-1", "a/1 run-1", "b/0 run-1");
    assertThat(ds.images().count()).isEqualTo(2);

    assertThatThrownBy(() -> PublishedDataset.open(spark, root.toString(), "nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unknown generator 'nope'")
        .hasMessageContaining(OLD + ", " + NEW);
  }

  @Test
  void tempViewsAnswerSqlAtTheSnapshot() {
    PublishedDataset.open(spark, root.toString()).createOrReplaceTempViews();
    List<Row> rows =
        spark
            .sql(
                "SELECT i.image_id, i.mask_count, count(m.mask_id) AS n FROM images i"
                    + " LEFT JOIN masks m ON m.image_id = i.image_id"
                    + " GROUP BY i.image_id, i.mask_count ORDER BY i.image_id")
            .collectAsList();
    assertThat(rows).hasSize(2);
    for (Row r : rows) {
      assertThat(r.getLong(2)).as(r.getString(0)).isEqualTo(r.getInt(1));
    }
  }

  @Test
  void aFolderThatIsNotADatasetFailsNamingIt() {
    Path empty = tmp.resolve("not-a-dataset");
    assertThatThrownBy(() -> PublishedDataset.open(spark, empty.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Not a readable maskgen dataset: " + empty + " is not a folder");
  }

  // ---- helpers ----

  /** "image_id/mask_id column" (masks) or "image_id column" (images), one per row. */
  private static List<String> keys(Dataset<Row> rows, String column) {
    boolean masks = List.of(rows.columns()).contains("mask_id");
    List<String> out = new ArrayList<>();
    for (Row r : rows.collectAsList()) {
      String id = r.<String>getAs("image_id");
      String key = masks ? id + "/" + r.<Integer>getAs("mask_id") : id;
      out.add(key + " " + r.getAs(column));
    }
    return out;
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

  private static Dataset<Row> imageFrame(List<ImageRecord> images) {
    return spark.createDataFrame(
        images.stream().map(SparkSchemas::imageRow).toList(), SparkSchemas.images());
  }

  private static Dataset<Row> maskFrame(List<MaskRecord> masks) {
    return spark.createDataFrame(
        masks.stream().map(SparkSchemas::maskRow).toList(), SparkSchemas.masks());
  }

  private static Row row(Object... values) {
    return RowFactory.create(values);
  }

  private static StructType idSchema() {
    return DataTypes.createStructType(
        List.of(DataTypes.createStructField("image_id", DataTypes.StringType, false)));
  }

  private static Snapshot snapshot(long number, String run, long imagesVersion, long masks) {
    return new Snapshot(
        number,
        run,
        "2026-01-01T00:00:0" + number + "Z",
        imagesVersion,
        masks,
        List.of(
            new Snapshot.Generator(OLD, "tiny-sam", null, Map.of(), "run-1", "run-1"),
            new Snapshot.Generator(NEW, "tiny-sam", null, Map.of(), "run-1", run)));
  }

  private static String sha(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
