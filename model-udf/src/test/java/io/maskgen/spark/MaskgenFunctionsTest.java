package io.maskgen.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.maskgen.schema.MaskRecord;
import io.maskgen.schema.rle.Rle;
import io.maskgen.schema.rle.RleOps;
import io.maskgen.synth.SyntheticScenes.GroundTruth;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQL functions in a real local Spark session, on masks read back from Parquet. */
class MaskgenFunctionsTest {

  private static final Path SHARED =
      Path.of(System.getProperty("maskgen.shared.dir", "../../shared"));

  @TempDir static Path tmp;

  private static SparkSession spark;
  private static SceneDataset data;

  @BeforeAll
  static void startSpark() {
    spark = TestSpark.start();
    MaskgenFunctions.register(spark);
    data = new SceneDataset(3);
    Path dir = data.writeMasks(spark, tmp.resolve("masks"));
    spark.read().parquet(dir.toString()).createOrReplaceTempView("masks");
  }

  @AfterAll
  static void stopSpark() {
    TestSpark.stop(spark);
  }

  @Test
  void areaAndBboxMatchTheRecordsAndTheGroundTruthOnEveryRow() {
    List<Row> rows =
        spark
            .sql(
                "SELECT image_id, mask_id, rle_area(rle, height, width), area,"
                    + " rle_bbox(rle, height, width), bbox FROM masks")
            .collectAsList();
    assertThat(rows).hasSize(data.masks.size());
    for (Row r : rows) {
      int scene = Integer.parseInt(r.getString(0).substring("scene_".length()));
      GroundTruth truth = data.scenes.get(scene).objects().get(r.getInt(1));
      assertThat(r.getLong(2)).isEqualTo(r.getLong(3)).isEqualTo(truth.area());
      assertThat(r.<Double>getList(4)).isEqualTo(r.<Double>getList(5));
      Rle rle = Rle.encodeRowMajor(truth.mask(), SceneDataset.HEIGHT, SceneDataset.WIDTH);
      assertThat(r.<Double>getList(4)).containsExactly(box(rle.bboxXywh()));
    }
  }

  @Test
  void pairwiseFunctionsMatchRleOpsForEveryPairOfAnImage() {
    List<Row> rows =
        spark
            .sql(
                "SELECT a.image_id, a.mask_id, b.mask_id,"
                    + " rle_iou(a.rle, b.rle, a.height, a.width),"
                    + " rle_union(a.rle, b.rle, a.height, a.width),"
                    + " rle_intersection(a.rle, b.rle, a.height, a.width)"
                    + " FROM masks a JOIN masks b ON a.image_id = b.image_id")
            .collectAsList();
    int expectedPairs = 0;
    for (var scene : data.scenes) {
      expectedPairs += scene.objects().size() * scene.objects().size();
    }
    assertThat(rows).hasSize(expectedPairs);
    for (Row r : rows) {
      Rle a = data.mask(r.getString(0), r.getInt(1)).toRle();
      Rle b = data.mask(r.getString(0), r.getInt(2)).toRle();
      assertThat(r.getDouble(3)).isEqualTo(RleOps.iou(a, b));
      assertThat(r.getString(4)).isEqualTo(RleOps.union(a, b).toCocoString());
      assertThat(r.getString(5)).isEqualTo(RleOps.intersection(a, b).toCocoString());
      if (r.getInt(1) == r.getInt(2)) {
        assertThat(r.getDouble(3)).isEqualTo(1.0);
      }
    }
  }

  @Test
  void pngOfEveryMaskDecodesToItsPixels() throws Exception {
    List<Row> rows =
        spark
            .sql("SELECT image_id, mask_id, rle_to_png(rle, height, width) FROM masks")
            .collectAsList();
    for (Row r : rows) {
      int scene = Integer.parseInt(r.getString(0).substring("scene_".length()));
      byte[] truth = data.scenes.get(scene).objects().get(r.getInt(1)).mask();
      BufferedImage png = ImageIO.read(new ByteArrayInputStream((byte[]) r.get(2)));
      assertThat(png.getWidth()).isEqualTo(SceneDataset.WIDTH);
      assertThat(png.getHeight()).isEqualTo(SceneDataset.HEIGHT);
      for (int y = 0; y < png.getHeight(); y++) {
        for (int x = 0; x < png.getWidth(); x++) {
          int gray = png.getRaster().getSample(x, y, 0);
          assertThat(gray != 0).isEqualTo(truth[y * SceneDataset.WIDTH + x] != 0);
        }
      }
    }
  }

