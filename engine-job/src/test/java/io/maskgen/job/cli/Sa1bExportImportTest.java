package io.maskgen.job.cli;

import static io.maskgen.job.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskgen.image.ImageDecoder;
import io.maskgen.image.RgbImage;
import io.maskgen.job.TestSessions;
import io.maskgen.job.table.DatasetStore;
import io.maskgen.job.table.DeltaTables;
import io.maskgen.job.table.Snapshot;
import io.maskgen.schema.ImageRecord;
import io.maskgen.schema.MaskRecord;
import io.maskgen.schema.rle.Rle;
import io.maskgen.spark.SparkSchemas;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code maskgen export} and {@code maskgen import-sa1b} through the real command line, on the
 * Parquet dataset of {@link TestDataset}, in one shared local Spark session (the commands reuse
 * it).
 */
class Sa1bExportImportTest {

  private static final Path SHARED =
      Path.of(System.getProperty("maskgen.shared.dir", "../../shared"));
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The columns SA-1B carries (mask_id as the annotation order); the rest it has no field for. */
  private static final String[] SA1B_MASK_COLUMNS = {
    "image_id", "mask_id", "height", "width", "rle", "bbox", "area", "predicted_iou",
    "stability_score", "point_coords", "crop_box"
  };

  private static final List<String> OK_IMAGES =
      List.of("scene_0", "scene_1", "shard/scene_2", "photos/dog");

  @TempDir static Path tmp;

  private static SparkSession spark;
  private static TestDataset data;
  private static Path exported;
  private static CliRun export;

  @BeforeAll
  static void setUp() throws Exception {
    spark =
        TestSessions.local();
    data = new TestDataset(spark, tmp.resolve("dataset"), SHARED);
    exported = tmp.resolve("export");
    export = run("export", "--dataset", data.root.toString(), "--output", exported.toString());
  }

  @AfterAll
  static void tearDown() {
    TestSessions.stop(spark);
  }

  // ---- export ----

  @Test
  void exportWritesOneJsonPerOkImageMirroringTheIdFoldersAndSkipsFailedOnes() throws Exception {
    assertThat(export.code()).as(export.err()).isZero();
    assertThat(export.out())
        .startsWith("maskgen: export done in ")
        .contains(": 4 images, " + data.maskCount() + " masks written as SA-1B JSON;")
        .contains("3 failed images skipped -> " + exported);
    assertThat(jsonFiles(exported))
        .containsExactlyInAnyOrder(
            "scene_0.json", "scene_1.json", "shard/scene_2.json", "photos/dog.json");
  }

