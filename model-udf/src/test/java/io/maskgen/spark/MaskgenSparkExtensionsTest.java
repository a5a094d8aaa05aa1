package io.maskgen.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskgen.schema.MaskRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The functions in a session configured only with {@code spark.sql.extensions}. */
class MaskgenSparkExtensionsTest {

  @TempDir static Path tmp;

  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark =
        TestSpark.builder()
            .config("spark.sql.extensions", MaskgenSparkExtensions.class.getName())
            .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    TestSpark.stop(spark);
  }

  @Test
  void everySessionOfTheApplicationHasTheFunctions() {
    for (SparkSession s : List.of(spark, spark.newSession())) {
      List<String> listed = new ArrayList<>();
      for (Row r : s.sql("SHOW FUNCTIONS").collectAsList()) {
        listed.add(r.getString(0));
      }
      assertThat(listed).containsAll(MaskgenFunctions.NAMES).doesNotContain("clip_text");
      Row r = s.sql("SELECT rle_area('52203', 4, 4), rle_iou('02208', '52203', 4, 4)").first();
      assertThat(r.getLong(0)).isEqualTo(4);
      assertThat(r.getDouble(1)).isEqualTo(1.0 / 7);
    }
  }

  @Test
  void functionsRunOnParquetRowsOnExecutors() {
    SceneDataset data = new SceneDataset(2);
    Path dir = data.writeMasks(spark, tmp.resolve("masks"));
    List<Row> rows =
        spark
            .read()
            .parquet(dir.toString())
            .selectExpr(
                "image_id",
                "mask_id",
                "rle_area(rle, height, width) AS a",
                "rle_bbox(rle, height, width) AS b")
            .collectAsList();
    assertThat(rows).hasSize(data.masks.size());
    for (Row r : rows) {
      MaskRecord m = data.mask(r.getString(0), r.getInt(1));
      assertThat(r.getLong(2)).isEqualTo(m.area());
      assertThat(r.<Double>getList(3))
          .containsExactly(m.bbox()[0], m.bbox()[1], m.bbox()[2], m.bbox()[3]);
    }
  }
}
