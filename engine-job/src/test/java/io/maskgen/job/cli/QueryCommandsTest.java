package io.maskgen.job.cli;

import static io.maskgen.job.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskgen.image.ImageDecoder;
import io.maskgen.image.RgbImage;
import io.maskgen.job.TestSessions;
import io.maskgen.render.Overlay;
import io.maskgen.schema.ImageRecord;
import io.maskgen.schema.MaskRecord;
import io.maskgen.spark.SparkSchemas;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code maskgen sql}, {@code render} and {@code inspect} run through the real command line, on a
 * Parquet dataset written in the test, in one shared local Spark session (the commands reuse it).
 */
class QueryCommandsTest {

  private static final Path SHARED =
      Path.of(System.getProperty("maskgen.shared.dir", "../../shared"));
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;

  private static SparkSession spark;
  private static TestDataset data;
  private static String dir;

  @BeforeAll
  static void setUp() throws Exception {
    spark =
        TestSessions.local();
    data = new TestDataset(spark, tmp.resolve("dataset"), SHARED);
    dir = data.root.toString();
  }

  @AfterAll
  static void tearDown() {
    TestSessions.stop(spark);
  }

  // ---- sql ----

  @Test
  void sqlPrintsAnAlignedTableWithNumbersRightAligned() {
    CliRun r =
        run(
            "sql",
            "--dataset",
            dir,
            "SELECT * FROM VALUES ('a', 1, 2.5D), ('long name', 22, NULL) AS t(name, n, x)");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .isEqualTo(
            String.join(
                "\n",
                " name      | n  | x",
                "-----------+----+------",
                " a         |  1 |  2.5",
                " long name | 22 | NULL",
                "(2 rows)",
                ""));
  }

  @Test
  void sqlTableCutsLongCellsAndSaysWhenRowsWereCut() {
    CliRun r =
        run(
            "sql",
            "--dataset",
            dir,
            "--max-rows",
            "2",
            "SELECT image_id, mask_id, rle_area(rle, height, width) AS a, area, clip_embedding"
                + " FROM masks WHERE image_id = 'scene_0' ORDER BY mask_id");
    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(5);
    assertThat(lines.get(4))
        .isEqualTo("(first 2 rows; more were cut, raise --max-rows or set it to 0 for all)");
    List<MaskRecord> masks = data.masksByImage.get("scene_0");
    for (int i = 0; i < 2; i++) {
      String[] cells = lines.get(2 + i).split("\\|");
      assertThat(cells[0].strip()).isEqualTo("scene_0");
      assertThat(cells[1].strip()).isEqualTo(Integer.toString(i));
      assertThat(cells[2].strip())
          .isEqualTo(cells[3].strip())
          .isEqualTo(Long.toString(masks.get(i).area()));
      String embedding = cells[4].strip();
      assertThat(embedding)
          .hasSize(40)
          .startsWith("[" + masks.get(i).clipEmbedding()[0])
          .endsWith("...");
    }
  }

  @Test
  void sqlWritesCsvWithAHeaderAndJsonArrays() throws Exception {
    CliRun r =
        run(
            "sql",
            "--dataset",
            dir,
            "--format",
            "csv",
            "--max-rows",
            "0",
            "SELECT image_id, mask_id, area, bbox, rle FROM masks ORDER BY image_id, mask_id");
    assertThat(r.code()).as(r.err()).isZero();
    List<List<String>> rows = parseCsv(r.out());
    assertThat(rows.get(0)).containsExactly("image_id", "mask_id", "area", "bbox", "rle");
    List<MaskRecord> expected = new ArrayList<>(data.allMasks());
    expected.sort(
        java.util.Comparator.comparing(MaskRecord::imageId).thenComparing(MaskRecord::maskId));
    assertThat(rows).hasSize(expected.size() + 1);
    for (int i = 0; i < expected.size(); i++) {
      MaskRecord m = expected.get(i);
      List<String> row = rows.get(i + 1);
      assertThat(row.get(0)).isEqualTo(m.imageId());
      assertThat(row.get(1)).isEqualTo(Integer.toString(m.maskId()));
      assertThat(row.get(2)).isEqualTo(Long.toString(m.area()));
      assertThat(JSON.readValue(row.get(3), double[].class)).containsExactly(m.bbox());
      assertThat(row.get(4)).isEqualTo(m.rle());
    }
    assertThat(r.out()).contains("\r\n");
  }

