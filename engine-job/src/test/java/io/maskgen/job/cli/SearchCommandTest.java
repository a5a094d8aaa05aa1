package io.maskgen.job.cli;

import static io.maskgen.job.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskgen.image.RgbImage;
import io.maskgen.job.TestSessions;
import io.maskgen.model.djl.DeviceChoice;
import io.maskgen.schema.MaskRecord;
import io.maskgen.spark.ExecutorPipelines;
import io.maskgen.synth.SyntheticScenes.Colour;
import io.maskgen.synth.SyntheticScenes.GroundTruth;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code maskgen search} and {@code sql} with {@code clip_text}, through the real command line, on
 * synthetic scenes whose masks carry real tiny-clip embeddings ({@link SearchDataset}); results are
 * checked against the scenes' ground truth (the colour of each object).
 */
class SearchCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SCENES = 8;

  @TempDir static Path tmp;

  private static SparkSession spark;
  private static SearchDataset data;
  private static String dir;
  private static String noClipDir;

  @BeforeAll
  static void setUp() throws Exception {
    spark =
        TestSessions.local();
    data = new SearchDataset(spark, tmp.resolve("dataset"), SCENES, true);
    dir = data.root.toString();
    noClipDir = new SearchDataset(spark, tmp.resolve("no-clip"), 2, false).root.toString();
  }

  @AfterAll
  static void tearDown() {
    TestSessions.stop(spark);
  }

  /** A search's hits from {@code --format json}. */
  private static List<JsonNode> hits(String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of("search", "--dataset", dir, "--format", "json"));
    all.addAll(List.of(args));
    CliRun r = run(all.toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isZero();
    List<JsonNode> hits = new ArrayList<>();
    for (String line : r.out().lines().toList()) {
      hits.add(JSON.readTree(line));
    }
    return hits;
  }

  private static GroundTruth object(JsonNode hit) {
    return data.object(hit.get("image_id").asText(), hit.get("mask_id").asInt());
  }

  /** Mean RGB of the image's pixels under the object's mask. */
  private static double[] meanColour(RgbImage image, byte[] mask) {
    double[] sum = new double[3];
    long n = 0;
    for (int p = 0; p < mask.length; p++) {
      if (mask[p] != 0) {
        for (int c = 0; c < 3; c++) {
          sum[c] += image.rgb()[3 * p + c] & 0xFF;
        }
        n++;
      }
    }
    return new double[] {sum[0] / n, sum[1] / n, sum[2] / n};
  }

  private static List<String> objectsOfColour(Colour colour) {
    List<String> keys = new ArrayList<>();
    data.scenes.forEach(
        (id, scene) -> {
          for (int i = 0; i < scene.objects().size(); i++) {
            if (scene.objects().get(i).colour() == colour) {
              keys.add(id + "#" + i);
            }
          }
        });
    return keys;
  }

  @Test
  void searchRedRanksTheRedObjectsFirst() throws Exception {
    List<String> red = objectsOfColour(Colour.RED);
    assertThat(red).as("the fixture has red objects in several scenes").hasSizeGreaterThan(1);
    List<JsonNode> hits = hits("--text", "red", "--top", Integer.toString(red.size() + 2));
    assertThat(hits).hasSize(red.size() + 2);
    Set<String> topKeys = new HashSet<>();
    for (JsonNode h : hits.subList(0, red.size())) {
      String id = h.get("image_id").asText();
      GroundTruth o = object(h);
      // The found mask covers red pixels of its image, and it is the scene's red object.
      double[] mean = meanColour(data.picture(id), o.mask());
      assertThat(mean[0]).as("red of %s", h).isCloseTo(Colour.RED.r, within(1.0));
      assertThat(mean[1]).isCloseTo(Colour.RED.g, within(1.0));
      assertThat(mean[2]).isCloseTo(Colour.RED.b, within(1.0));
      assertThat(o.colour()).isEqualTo(Colour.RED);
      topKeys.add(id + "#" + h.get("mask_id").asInt());
    }
    assertThat(topKeys).containsExactlyInAnyOrderElementsOf(red);
    for (JsonNode h : hits.subList(red.size(), hits.size())) {
      assertThat(object(h).colour()).isNotEqualTo(Colour.RED);
      assertThat(h.get("score").asDouble()).isLessThan(hits.get(0).get("score").asDouble());
    }
    for (int i = 1; i < hits.size(); i++) {
      assertThat(hits.get(i).get("score").asDouble())
          .isLessThanOrEqualTo(hits.get(i - 1).get("score").asDouble());
    }
  }

  @Test
  void searchPrintsATableOfTenByDefaultWithTheMasksBoxes() {
    CliRun r = run("search", "--dataset", dir, "--text", "a blue thing");
    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0).split("\\|"))
        .extracting(String::strip)
        .containsExactly("image_id", "mask_id", "score", "bbox");
    assertThat(lines).hasSize(2 + 10 + 1);
    assertThat(lines.get(12)).isEqualTo("(10 rows)");
    String[] first = lines.get(2).split("\\|");
    MaskRecord m =
        data.masksByImage.get(first[0].strip()).get(Integer.parseInt(first[1].strip()));
    assertThat(data.object(m.imageId(), m.maskId()).colour()).isEqualTo(Colour.BLUE);
    assertThat(first[3].strip())
        .isEqualTo(
            "["
                + m.bbox()[0]
                + ", "
                + m.bbox()[1]
                + ", "
                + m.bbox()[2]
                + ", "
                + m.bbox()[3]
                + "]");
  }

  @Test
  void searchWithinOneImageAndTopK() throws Exception {
    String image = null;
    for (var e : data.scenes.entrySet()) {
      if (e.getValue().objects().stream().anyMatch(o -> o.colour() == Colour.GREEN)) {
        image = e.getKey();
      }
    }
    assertThat(image).isNotNull();
    List<JsonNode> hits = hits("--text", "green", "--image", image, "--top", "2");
    assertThat(hits).hasSize(2);
    assertThat(hits).allSatisfy(h -> assertThat(h.get("image_id").asText()).isNotNull());
    for (JsonNode h : hits) {
      assertThat(h.get("image_id").asText()).isEqualTo(image);
    }
    assertThat(object(hits.get(0)).colour()).isEqualTo(Colour.GREEN);
    MaskRecord m = data.masksByImage.get(image).get(hits.get(0).get("mask_id").asInt());
    assertThat(JSON.treeToValue(hits.get(0).get("bbox"), double[].class))
        .containsExactly(m.bbox());
    // --top larger than the image's masks: all of them, no more.
    assertThat(hits("--text", "green", "--image", image, "--top", "100"))
        .hasSize(data.masksByImage.get(image).size());
  }

  @Test
  void minScoreKeepsExactlyTheMasksAtOrAboveIt() throws Exception {
    List<JsonNode> all = hits("--text", "yellow", "--top", "1000");
    int total = data.masksByImage.values().stream().mapToInt(List::size).sum();
    assertThat(all).hasSize(total);
    // A threshold between the 3rd and 4th best scores (they differ for this fixture).
    double third = all.get(2).get("score").asDouble();
    double fourth = all.get(3).get("score").asDouble();
    assertThat(third).isGreaterThan(fourth);
    double t = (third + fourth) / 2;
    List<JsonNode> kept = hits("--text", "yellow", "--top", "1000", "--min-score", "" + t);
    assertThat(kept).hasSize(3);
    assertThat(kept).isEqualTo(all.subList(0, 3));
    assertThat(hits("--text", "yellow", "--min-score", "1")).isEmpty();
  }

  @Test
  void renderDrawsTheFoundMaskOverItsImage() throws Exception {
    String image = "scene_0";
    Path out = tmp.resolve("render/one.png");
    CliRun r =
        run(
            "search", "--dataset", dir, "--text", "red", "--image", image, "--top", "1",
            "--render", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("Wrote " + out);
    BufferedImage png = ImageIO.read(out.toFile());
    assertThat(png.getWidth()).isEqualTo(SearchDataset.W);
    assertThat(png.getHeight()).isEqualTo(SearchDataset.H);
    String[] row = r.out().lines().toList().get(2).split("\\|");
    byte[] mask = data.object(image, Integer.parseInt(row[1].strip())).mask();
    RgbImage plain = data.picture(image);
    int changedInside = 0;
    for (int y = 0; y < SearchDataset.H; y++) {
      for (int x = 0; x < SearchDataset.W; x++) {
        int p = y * SearchDataset.W + x;
        int rgb = png.getRGB(x, y) & 0xFFFFFF;
        int orig =
            (plain.rgb()[3 * p] & 0xFF) << 16
                | (plain.rgb()[3 * p + 1] & 0xFF) << 8
                | (plain.rgb()[3 * p + 2] & 0xFF);
        if (mask[p] == 0) {
          assertThat(rgb).as("pixel %d,%d outside the mask", x, y).isEqualTo(orig);
        } else if (rgb != orig) {
          changedInside++;
        }
      }
    }
    long area = 0;
    for (byte b : mask) {
      area += b;
    }
    assertThat(changedInside).isEqualTo((int) area);
  }

  @Test
  void renderWritesOneFilePerImageWhenHitsSpanSeveral() throws Exception {
    Path out = tmp.resolve("render/many.png");
    List<String> red = objectsOfColour(Colour.RED);
    CliRun r =
        run(
            "search", "--dataset", dir, "--text", "red", "--top", Integer.toString(red.size()),
            "--render", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    List<String> images = new ArrayList<>();
    for (String key : red) {
      String id = key.substring(0, key.indexOf('#'));
      if (!images.contains(id)) {
        images.add(id);
      }
    }
    assertThat(Files.exists(out)).isFalse();
    try (var files = Files.list(out.getParent())) {
      assertThat(files.filter(f -> f.getFileName().toString().startsWith("many-")).count())
          .isEqualTo(images.size());
    }
    // Rank 1 is the image of the best hit.
    String best = r.out().lines().toList().get(2).split("\\|")[0].strip();
    Path first = out.resolveSibling("many-1-" + best + ".png");
    assertThat(r.out()).contains("Wrote " + first);
    BufferedImage png = ImageIO.read(first.toFile());
    assertThat(png.getWidth()).isEqualTo(SearchDataset.W);
    assertThat(png.getHeight()).isEqualTo(SearchDataset.H);
    assertThat(TestDataset.png(data.picture(best))).isNotEqualTo(Files.readAllBytes(first));
  }

  @Test
  void searchErrorsAreOneClearLine() {
    CliRun unknown = run("search", "--dataset", dir, "--text", "red", "--image", "nope");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err().strip())
        .isEqualTo("maskgen: Invalid --image: no image 'nope' in " + dir + "/images");

    CliRun noClip = run("search", "--dataset", noClipDir, "--text", "red");
    assertThat(noClip.code()).isEqualTo(2);
    assertThat(noClip.err())
        .contains("No CLIP model for " + noClipDir)
        .contains("--clip none")
        .contains("--clip-model");

    CliRun noEmbeddings =
        run("search", "--dataset", noClipDir, "--text", "red", "--clip-model", "tiny-clip");
    assertThat(noEmbeddings.code()).isEqualTo(2);
    assertThat(noEmbeddings.err())
        .contains("No CLIP embeddings in " + noClipDir + "/masks")
        .contains("clip_embedding is null");

    CliRun badModel =
        run("search", "--dataset", dir, "--text", "red", "--clip-model", tmp + "/no-model");
    assertThat(badModel.code()).isEqualTo(2);
    assertThat(badModel.err()).contains("Invalid --clip-model").contains("no-model");

    CliRun top = run("search", "--dataset", dir, "--text", "red", "--top", "0");
    assertThat(top.code()).isEqualTo(2);
    assertThat(top.err()).contains("Invalid --top: 0");

    CliRun score = run("search", "--dataset", dir, "--text", "red", "--min-score", "2");
    assertThat(score.code()).isEqualTo(2);
    assertThat(score.err()).contains("Invalid --min-score: 2.0");

    CliRun missing = run("search", "--dataset", dir);
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("--text");
  }

  @Test
  void helpDocumentsEveryOption() {
    CliRun r = run("search", "--help");
    assertThat(r.code()).isZero();
    for (String option :
        List.of(
            "--dataset", "--text", "--top", "--image", "--min-score", "--format", "--render",
            "--clip-model", "--master", "--conf", "--verbose")) {
      assertThat(r.out()).contains(option);
    }
    assertThat(run("--help").out()).contains("search");
  }

  // ---- sql with clip_text ----

  @Test
  void sqlClipTextIsTheModelsUnitLengthTextEmbedding() throws Exception {
    CliRun r =
        run(
            "sql", "--dataset", dir, "--format", "json",
            "SELECT clip_text('red') AS e, aggregate(clip_text('red'), 0D, (a, x) -> a + x * x)"
                + " AS norm2");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode row = JSON.readTree(r.out().lines().findFirst().orElseThrow());
    assertThat(row.get("norm2").asDouble()).isCloseTo(1.0, within(1e-5));
    float[] expected =
        ExecutorPipelines.clip(SearchDataset.CLIP, DeviceChoice.CPU).embedText("red");
    assertThat(JSON.treeToValue(row.get("e"), float[].class)).containsExactly(expected);
  }

  @Test
  void sqlCosineWithClipTextAgreesWithSearch() throws Exception {
    CliRun r =
        run(
            "sql", "--dataset", dir, "--format", "json",
            "SELECT image_id, mask_id, cosine(clip_embedding, clip_text('red')) AS score"
                + " FROM masks ORDER BY score DESC, image_id, mask_id LIMIT 5");
    assertThat(r.code()).as(r.err()).isZero();
    List<JsonNode> sql = new ArrayList<>();
    for (String line : r.out().lines().toList()) {
      sql.add(JSON.readTree(line));
    }
    List<JsonNode> search = hits("--text", "red", "--top", "5");
    assertThat(sql).hasSize(5);
    for (int i = 0; i < 5; i++) {
      assertThat(sql.get(i).get("image_id")).isEqualTo(search.get(i).get("image_id"));
      assertThat(sql.get(i).get("mask_id")).isEqualTo(search.get(i).get("mask_id"));
      assertThat(sql.get(i).get("score").asDouble())
          .isCloseTo(search.get(i).get("score").asDouble(), within(1e-6));
    }
    assertThat(object(sql.get(0)).colour()).isEqualTo(Colour.RED);
  }

  @Test
  void sqlClipTextWithoutAModelFailsClearlyButOtherQueriesRun() {
    CliRun r = run("sql", "--dataset", noClipDir, "SELECT clip_text('red')");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("clip_text").contains("No CLIP model for " + noClipDir);
    CliRun plain = run("sql", "--dataset", noClipDir, "SELECT count(*) AS n FROM masks");
    assertThat(plain.code()).as(plain.err()).isZero();
    CliRun override =
        run(
            "sql", "--dataset", noClipDir, "--clip-model", "tiny-clip", "--format", "csv",
            "SELECT size(clip_text('red')) AS d");
    assertThat(override.code()).as(override.err()).isZero();
    int dim = ExecutorPipelines.clip("tiny-clip", DeviceChoice.CPU).embedText("red").length;
    assertThat(override.out()).isEqualTo("d\r\n" + dim + "\r\n");
  }
}