  @Test
  void cosineMatchesJavaOnEmbeddingsAndIsNullWithoutOne() {
    MaskRecord query = data.mask("scene_1", 0);
    List<Row> rows =
        spark
            .sql(
                "SELECT m.image_id, m.mask_id, cosine(m.clip_embedding, q.clip_embedding)"
                    + " FROM masks m CROSS JOIN (SELECT clip_embedding FROM masks"
                    + " WHERE image_id = 'scene_1' AND mask_id = 0) q")
            .collectAsList();
    assertThat(rows).hasSize(data.masks.size());
    for (Row r : rows) {
      float[] e = data.mask(r.getString(0), r.getInt(1)).clipEmbedding();
      if (e == null) {
        assertThat(r.isNullAt(2)).isTrue();
      } else {
        assertThat(r.getDouble(2)).isCloseTo(cosine(e, query.clipEmbedding()), within(1e-12));
      }
    }
    Row self =
        spark
            .sql(
                "SELECT cosine(clip_embedding, clip_embedding) FROM masks"
                    + " WHERE image_id = 'scene_1' AND mask_id = 0")
            .first();
    assertThat(self.getDouble(0)).isCloseTo(1.0, within(1e-12));
    Row literals =
        spark
            .sql(
                "SELECT cosine(array(1.0D, 0.0D), array(1.0D, 1.0D)),"
                    + " cosine(array(1, 2, 3), array(-1, -2, -3)),"
                    + " cosine(array(1.0D, 0.0D), array(0.0D, 0.0D)),"
                    + " cosine(CAST(array(3, 4) AS ARRAY<FLOAT>), array(4.0D, 3.0D))")
            .first();
    assertThat(literals.getDouble(0)).isCloseTo(Math.sqrt(0.5), within(1e-15));
    assertThat(literals.getDouble(1)).isCloseTo(-1.0, within(1e-15));
    assertThat(literals.isNullAt(2)).isTrue();
    assertThat(literals.getDouble(3)).isCloseTo(24.0 / 25.0, within(1e-15));
  }

  @Test
  void anyNullArgumentGivesNull() {
    Row r =
        spark
            .sql(
                "SELECT rle_area(NULL, 4, 4), rle_bbox('52203', NULL, 4),"
                    + " rle_iou('52203', CAST(NULL AS STRING), 4, 4),"
                    + " rle_union('52203', '52203', 4, CAST(NULL AS INT)),"
                    + " rle_intersection(NULL, NULL, NULL, NULL), rle_to_png(NULL, 4, 4),"
                    + " cosine(NULL, array(1.0)), cosine(array(1.0), CAST(NULL AS ARRAY<FLOAT>))")
            .first();
    for (int i = 0; i < r.size(); i++) {
      assertThat(r.isNullAt(i)).as("column %s", i).isTrue();
    }
  }

  @Test
  void invalidRleFailsTheQueryNamingTheFunctionAndTheProblem() {
    assertThatThrownBy(() -> spark.sql("SELECT rle_area('52!03', 4, 4)").collectAsList())
        .satisfies(
            e ->
                assertThat(messages(e))
                    .contains(
                        "rle_area: Invalid COCO RLE string: character '!' (0x21) at offset 2 is"
                            + " outside the alphabet '0'..'o'"));
    assertThatThrownBy(() -> spark.sql("SELECT rle_bbox('52203', 5, 4)").collectAsList())
        .satisfies(
            e ->
                assertThat(messages(e))
                    .contains(
                        "rle_bbox: Invalid RLE: 5 counts sum to 16, expected height*width ="
                            + " 5*4 = 20"));
    assertThatThrownBy(
            () ->
                spark.sql("SELECT rle_iou(rle, '52203', height, width) FROM masks").collectAsList())
        .satisfies(e -> assertThat(messages(e)).contains("rle_iou: Invalid RLE:"));
    assertThatThrownBy(() -> spark.sql("SELECT rle_to_png('0', 0, 4)").collectAsList())
        .satisfies(
            e ->
                assertThat(messages(e))
                    .contains("rle_to_png: Invalid RLE size: h=0 must be a positive INT"));
  }

  @Test
  void cosineOfArraysOfDifferentLengthsFails() {
    assertThatThrownBy(
            () -> spark.sql("SELECT cosine(array(1.0), array(1.0, 2.0))").collectAsList())
        .satisfies(
            e ->
                assertThat(messages(e))
                    .contains("cosine: the arrays have different lengths: 1 and 2"));
  }

  @Test
  void wrongArgumentCountOrTypeFailsAtAnalysis() {
    assertThatThrownBy(() -> spark.sql("SELECT rle_area('52203', 4)"))
        .isInstanceOf(AnalysisException.class)
        .hasMessageContaining("WRONG_NUM_ARGS")
        .hasMessageContaining("`rle_area` requires 3 parameters but the actual number is 2");
    assertThatThrownBy(() -> spark.sql("SELECT rle_iou('52203', '52203', '4', 4)"))
        .isInstanceOf(AnalysisException.class)
        .hasMessageContaining("UNEXPECTED_INPUT_TYPE")
        .hasMessageContaining("third (h)")
        .hasMessageContaining("`rle_iou`")
        .hasMessageContaining("\"INT\"");
    assertThatThrownBy(() -> spark.sql("SELECT cosine(array('a'), array(1.0))"))
        .isInstanceOf(AnalysisException.class)
        .hasMessageContaining("UNEXPECTED_INPUT_TYPE");
  }

  @Test
  void acceptsBigintSizes() {
    Row r = spark.sql("SELECT rle_area('52203', CAST(4 AS BIGINT), CAST(4 AS SMALLINT))").first();
    assertThat(r.getLong(0)).isEqualTo(4);
  }