  @Test
  void sqlWritesJsonLinesWithNullsAndBase64Binary() throws Exception {
    CliRun r =
        run(
            "sql",
            "--dataset",
            dir,
            "--format",
            "json",
            "--max-rows",
            "0",
            "SELECT image_id, mask_id, area, rle_area(rle, height, width) AS a,"
                + " rle_to_png(rle, height, width) AS png, clip_embedding, CAST(NULL AS STRING)"
                + " AS nothing FROM masks");
    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(data.maskCount());
    for (String line : lines) {
      JsonNode o = JSON.readTree(line);
      MaskRecord m =
          data.masksByImage.get(o.get("image_id").asText()).get(o.get("mask_id").asInt());
      assertThat(o.get("a").asLong()).isEqualTo(o.get("area").asLong()).isEqualTo(m.area());
      assertThat(o.get("nothing").isNull()).isTrue();
      BufferedImage png =
          ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(o.get("png").asText())));
      assertThat(png.getWidth()).isEqualTo(m.width());
      byte[] pixels = m.toRle().decodeRowMajor();
      for (int y = 0; y < m.height(); y += 7) {
        for (int x = 0; x < m.width(); x += 5) {
          assertThat((png.getRGB(x, y) & 0xFFFFFF) != 0).isEqualTo(pixels[y * m.width() + x] != 0);
        }
      }
      float[] e = m.clipEmbedding();
      for (int i = 0; i < e.length; i++) {
        assertThat((float) o.get("clip_embedding").get(i).asDouble()).isEqualTo(e[i]);
      }
    }
  }

  @Test
  void sqlQueriesFilesAndJoinsTheTwoTables() {
    String runFile = data.root.resolve("_runs/run-1.json").toString();
    CliRun r =
        run(
            "sql",
            "--dataset",
            dir,
            "--format",
            "csv",
            "SELECT r.run_id, count(*) AS masks FROM json.`"
                + runFile
                + "` r"
                + " JOIN images i ON i.run_id = r.run_id JOIN masks m ON m.image_id = i.image_id"
                + " GROUP BY r.run_id");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("run_id,masks\r\nrun-1," + data.maskCount() + "\r\n");
  }

  @Test
  void sqlErrorsAreOneLineWithoutStackTrace() {
    CliRun syntax = run("sql", "--dataset", dir, "SELEC image_id FROM masks");
    assertThat(syntax.code()).isEqualTo(1);
    assertThat(syntax.out()).isEmpty();
    assertThat(syntax.err().lines().toList())
        .singleElement()
        .asString()
        .startsWith("maskgen sql: [PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'");

    CliRun table = run("sql", "--dataset", dir, "SELECT * FROM nowhere");
    assertThat(table.code()).isEqualTo(1);
    assertThat(table.err().lines().toList())
        .singleElement()
        .asString()
        .startsWith("maskgen sql: [TABLE_OR_VIEW_NOT_FOUND]");

    CliRun rle =
        run("sql", "--dataset", dir, "SELECT rle_area(concat(rle, '!'), height, width) FROM masks");
    assertThat(rle.code()).isEqualTo(1);
    assertThat(rle.err().lines().toList())
        .singleElement()
        .asString()
        .startsWith("maskgen sql: rle_area: Invalid COCO RLE string: character '!' (0x21)");

    CliRun missing = run("sql", "--dataset", tmp.resolve("nothing").toString(), "SELECT 1");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err().lines().toList())
        .singleElement()
        .asString()
        .isEqualTo("maskgen: Invalid --dataset: " + tmp.resolve("nothing") + " is not a folder");

    CliRun noImages = run("sql", "--dataset", data.root.resolve("_runs").toString(), "SELECT 1");
    assertThat(noImages.code()).isEqualTo(2);
    assertThat(noImages.err()).contains("has no images/ folder");

    CliRun badFormat = run("sql", "--dataset", dir, "--format", "xml", "SELECT 1");
    assertThat(badFormat.code()).isEqualTo(2);
    assertThat(badFormat.err()).startsWith("maskgen: Invalid value for option '--format'");
  }

  // ---- render ----

  @Test
  void renderTintsEachMaskOfASceneWithItsColourAndOutlinesIt() throws Exception {
    Path out = tmp.resolve("renders/scene_1.png");
    CliRun r =
        run(
            "render",
            "--dataset",
            dir,
            "--image",
            "scene_1",
            "--output",
            out.toString(),
            "--alpha",
            "0.6");
    assertThat(r.code()).as(r.err()).isZero();
    List<MaskRecord> masks = data.masksByImage.get("scene_1");
    assertThat(r.out())
        .isEqualTo("Wrote " + out + ": " + masks.size() + " masks over scene_1 (160x120)\n");
    RgbImage drawn = read(out);
    checkDrawing(data.pictures.get("scene_1"), masks, drawn, 0.6, 1);
  }

  @Test
  void renderReadsImagesInsideTarShards() throws Exception {
    Path out = tmp.resolve("renders/scene_2.png");
    CliRun r =
        run(
            "render",
            "--dataset",
            dir,
            "--image",
            "shard/scene_2",
            "--output",
            out.toString(),
            "--no-outline");
    assertThat(r.code()).as(r.err()).isZero();
    checkDrawing(
        data.pictures.get("shard/scene_2"),
        data.masksByImage.get("shard/scene_2"),
        read(out),
        0.5,
        0);
  }

  @Test
  void renderDrawsMasksOverARealPhotoSmallestOnTop() throws Exception {
    Path out = tmp.resolve("renders/dog.png");
    CliRun r =
        run(
            "render",
            "--dataset",
            dir,
            "--image",
            "photos/dog",
            "--output",
            out.toString(),
            "--outline-width",
            "2");
    assertThat(r.code()).as(r.err()).isZero();
    RgbImage photo = data.pictures.get("photos/dog");
    RgbImage drawn = read(out);
    List<MaskRecord> masks = data.masksByImage.get("photos/dog");
    checkDrawing(photo, masks, drawn, 0.5, 2);
    // The ellipse (mask 0) lies inside the rectangle (mask 1): its centre shows the ellipse colour.
    int p = (photo.height() / 2) * photo.width() + photo.width() / 2;
    assertThat(pixel(drawn, p)).isEqualTo(blend(pixel(photo, p), Overlay.colour(0), 0.5));
  }

  @Test
  void renderRejectsAnUnknownImageAndExplainsAFailedOne() {
    CliRun unknown =
        run(
            "render",
            "--dataset",
            dir,
            "--image",
            "nope",
            "--output",
            tmp.resolve("x.png").toString());
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err())
        .isEqualTo("maskgen: Invalid --image: no image 'nope' in " + dir + "/images\n");
    CliRun failed =
        run(
            "render",
            "--dataset",
            dir,
            "--image",
            "bad/a",
            "--output",
            tmp.resolve("x.png").toString());
    assertThat(failed.code()).isEqualTo(1);
    assertThat(failed.err())
        .isEqualTo(
            "maskgen render: image 'bad/a' failed during generation and has no masks:"
                + " a.jpg: truncated JPEG (no end-of-image marker)\n");
    assertThat(tmp.resolve("x.png")).doesNotExist();
  }

  @Test
  void renderReportsAnImageFileThatIsGoneInOneLine() {
    Path d = tmp.resolve("moved");
    ImageRecord i = data.images.get(0);
    ImageRecord moved =
        ImageRecord.ok(
            i.imageId(),
            "file:/nowhere/scene_0.png",
            i.sha256(),
            i.width(),
            i.height(),
            i.maskCount(),
            i.generator(),
            i.runId(),
            i.seconds());
    spark
        .createDataFrame(List.of(SparkSchemas.imageRow(moved)), SparkSchemas.images())
        .write()
        .parquet(d.resolve("images").toString());
    CliRun r =
        run(
            "render",
            "--dataset",
            d.toString(),
            "--image",
            i.imageId(),
            "--output",
            tmp.resolve("moved.png").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "maskgen render: FileNotFoundException: File file:/nowhere/scene_0.png does not"
                + " exist\n");
  }

  // ---- inspect ----

  @Test
  void inspectSummarisesCountsDistributionsFailuresAndRuns() {
    CliRun r = run("inspect", "--dataset", dir);
    assertThat(r.code()).as(r.err()).isZero();
    String out = r.out();
    int masks = data.maskCount();
    assertThat(out)
        .startsWith("Dataset " + dir + "\n\nimages  7 (4 ok, 3 failed)\nmasks   " + masks + "\n");
    List<Integer> perImage = new ArrayList<>();
    data.masksByImage.values().forEach(m -> perImage.add(m.size()));
    perImage.sort(null);
    assertThat(out)
        .contains(
            String.format(
                "masks per image (ok images): min %d, median %s, mean %.1f, max %d",
                perImage.get(0),
                number((perImage.get(1) + perImage.get(2)) / 2.0),
                perImage.stream().mapToInt(i -> i).average().orElseThrow(),
                perImage.get(3)));
    // Histogram bars sum to the mask count in every histogram.
    for (String title : List.of("area (pixels)", "predicted_iou", "stability_score")) {
      String section = out.substring(out.indexOf("\n" + title + "\n") + title.length() + 2);
      section = section.substring(0, section.indexOf("\n\n"));
      long sum = 0;
      for (String line : section.lines().toList()) {
        assertThat(line).matches(" +\\S+ \\.\\. \\S+ +\\|#* *\\| +[0-9,]+");
        sum += Long.parseLong(line.substring(line.lastIndexOf('|') + 1).strip().replace(",", ""));
      }
      assertThat(sum).as(title).isEqualTo(masks);
    }
    assertThat(out)
        .contains(
            "failed images by reason\n"
                + "  2  truncated JPEG  e.g. a.jpg: truncated JPEG (no end-of-image marker)\n"
                + "  1  not an image    e.g. c.gif: not an image (unknown signature 47 49)\n");
    assertThat(out)
        .contains(
            "runs\n"
                + "  run_id  started               images  masks  generator\n"
                + "  run-1   2025-11-25T10:00:00Z       4  "
                + String.format("%5d", masks)
                + "  tiny-sam+tiny-clip:0123456789ab\n"
                + "  run-2   -                          3      0 "
                + " tiny-sam+tiny-clip:0123456789ab\n");
  }

  @Test
  void commandsWorkOnADatasetWhereEveryImageFailed() throws Exception {
    Path d = tmp.resolve("all-failed");
    List<org.apache.spark.sql.Row> rows = new ArrayList<>();
    for (ImageRecord i : data.images) {
      if (!i.isOk()) {
        rows.add(SparkSchemas.imageRow(i));
      }
    }
    spark
        .createDataFrame(rows, SparkSchemas.images())
        .write()
        .parquet(d.resolve("images").toString());
    Files.createDirectories(d.resolve("_runs"));
    Files.writeString(d.resolve("_runs/broken.json"), "{\"run_id\": ");

    CliRun sql =
        run(
            "sql",
            "--dataset",
            d.toString(),
            "--format",
            "csv",
            "SELECT (SELECT count(*) FROM masks) AS masks, (SELECT count(*) FROM images) AS"
                + " images");
    assertThat(sql.code()).as(sql.err()).isZero();
    assertThat(sql.out()).isEqualTo("masks,images\r\n0,3\r\n");

    CliRun inspect = run("inspect", "--dataset", d.toString());
    assertThat(inspect.code()).as(inspect.err()).isZero();
    assertThat(inspect.out())
        .contains("images  3 (0 ok, 3 failed)\nmasks   0\n\narea (pixels)\n  no masks\n")
        .doesNotContain("masks per image")
        .contains("  broken.json  (unreadable: ")
        .contains("  run-2        -");
  }

  // ---- helpers ----

  /**
   * Checks a render against the masks: outline pixels (within {@code outline} steps of the mask's
   * outside) have the colour of the smallest mask they outline, other covered pixels are the image
   * tinted with the smallest covering mask's colour, and the rest are the image's.
   */
  private static void checkDrawing(
      RgbImage image, List<MaskRecord> masks, RgbImage drawn, double alpha, int outline) {
    int w = image.width();
    int h = image.height();
    assertThat(drawn.width()).isEqualTo(w);
    assertThat(drawn.height()).isEqualTo(h);
    List<byte[]> decoded = new ArrayList<>();
    masks.forEach(m -> decoded.add(m.toRle().decodeRowMajor()));
    int tinted = 0;
    int outlined = 0;
    int untouched = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = y * w + x;
        int top = -1;
        int edge = -1;
        for (int i = 0; i < masks.size(); i++) {
          if (decoded.get(i)[p] == 0) {
            continue;
          }
          boolean smaller = top < 0 || masks.get(i).area() < masks.get(top).area();
          if (smaller) {
            top = i;
          }
          if (outline > 0
              && nearOutside(decoded.get(i), w, h, x, y, outline)
              && (edge < 0 || masks.get(i).area() < masks.get(edge).area())) {
            edge = i;
          }
        }
        int expected =
            edge >= 0
                ? Overlay.colour(masks.get(edge).maskId())
                : top >= 0
                    ? blend(pixel(image, p), Overlay.colour(masks.get(top).maskId()), alpha)
                    : pixel(image, p);
        assertThat(pixel(drawn, p)).as("(%d, %d)", x, y).isEqualTo(expected);
        if (edge >= 0) {
          outlined++;
        } else if (top >= 0) {
          tinted++;
        } else {
          untouched++;
        }
      }
    }
    assertThat(tinted).isPositive();
    assertThat(untouched).isPositive();
    assertThat(outlined > 0).isEqualTo(outline > 0);
  }

  private static boolean nearOutside(byte[] m, int w, int h, int x, int y, int d) {
    for (int dy = -d; dy <= d; dy++) {
      for (int dx = -d; dx <= d; dx++) {
        if (Math.abs(dx) + Math.abs(dy) > d) {
          continue;
        }
        int xx = x + dx;
        int yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= w || yy >= h || m[yy * w + xx] == 0) {
          return true;
        }
      }
    }
    return false;
  }

  private static int pixel(RgbImage image, int p) {
    byte[] rgb = image.rgb();
    return (rgb[3 * p] & 0xFF) << 16 | (rgb[3 * p + 1] & 0xFF) << 8 | (rgb[3 * p + 2] & 0xFF);
  }

  private static int blend(int base, int colour, double alpha) {
    int out = 0;
    for (int shift = 16; shift >= 0; shift -= 8) {
      int b = (base >>> shift) & 0xFF;
      int c = (colour >>> shift) & 0xFF;
      out |= (int) Math.round((1 - alpha) * b + alpha * c) << shift;
    }
    return out;
  }

  private static RgbImage read(Path png) throws Exception {
    return new ImageDecoder().decode(Files.readAllBytes(png), png.toString());
  }

  private static String number(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format("%.1f", v);
  }

  /** RFC 4180 records. */
  private static List<List<String>> parseCsv(String text) {
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        row.add(cell.toString());
        cell.setLength(0);
      } else if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
        row.add(cell.toString());
        cell.setLength(0);
        rows.add(row);
        row = new ArrayList<>();
        i++;
      } else {
        cell.append(c);
      }
    }
    return rows;
  }
}