  @Test
  void exportedJsonMatchesTheMasksTableFieldByField() throws Exception {
    Map<String, List<Row>> masks = new HashMap<>();
    for (Row r :
        spark
            .read()
            .parquet(data.root.resolve("masks").toString())
            .orderBy("image_id", "mask_id")
            .collectAsList()) {
      masks.computeIfAbsent(r.getAs("image_id"), k -> new ArrayList<>()).add(r);
    }
    Map<String, Row> images = new HashMap<>();
    for (Row r : spark.read().parquet(data.root.resolve("images").toString()).collectAsList()) {
      images.put(r.getAs("image_id"), r);
    }
    int checked = 0;
    for (String id : OK_IMAGES) {
      JsonNode file = JSON.readTree(exported.resolve(id + ".json").toFile());
      assertThat(file.fieldNames()).toIterable().containsExactly("image", "annotations");
      JsonNode image = file.get("image");
      Row imageRow = images.get(id);
      assertThat(image.get("width").asInt()).isEqualTo((int) imageRow.getAs("width"));
      assertThat(image.get("height").asInt()).isEqualTo((int) imageRow.getAs("height"));
      String source = imageRow.getAs("source");
      assertThat(image.get("file_name").asText())
          .isEqualTo(source.substring(source.lastIndexOf('/') + 1));
      assertThat(image.get("image_id").isIntegralNumber()).isTrue();
      assertThat(image.get("image_id").asLong()).isBetween(0L, 1L << 52);

      JsonNode anns = file.get("annotations");
      List<Row> rows = masks.get(id);
      assertThat(anns.size()).isEqualTo(rows.size()).isPositive();
      for (int i = 0; i < rows.size(); i++) {
        JsonNode a = anns.get(i);
        Row m = rows.get(i);
        assertThat(a.get("id").asInt()).isEqualTo((int) m.getAs("mask_id"));
        int h = m.getAs("height");
        int w = m.getAs("width");
        assertThat(a.get("segmentation").get("size").get(0).asInt()).isEqualTo(h);
        assertThat(a.get("segmentation").get("size").get(1).asInt()).isEqualTo(w);
        String counts = a.get("segmentation").get("counts").asText();
        assertThat(counts).isEqualTo(m.getAs("rle"));
        assertThat(Rle.fromCocoString(counts, h, w).area()).isEqualTo((long) m.getAs("area"));
        assertThat(a.get("area").asLong()).isEqualTo((long) m.getAs("area"));
        assertThat(doubles(a.get("bbox"))).isEqualTo(m.<List<Double>>getList(m.fieldIndex("bbox")));
        // Float scores are written as their exact double value, so parsing gives the float back.
        float iou = m.getAs("predicted_iou");
        float stability = m.getAs("stability_score");
        assertThat(a.get("predicted_iou").isFloatingPointNumber()).isTrue();
        assertThat(a.get("predicted_iou").asDouble()).isEqualTo((double) iou);
        assertThat((float) a.get("predicted_iou").asDouble()).isEqualTo(iou);
        assertThat(a.get("stability_score").asDouble()).isEqualTo((double) stability);
        List<Integer> crop = m.getList(m.fieldIndex("crop_box"));
        assertThat(doubles(a.get("crop_box")))
            .containsExactly(
                (double) crop.get(0), (double) crop.get(1), (double) crop.get(2),
                (double) crop.get(3));
        List<Object> points = m.getList(m.fieldIndex("point_coords"));
        assertThat(a.get("point_coords").size()).isEqualTo(points.size());
        for (int p = 0; p < points.size(); p++) {
          assertThat(doubles(a.get("point_coords").get(p)))
              .isEqualTo(
                  scala.jdk.javaapi.CollectionConverters.asJava(
                      (scala.collection.Seq<?>) points.get(p)));
        }
        assertThat(a.has("clip_embedding")).isFalse();
        checked++;
      }
    }
    assertThat(checked).isEqualTo(data.maskCount());
  }

  @Test
  void exportOfSomeImagesWritesOnlyThoseAndCountsFailedOnes() throws Exception {
    Path out = tmp.resolve("some");
    CliRun r =
        run(
            "export", "--dataset", data.root.toString(), "--output", out.toString(),
            "--image", "shard/scene_2", "--image", "bad/a", "--no-progress");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(": 1 images, " + data.masksByImage.get("shard/scene_2").size() + " masks")
        .contains("1 failed images skipped");
    assertThat(jsonFiles(out)).containsExactly("shard/scene_2.json");

    CliRun unknown =
        run(
            "export", "--dataset", data.root.toString(), "--output", tmp.resolve("none").toString(),
            "--image", "nope");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("Invalid --image: no image nope in ");
    assertThat(tmp.resolve("none")).doesNotExist();
  }