  /** The examples in DESCRIBE FUNCTION (and the README) give the results they show. */
  @Test
  void documentedExamplesGiveTheirResults() {
    Pattern example = Pattern.compile("> (SELECT .*);\\n\\s+(\\S.*)\\n");
    int checked = 0;
    for (SqlFunction f : MaskgenFunctions.functions(null)) {
      Matcher m = example.matcher(f.info().getExamples());
      assertThat(m.find()).as(f.name()).isTrue();
      Row r = spark.sql(m.group(1)).first();
      Object v = r.get(0);
      String shown =
          v instanceof scala.collection.Seq<?> s
              ? "[" + String.join(",", listOf(s)) + "]"
              : String.valueOf(v);
      assertThat(shown).as(m.group(1)).isEqualTo(m.group(2));
      checked++;
    }
    assertThat(checked).isEqualTo(MaskgenFunctions.NAMES.size());
    String described = spark.sql("DESCRIBE FUNCTION EXTENDED rle_iou").collectAsList().toString();
    assertThat(described)
        .contains("Function: rle_iou")
        .contains("Intersection over union of two h x w masks")
        .contains("> SELECT rle_iou('02208', '52203', 4, 4);");
  }

  /** The COCO API's own results (maskApi.c), through SQL on the JSON file. */
  @Test
  void matchesTheCocoApiGoldenVectors() {
    String path = SHARED.resolve("testdata/coco_rle_vectors.jsonl").toAbsolutePath().toString();
    List<Row> rows =
        spark
            .sql(
                "SELECT name, rle_area(string, h, w) = area, rle_bbox(string, h, w) = bbox,"
                    + " abs(rle_iou(string, other_string, h, w) - iou),"
                    + " rle_union(string, other_string, h, w) = union_string,"
                    + " rle_intersection(string, other_string, h, w) = intersection_string"
                    + " FROM json.`"
                    + path
                    + "`")
            .collectAsList();
    assertThat(rows).hasSize(43);
    int pairs = 0;
    for (Row r : rows) {
      assertThat(r.getBoolean(1)).as(r.getString(0)).isTrue();
      assertThat(r.getBoolean(2)).as(r.getString(0)).isTrue();
      if (!r.isNullAt(3)) {
        assertThat(r.getDouble(3)).as(r.getString(0)).isLessThan(1e-9);
        assertThat(r.getBoolean(4)).as(r.getString(0)).isTrue();
        assertThat(r.getBoolean(5)).as(r.getString(0)).isTrue();
        pairs++;
      }
    }
    assertThat(pairs).isEqualTo(34);
  }

  @Test
  void clipTextUsesTheGivenEmbedder() {
    SparkSession session = spark.newSession();
    TextEmbedder embedder =
        text -> {
          float[] v = new float[SceneDataset.EMBEDDING_DIM];
          v[Math.floorMod(text.hashCode(), v.length)] = 1;
          return v;
        };
    MaskgenFunctions.register(session, embedder);
    Row r = session.sql("SELECT clip_text('a dog'), clip_text(NULL)").first();
    float[] expected = embedder.embed("a dog");
    assertThat(r.<Float>getList(0)).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat(r.<Float>getList(0).get(i)).isEqualTo(expected[i]);
    }
    assertThat(r.isNullAt(1)).isTrue();
    data.writeMasks(session, tmp.resolve("masks2"));
    session.read().parquet(tmp.resolve("masks2").toString()).createOrReplaceTempView("m");
    List<Row> ranked =
        session
            .sql(
                "SELECT mask_id, cosine(clip_embedding, clip_text('red')) AS s FROM m"
                    + " WHERE image_id = 'scene_0' AND clip_embedding IS NOT NULL")
            .collectAsList();
    int axis = Math.floorMod("red".hashCode(), SceneDataset.EMBEDDING_DIM);
    for (Row row : ranked) {
      float[] e = data.mask("scene_0", row.getInt(0)).clipEmbedding();
      assertThat(row.getDouble(1)).isCloseTo(e[axis], within(1e-6));
    }
    // The plain session does not have it.
    assertThatThrownBy(() -> spark.sql("SELECT clip_text('a dog')"))
        .isInstanceOf(AnalysisException.class);
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / (Math.sqrt(na) * Math.sqrt(nb));
  }

  private static Double[] box(double[] v) {
    Double[] out = new Double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }

  private static List<String> listOf(scala.collection.Seq<?> s) {
    List<String> out = new ArrayList<>();
    scala.jdk.javaapi.CollectionConverters.asJava(s).forEach(o -> out.add(String.valueOf(o)));
    return out;
  }

  /** All messages of an exception and its causes, joined. */
  static String messages(Throwable e) {
    StringBuilder sb = new StringBuilder();
    Map<Throwable, Boolean> seen = new HashMap<>();
    for (Throwable t = e; t != null && seen.put(t, true) == null; t = t.getCause()) {
      sb.append(t.getMessage()).append('\n');
    }
    return sb.toString();
  }
}
