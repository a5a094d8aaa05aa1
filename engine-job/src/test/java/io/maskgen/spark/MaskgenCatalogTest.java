package io.maskgen.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskgen.job.TestSessions;
import io.maskgen.job.cli.CliRun;
import io.maskgen.job.query.RefreshedDataset;
import io.maskgen.job.table.DeltaSessions;
import io.maskgen.schema.DatasetColumns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MaskgenCatalog} in a local Spark session configured the way the docs say (Delta and
 * {@link MaskgenSparkExtensions} in {@code spark.sql.extensions}, which registers the catalog, and
 * a root), over {@link RefreshedDataset}: a refresh that replaced the rows of image {@code a}, and
 * a run that committed image {@code c} but never published.
 */
class MaskgenCatalogTest {

  private static final String OLD = RefreshedDataset.OLD;
  private static final String NEW = RefreshedDataset.NEW;

  @TempDir static Path tmp;

  private static SparkSession spark;
  private static Path datasets;
  private static Path sa1b;

  @BeforeAll
  static void setUp() throws Exception {
    datasets = tmp.resolve("datasets");
    sa1b = datasets.resolve("sa1b_v1");
    Files.createDirectories(datasets.resolve("notes"));
    spark =
        TestSessions.builder()
            .config(
                DeltaSessions.EXTENSIONS_KEY,
                DeltaSessions.EXTENSION + "," + MaskgenSparkExtensions.class.getName())
            .config("spark.sql.catalog.maskgen.root", datasets.toString())
            .getOrCreate();
    RefreshedDataset.write(spark, sa1b);
  }

  @AfterAll
  static void tearDown() {
    TestSessions.stop(spark);
  }

  @Test
  void groupByOverAPathSeesOnlyThePublishedRowsOfTheNewestGenerator() {
    List<String> rows =
        strings(
            "SELECT image_id, count(*), concat_ws(',', sort_array(collect_set(run_id)))"
                + " FROM maskgen.`"
                + sa1b
                + "`.masks GROUP BY image_id ORDER BY image_id");
    // a: the refresh's 3 masks, not the 2 it replaced; c: committed, never published.
    assertThat(rows).containsExactly("a 3 run-2", "b 1 run-1");
    assertThat(strings("SELECT DISTINCT generator FROM maskgen.sa1b_v1.masks"))
        .containsExactly(NEW);
  }

  @Test
  void aDatasetUnderTheRootByName() {
    assertThat(strings("SELECT image_id, sha256, mask_count FROM maskgen.sa1b_v1.images"))
        .containsExactlyInAnyOrder(
            "a " + RefreshedDataset.sha("a v2") + " 3",
            "b " + RefreshedDataset.sha("b v1") + " 1");
    List<String> joined =
        strings(
            "SELECT i.image_id, i.mask_count, count(m.mask_id) FROM maskgen.sa1b_v1.images i"
                + " LEFT JOIN maskgen.sa1b_v1.masks m ON m.image_id = i.image_id"
                + " GROUP BY i.image_id, i.mask_count ORDER BY i.image_id");
    assertThat(joined).containsExactly("a 3 3", "b 1 1");
  }

  @Test
  void filtersAndColumnPruningKeepTheSnapshot() {
    assertThat(
            strings(
                "SELECT mask_id FROM maskgen.sa1b_v1.masks"
                    + " WHERE image_id IN ('a', 'c') AND mask_id >= 1 ORDER BY mask_id"))
        .containsExactly("1", "2");
    assertThat(strings("SELECT count(*) FROM maskgen.sa1b_v1.masks WHERE image_id = 'c'"))
        .containsExactly("0");
  }

  @Test
  void versionAsOfReadsAPublishedSnapshot() {
    assertThat(
            strings(
                "SELECT image_id, mask_id, run_id FROM maskgen.sa1b_v1.masks VERSION AS OF 1"
                    + " ORDER BY image_id, mask_id"))
        .containsExactly("a 0 run-1", "a 1 run-1", "b 0 run-1");
    assertThat(
            strings(
                "SELECT image_id, sha256 FROM maskgen.sa1b_v1.images VERSION AS OF 1"
                    + " WHERE image_id = 'a'"))
        .containsExactly("a " + RefreshedDataset.sha("a v1"));
    assertThat(strings("SELECT count(*) FROM maskgen.sa1b_v1.masks VERSION AS OF 2"))
        .containsExactly("4");
  }

  @Test
  void timestampAsOfReadsTheSnapshotPublishedThen() {
    spark.conf().set("spark.sql.session.timeZone", "UTC");
    assertThat(
            strings(
                "SELECT count(*) FROM maskgen.sa1b_v1.masks"
                    + " TIMESTAMP AS OF '2026-01-01 00:00:01.500'"))
        .containsExactly("3");
    assertThat(
            strings(
                "SELECT count(*) FROM maskgen.sa1b_v1.masks"
                    + " TIMESTAMP AS OF '2026-01-01 00:00:02'"))
        .containsExactly("4");
    assertThatThrownBy(
            () ->
                spark.sql(
                    "SELECT * FROM maskgen.sa1b_v1.masks TIMESTAMP AS OF '2025-12-31 00:00:00'"))
        .hasMessageContaining("No snapshot of " + sa1b)
        .hasMessageContaining("was published at or before 2025-12-31T00:00:00Z")
        .hasMessageContaining("the first (1) was published at " + RefreshedDataset.PUBLISHED_1);
  }

  @Test
  void tablesOfAnotherGenerator() {
    assertThat(
            strings(
                "SELECT image_id, mask_id, generator FROM maskgen.sa1b_v1.`masks@"
                    + OLD
                    + "` ORDER BY image_id, mask_id"))
        .containsExactly("a 0 " + OLD, "a 1 " + OLD, "b 0 " + OLD);
    // The hash after the name's last ':' is enough.
    assertThat(
            strings(
                "SELECT generator, count(*) FROM maskgen.sa1b_v1.`images@old`"
                    + " GROUP BY generator"))
        .containsExactly(OLD + " 2");
  }