  @Test
  void exportRefusesANonEmptyOutputUnlessOverwriteReplacesAnEarlierExport() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("occupied"));
    Files.writeString(out.resolve("notes.txt"), "mine");
    String[] base = {"export", "--dataset", data.root.toString(), "--output", out.toString()};

    CliRun refused = run(base);
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err())
        .contains("Output " + out + " is not empty")
        .contains("--overwrite");
    CliRun notJson = run(concat(base, "--overwrite"));
    assertThat(notJson.code()).isEqualTo(2);
    assertThat(notJson.err())
        .contains("Refusing to --overwrite " + out)
        .contains("notes.txt, which is not an SA-1B .json file");
    assertThat(out.resolve("notes.txt")).hasContent("mine");

    Files.delete(out.resolve("notes.txt"));
    Files.createDirectories(out.resolve("old"));
    Files.writeString(out.resolve("old/stale.json"), "{}");
    assertThat(run(base).code()).isEqualTo(2);
    assertThat(out.resolve("old/stale.json")).exists();
    CliRun replaced = run(concat(base, "--overwrite", "--no-progress"));
    assertThat(replaced.code()).as(replaced.err()).isZero();
    assertThat(jsonFiles(out))
        .containsExactlyInAnyOrder(
            "scene_0.json", "scene_1.json", "shard/scene_2.json", "photos/dog.json");
  }

  @Test
  void anImageWithoutMasksExportsAsAFileWithEmptyAnnotations() throws Exception {
    // A blank image (no masks at all) beside one with a mask, as a strict threshold leaves them.
    Path root = tmp.resolve("zero-masks");
    ImageRecord blank =
        ImageRecord.ok("blank", "file:/in/blank.png", sha("blank"), 32, 24, 0, "g", "r", 0.1);
    ImageRecord square =
        ImageRecord.ok("sa_7", "file:/in/sa_7.png", sha("sa_7"), 32, 24, 1, "g", "r", 0.1);
    writeDataset(root, List.of(blank, square), List.of(SparkSchemas.maskRow(squareMask())));

    Path out = tmp.resolve("zero-masks-export");
    CliRun r =
        run("export", "--dataset", root.toString(), "--output", out.toString(), "--no-progress");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains(": 2 images, 1 masks written as SA-1B JSON;");
    JsonNode empty = JSON.readTree(out.resolve("blank.json").toFile());
    assertThat(empty.get("annotations").isArray()).isTrue();
    assertThat(empty.get("annotations")).isEmpty();
    assertThat(empty.at("/image/width").asInt()).isEqualTo(32);
    assertThat(empty.at("/image/height").asInt()).isEqualTo(24);
    assertThat(empty.at("/image/file_name").asText()).isEqualTo("blank.png");
    assertThat(JSON.readTree(out.resolve("sa_7.json").toFile()).get("annotations")).hasSize(1);

    // And it comes back as an ok image with no masks.
    Path back = tmp.resolve("zero-masks-import");
    CliRun imported =
        run("import-sa1b", "--input", out.toString(), "--output", back.toString(),
            "--no-progress");
    assertThat(imported.code()).as(imported.err()).isZero();
    Row row =
        spark.read().format("delta").load(back.resolve("images").toString())
            .where("image_id = 'blank'").first();
    assertThat(row.<String>getAs("status")).isEqualTo("ok");
    assertThat(row.<Integer>getAs("mask_count")).isZero();
  }

  @Test
  void anUnexpectedErrorDuringExportNamesTheImage() throws Exception {
    // A masks table written by another tool, with a null crop_box that no maskgen run writes.
    Path root = tmp.resolve("null-crop-box");
    ImageRecord square =
        ImageRecord.ok("odd/sa_9", "file:/in/odd/sa_9.png", sha("sa_9"), 32, 24, 1, "g", "r", 0.1);
    Row mask = SparkSchemas.maskRow(squareMask());
    Object[] values = new Object[mask.length()];
    for (int i = 0; i < values.length; i++) {
      values[i] = mask.get(i);
    }
    values[SparkSchemas.masks().fieldIndex("image_id")] = "odd/sa_9";
    values[SparkSchemas.masks().fieldIndex("crop_box")] = null;
    writeDataset(root, List.of(square), List.of(RowFactory.create(values)));

    CliRun r =
        run("export", "--dataset", root.toString(), "--output",
            tmp.resolve("null-crop-box-export").toString(), "--no-progress");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("maskgen export: export of image_id 'odd/sa_9' (file:/in/odd/sa_9.png): ")
        .contains("crop");
  }

  // ---- import ----

  @Test
  void exportThenImportGivesIdenticalRowsInEveryColumnSa1bCarries() throws Exception {
    Path back = tmp.resolve("reimported");
    CliRun r =
        run(
            "import-sa1b", "--input", exported.toString(), "--output", back.toString(),
            "--run-id", "import-1");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("maskgen: run import-1 done in ")
        .contains(": 4 images processed (4 ok, 0 failed), 0 skipped, " + data.maskCount() + " masks");

    Dataset<Row> before =
        spark.read().parquet(data.root.resolve("masks").toString()).selectExpr(SA1B_MASK_COLUMNS);
    Dataset<Row> after =
        spark.read().parquet(back.resolve("masks").toString()).selectExpr(SA1B_MASK_COLUMNS);
    assertThat(after.count()).isEqualTo(before.count()).isEqualTo(data.maskCount());
    assertThat(before.exceptAll(after).count()).isZero();
    assertThat(after.exceptAll(before).count()).isZero();

    // The columns SA-1B has no field for: documented values.
    List<Row> other =
        spark
            .read()
            .parquet(back.resolve("masks").toString())
            .selectExpr("clip_embedding IS NULL", "generator", "run_id")
            .distinct()
            .collectAsList();
    assertThat(other).hasSize(1);
    assertThat(other.get(0).getBoolean(0)).isTrue();
    assertThat(other.get(0).getString(1)).isEqualTo("sa1b-import");
    assertThat(other.get(0).getString(2)).isEqualTo("import-1");

    String[] imageColumns = {"image_id", "width", "height", "status", "mask_count"};
    Dataset<Row> okBefore =
        spark
            .read()
            .parquet(data.root.resolve("images").toString())
            .where("status = 'ok'")
            .selectExpr(imageColumns);
    Dataset<Row> imagesAfter = spark.read().parquet(back.resolve("images").toString());
    assertThat(okBefore.exceptAll(imagesAfter.selectExpr(imageColumns)).count()).isZero();
    assertThat(imagesAfter.selectExpr(imageColumns).exceptAll(okBefore).count()).isZero();
    // Without the image beside it, source and sha256 are the JSON file's.
    for (Row img : imagesAfter.collectAsList()) {
      Path json = exported.resolve(img.<String>getAs("image_id") + ".json");
      assertThat(img.<String>getAs("source")).isEqualTo(hadoopUri(json));
      assertThat(img.<String>getAs("sha256"))
          .isEqualTo(TestDataset.sha256(Files.readAllBytes(json)));
    }
    assertThat(back.resolve("_runs/import-1.json")).exists();
    JsonNode report = JSON.readTree(back.resolve("_runs/import-1.json").toFile());
    assertThat(report.get("generator").asText()).isEqualTo("sa1b-import");
    assertThat(report.get("masks").asLong()).isEqualTo(data.maskCount());

    // The imported dataset is queried like a generated one.
    CliRun sql =
        run(
            "sql", "--dataset", back.toString(), "--format", "csv",
            "SELECT count(*) AS n, sum(CAST(rle_area(rle, height, width) = area AS INT)) AS same"
                + " FROM masks");
    assertThat(sql.code()).as(sql.err()).isZero();
    assertThat(sql.out()).contains(data.maskCount() + "," + data.maskCount());
    CliRun inspect = run("inspect", "--dataset", back.toString());
    assertThat(inspect.code()).as(inspect.err()).isZero();
    assertThat(inspect.out())
        .contains("images  4 (4 ok, 0 failed)")
        .contains("masks   " + data.maskCount())
        .contains("import-1")
        .contains("sa1b-import");
  }

  @Test
  void importReadsTarShardsPairingImagesWithTheirJson() throws Exception {
    byte[] dogJpg = Files.readAllBytes(SHARED.resolve("testdata/photos/dog.jpg"));
    byte[] dogJson = Files.readAllBytes(exported.resolve("photos/dog.json"));
    byte[] scenePng = Files.readAllBytes(data.root.resolve("input/scene_0.png"));
    byte[] sceneJson = Files.readAllBytes(exported.resolve("scene_0.json"));
    byte[] lonelyJson = Files.readAllBytes(exported.resolve("scene_1.json"));
    Path tar = tmp.resolve("tars/sa_000000.tar");
    Files.createDirectories(tar.getParent());
    try (OutputStream os = Files.newOutputStream(tar);
        TarArchiveOutputStream out = new TarArchiveOutputStream(os)) {
      // The release's order (image, then JSON), the other order, a JSON alone, and a bad one.
      member(out, "sa_1.jpg", dogJpg);
      member(out, "sa_1.json", dogJson);
      member(out, "./sa_2.json", sceneJson);
      member(out, "./sa_2.png", scenePng);
      member(out, "sa_3.json", lonelyJson);
      member(out, "sa_4.json", "{\"image\": {".getBytes(StandardCharsets.UTF_8));
      member(out, "notes.txt", "ignored".getBytes(StandardCharsets.UTF_8));
    }
    Path out = tmp.resolve("from-tar");
    CliRun r =
        run("import-sa1b", "--input", tar.toString(), "--output", out.toString(), "--no-progress");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains(": 4 images processed (3 ok, 1 failed), 0 skipped, ");

    Map<String, Row> images = new HashMap<>();
    for (Row row : spark.read().parquet(out.resolve("images").toString()).collectAsList()) {
      images.put(row.getAs("image_id"), row);
    }
    assertThat(images.keySet()).containsExactlyInAnyOrder("sa_1", "sa_2", "sa_3", "sa_4");
    String tarUri = hadoopUri(tar);
    assertThat(images.get("sa_1").<String>getAs("source")).isEqualTo(tarUri + "!sa_1.jpg");
    assertThat(images.get("sa_1").<String>getAs("sha256")).isEqualTo(TestDataset.sha256(dogJpg));
    assertThat(images.get("sa_2").<String>getAs("source")).isEqualTo(tarUri + "!./sa_2.png");
    assertThat(images.get("sa_2").<String>getAs("sha256"))
        .isEqualTo(TestDataset.sha256(scenePng));
    assertThat(images.get("sa_3").<String>getAs("source")).isEqualTo(tarUri + "!sa_3.json");
    assertThat(images.get("sa_3").<String>getAs("sha256"))
        .isEqualTo(TestDataset.sha256(lonelyJson));
    Row bad = images.get("sa_4");
    assertThat(bad.<String>getAs("status")).isEqualTo("failed");
    assertThat(bad.<String>getAs("error"))
        .startsWith("Invalid SA-1B JSON " + tarUri + "!sa_4.json: ")
        .contains("end-of-input");
    assertThat(bad.<Integer>getAs("mask_count")).isZero();

    List<MaskRecord> dog = data.masksByImage.get("photos/dog");
    List<Row> masks =
        spark
            .read()
            .parquet(out.resolve("masks").toString())
            .where("image_id = 'sa_1'")
            .orderBy("mask_id")
            .collectAsList();
    assertThat(masks).hasSize(dog.size());
    for (int i = 0; i < dog.size(); i++) {
      assertThat(masks.get(i).<String>getAs("rle")).isEqualTo(dog.get(i).rle());
      assertThat(masks.get(i).<Float>getAs("predicted_iou")).isEqualTo(dog.get(i).predictedIou());
    }

    // The image is in the tar, so render draws the imported masks over it.
    Path png = tmp.resolve("renders/sa_1.png");
    CliRun render =
        run("render", "--dataset", out.toString(), "--image", "sa_1", "--output", png.toString());
    assertThat(render.code()).as(render.err()).isZero();
    RgbImage drawn = new ImageDecoder().decode(Files.readAllBytes(png), png.toString());
    assertThat(drawn.width()).isEqualTo(data.pictures.get("photos/dog").width());
    assertThat(drawn.height()).isEqualTo(data.pictures.get("photos/dog").height());

    // Exported again, an SA-1B name keeps its number as the numeric image id.
    Path again = tmp.resolve("tar-export");
    CliRun re =
        run("export", "--dataset", out.toString(), "--output", again.toString(), "--no-progress");
    assertThat(re.code()).as(re.err()).isZero();
    assertThat(re.out()).contains(": 3 images, ").contains("1 failed images skipped");
    JsonNode sa1 = JSON.readTree(again.resolve("sa_1.json").toFile());
    assertThat(sa1.get("image").get("image_id").asLong()).isEqualTo(1);
    assertThat(sa1.get("image").get("file_name").asText()).isEqualTo("sa_1.jpg");
    assertThat(JSON.readTree(again.resolve("sa_1.json").toFile()).get("annotations"))
        .isEqualTo(JSON.readTree(dogJson).get("annotations"));
  }

  @Test
  void badJsonBecomesAFailedRowNamingTheFileAndTheCauseWithoutLosingTheRest() throws Exception {
    Path in = Files.createDirectories(tmp.resolve("mixed/in"));
    Files.createDirectories(in.resolve("sub"));
    String good = Files.readString(exported.resolve("scene_0.json"));
    Files.writeString(in.resolve("good.json"), good);
    Files.write(in.resolve("good.png"), Files.readAllBytes(data.root.resolve("input/scene_0.png")));
    Files.writeString(in.resolve("sub/truncated.json"), good.substring(0, good.length() / 2));
    Files.writeString(
        in.resolve("sub/wrong_size.json"),
        good.replaceFirst("\"size\":\\[120,160\\]", "\"size\":[121,160]"));
    Files.writeString(in.resolve("not_sa1b.json"), "[1, 2, 3]");
    Files.write(in.resolve("lonely.png"), Files.readAllBytes(data.root.resolve("input/scene_1.png")));
    Files.createDirectories(in.resolve("_meta"));
    Files.writeString(in.resolve("_meta/notes.json"), "{}");
    Files.writeString(in.resolve(".hidden.json"), "{}");
    Path out = tmp.resolve("mixed/out");
    CliRun r =
        run("import-sa1b", "--input", in.toString(), "--output", out.toString(), "--no-progress");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains(": 5 images processed (1 ok, 4 failed), 0 skipped, ");

    Map<String, Row> images = new HashMap<>();
    for (Row row : spark.read().parquet(out.resolve("images").toString()).collectAsList()) {
      images.put(row.getAs("image_id"), row);
    }
    Row ok = images.get("good");
    assertThat(ok.<String>getAs("status")).isEqualTo("ok");
    assertThat(ok.<String>getAs("source")).isEqualTo(hadoopUri(in.resolve("good.png")));
    assertThat(ok.<Integer>getAs("mask_count")).isEqualTo(data.masksByImage.get("scene_0").size());
    assertThat(error(images, "sub/truncated"))
        .startsWith("Invalid SA-1B JSON " + hadoopUri(in.resolve("sub/truncated.json")) + ": ")
        .contains("end-of-input");
    assertThat(error(images, "sub/wrong_size"))
        .isEqualTo(
            "Invalid SA-1B JSON "
                + hadoopUri(in.resolve("sub/wrong_size.json"))
                + ": annotations[0].segmentation.size: mask size [121, 160] differs from the"
                + " image's [height, width] = [120, 160]");
    assertThat(error(images, "not_sa1b"))
        .isEqualTo(
            "Invalid SA-1B JSON "
                + hadoopUri(in.resolve("not_sa1b.json"))
                + ": <root>: expected an object, got array [1,2,3]");
    assertThat(error(images, "lonely"))
        .isEqualTo(
            hadoopUri(in.resolve("lonely.png"))
                + ": no SA-1B JSON beside it (expected lonely.json)");
    assertThat(spark.read().parquet(out.resolve("masks").toString()).count())
        .isEqualTo(data.masksByImage.get("scene_0").size());

    CliRun again =
        run("import-sa1b", "--input", in.toString(), "--output", out.toString(), "--no-progress");
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err()).contains("already holds a dataset");
    CliRun nothing =
        run(
            "import-sa1b", "--input", data.root.resolve("input/scene_0.png").toString(),
            "--output", tmp.resolve("x").toString());
    assertThat(nothing.code()).isEqualTo(2);
    assertThat(nothing.err()).contains("is neither a folder, an SA-1B .json file nor a .tar shard");
  }

  // ---- helpers ----

  private static String sha(String text) {
    return TestDataset.sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  /** A 32x24 mask of a 10x8 rectangle, of image {@code sa_7}. */
  private static MaskRecord squareMask() {
    byte[] bits = new byte[32 * 24];
    for (int y = 4; y < 12; y++) {
      for (int x = 5; x < 15; x++) {
        bits[y * 32 + x] = 1;
      }
    }
    return MaskRecord.of(
        "sa_7", 0, Rle.encodeRowMajor(bits, 24, 32), 0.9f, 0.95f,
        new double[][] {{10, 8}}, new int[] {0, 0, 32, 24}, null, "g", "r");
  }

  /** Writes a dataset of these rows as a generate run does: both Delta tables, a snapshot. */
  private static void writeDataset(Path root, List<ImageRecord> images, List<Row> masks) {
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(root.toUri());
    DatasetStore store = new DatasetStore(dir, spark.sparkContext().hadoopConfiguration());
    long imagesVersion =
        DeltaTables.append(
            spark,
            store.table("images"),
            spark.createDataFrame(
                images.stream().map(SparkSchemas::imageRow).toList(), SparkSchemas.images()));
    long masksVersion =
        DeltaTables.append(
            spark, store.table("masks"), spark.createDataFrame(masks, SparkSchemas.masks()));
    store.publish(
        new Snapshot(
            1, "r", "2025-11-25T10:05:00Z", imagesVersion, masksVersion,
            List.of(new Snapshot.Generator("g", "tiny-sam", null, Map.of(), "r", "r"))));
  }

  /** A local file as Hadoop names it ({@code file:/tmp/a}), as in {@code images.source}. */
  private static String hadoopUri(Path p) {
    return new org.apache.hadoop.fs.Path(p.toAbsolutePath().toUri()).toString();
  }

  private static String error(Map<String, Row> images, String id) {
    Row row = images.get(id);
    assertThat(row).as(id).isNotNull();
    assertThat(row.<String>getAs("status")).isEqualTo("failed");
    assertThat(row.<Integer>getAs("mask_count")).isZero();
    return row.getAs("error");
  }

  private static void member(TarArchiveOutputStream out, String name, byte[] bytes)
      throws Exception {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(bytes.length);
    out.putArchiveEntry(e);
    out.write(bytes);
    out.closeArchiveEntry();
  }

  private static List<String> jsonFiles(Path dir) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString())
          .sorted()
          .collect(Collectors.toList());
    }
  }

  private static List<Double> doubles(JsonNode array) {
    List<Double> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asDouble()));
    return out;
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
