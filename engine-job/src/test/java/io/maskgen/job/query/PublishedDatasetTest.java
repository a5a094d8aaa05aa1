package io.maskgen.job.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskgen.job.TestSessions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PublishedDataset}, the Java way to read a dataset from a Spark application, on {@link
 * RefreshedDataset}: a first run (generators {@code old} and {@code new}), a refresh that replaced
 * the rows of one image, then a run that committed rows but never published.
 */
class PublishedDatasetTest {

  private static final String OLD = RefreshedDataset.OLD;
  private static final String NEW = RefreshedDataset.NEW;

  @TempDir static Path tmp;

  private static SparkSession spark;
  private static Path root;

  @BeforeAll
  static void setUp() {
    spark = TestSessions.local();
    root = tmp.resolve("out");
    RefreshedDataset.write(spark, root);
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
        .containsExactlyInAnyOrder("a " + RefreshedDataset.sha("a v2"), "b " + RefreshedDataset.sha("b v1"));
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
}