  @Test
  void showTablesAndNamespaces() {
    assertThat(strings("SHOW TABLES IN maskgen.sa1b_v1"))
        .containsExactly(
            "sa1b_v1 images false",
            "sa1b_v1 masks false",
            "sa1b_v1 images@" + OLD + " false",
            "sa1b_v1 images@" + NEW + " false",
            "sa1b_v1 masks@" + OLD + " false",
            "sa1b_v1 masks@" + NEW + " false");
    // notes/ is a folder, not a dataset.
    assertThat(strings("SHOW NAMESPACES IN maskgen")).containsExactly("sa1b_v1");
  }

  @Test
  void describeShowsTheColumnComments() {
    List<String> described = new ArrayList<>();
    for (Row r : spark.sql("DESCRIBE maskgen.sa1b_v1.masks").collectAsList()) {
      described.add(r.getString(0) + " | " + r.getString(1) + " | " + r.getString(2));
    }
    assertThat(described)
        .startsWith(
            "image_id | string | " + DatasetColumns.MASKS_COMMENTS.get("image_id"),
            "mask_id | int | " + DatasetColumns.MASKS_COMMENTS.get("mask_id"))
        .contains(
            "rle | string | " + DatasetColumns.MASKS_COMMENTS.get("rle"),
            "clip_embedding | array<float> | "
                + DatasetColumns.MASKS_COMMENTS.get("clip_embedding"))
        .hasSize(DatasetColumns.MASKS_COLUMNS.size());
    assertThat(strings("DESCRIBE TABLE EXTENDED maskgen.sa1b_v1.images"))
        .anySatisfy(r -> assertThat(r).contains("maskgen.snapshot=2"))
        .anySatisfy(r -> assertThat(r).contains("maskgen.generator=" + NEW));
  }

  @Test
  void maskgenSqlReadsTheDatasetThroughTheCatalog() {
    CliRun r =
        CliRun.run(
            "sql",
            "--dataset",
            sa1b.toString(),
            "--format",
            "csv",
            "SELECT i.image_id, count(m.mask_id) AS n FROM images i JOIN masks m"
                + " USING (image_id) GROUP BY i.image_id ORDER BY i.image_id");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines()).containsExactly("image_id,n", "a,3", "b,1");

    r =
        CliRun.run(
            "sql",
            "--dataset",
            sa1b.toString(),
            "--generator",
            OLD,
            "--format",
            "csv",
            "SELECT count(*) AS n, min(generator) AS g FROM masks");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines()).containsExactly("n,g", "3," + OLD);

    r = CliRun.run("sql", "--dataset", sa1b.toString(), "--generator", "nope", "SELECT 1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown --generator 'nope'");
  }

  @Test
  void errorsNameWhatWasAskedAndWhatExists() {
    assertThatThrownBy(() -> spark.sql("SELECT * FROM maskgen.sa1b_v2.masks"))
        .hasMessageContaining("Unknown maskgen dataset 'sa1b_v2'")
        .hasMessageContaining("does not exist; datasets under")
        .hasMessageEndingWith(": sa1b_v1");
    assertThatThrownBy(() -> spark.sql("SELECT * FROM maskgen.notes.masks"))
        .hasMessageContaining("Not a maskgen dataset: ")
        .hasMessageContaining("notes has no images/ folder")
        .hasMessageEndingWith(": sa1b_v1");
    Path missing = tmp.resolve("nowhere");
    assertThatThrownBy(() -> spark.sql("SELECT * FROM maskgen.`" + missing + "`.masks"))
        .hasMessageContaining("Not a maskgen dataset: " + missing + " is not a folder");
    assertThatThrownBy(() -> spark.sql("SELECT * FROM maskgen.sa1b_v1.masks VERSION AS OF 9"))
        .hasMessageContaining("Unknown snapshot 9 of ")
        .hasMessageEndingWith("; it has 1, 2 (the newest is 2)");
    assertThatThrownBy(() -> spark.sql("SELECT * FROM maskgen.sa1b_v1.`masks@nope`"))
        .hasMessageContaining("Unknown generator 'nope' in maskgen dataset")
        .hasMessageEndingWith("it has " + OLD + ", " + NEW + " (the last is the default)");
    assertThatThrownBy(() -> spark.sql("SELECT * FROM maskgen.sa1b_v1.mask"))
        .hasMessageContaining("Unknown table 'mask' in maskgen dataset")
        .hasMessageContaining("it has images, masks, images@" + OLD);
  }

  @Test
  void theCatalogIsReadOnly() {
    assertThatThrownBy(() -> spark.sql("DROP TABLE maskgen.sa1b_v1.masks"))
        .hasMessageContaining("The maskgen catalog maskgen is read-only: cannot drop");
    assertThatThrownBy(
            () ->
                spark.sql(
                    "INSERT INTO maskgen.sa1b_v1.images SELECT * FROM maskgen.sa1b_v1.images"))
        .isNotNull();
    assertThat(strings("SELECT count(*) FROM maskgen.sa1b_v1.images")).containsExactly("2");
  }

  /** The rows of {@code sql}, each as its values joined by spaces. */
  private static List<String> strings(String sql) {
    List<String> out = new ArrayList<>();
    for (Row r : spark.sql(sql).collectAsList()) {
      List<String> values = new ArrayList<>();
      for (int i = 0; i < r.length(); i++) {
        values.add(String.valueOf(r.get(i)));
      }
      out.add(String.join(" ", values));
    }
    return out;
  }
}
