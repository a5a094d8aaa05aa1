package io.maskgen.schema.sa1b;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskgen.schema.MaskRecord;
import io.maskgen.schema.rle.Rle;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sa1bJsonTest {
  // Fixture: hand-written SA-1B layout; its counts strings are the "last_pixel" and "first_pixel"
  // lines of shared/testdata/coco_rle_vectors.jsonl (COCO C library output).
  static Sa1bFile readFixture() throws IOException {
    try (InputStream in = Sa1bJsonTest.class.getResourceAsStream("sa_1.json")) {
      return Sa1bJson.read(in, "sa_1.json");
    }
  }

  @Test
  void readsEveryFieldAndIgnoresUnknownOnes() throws IOException {
    Sa1bFile file = readFixture();
    assertThat(file.image()).isEqualTo(new Sa1bImage(1, 6, 6, "sa_1.jpg"));
    assertThat(file.annotations()).hasSize(2);
    Sa1bAnnotation a = file.annotations().get(0);
    assertThat(a.id()).isEqualTo(1001);
    assertThat(a.segmentation()).isEqualTo(new Sa1bSegmentation(6, 6, "S11"));
    assertThat(a.bbox()).containsExactly(5, 5, 1, 1);
    assertThat(a.area()).isEqualTo(1);
    assertThat(a.predictedIou()).isEqualTo(0.123456789);
    assertThat(a.stabilityScore()).isEqualTo(0.9876543283462524);
    assertThat(a.cropBox()).containsExactly(0, 0, 6, 6);
    assertThat(a.pointCoords()).isDeepEqualTo(new double[][] {{5.25, 5.75}});
    assertThat(a.segmentation().toRle().bboxXywh()).containsExactly(a.bbox());
    Sa1bAnnotation b = file.annotations().get(1);
    assertThat(b.area()).isEqualTo(1);
    assertThat(b.predictedIou()).isEqualTo(1.0);
    assertThat(b.pointCoords()).hasDimensions(2, 2);
    assertThat(b.segmentation().toRle().decodeRowMajor()[0]).isEqualTo((byte) 1);
  }

  @Test
  void writeThenReadIsLossless() throws IOException {
    Sa1bFile file = readFixture();
    String json = Sa1bJson.toJson(file);
    Sa1bFile again = Sa1bJson.fromJson(json, "again.json");
    assertThat(again).isEqualTo(file);
    assertThat(Sa1bJson.toJson(again)).isEqualTo(json);
    assertThat(json).contains("0.123456789").doesNotContain("note").doesNotContain("license");
  }

  @Test
  void doublesSurviveTheRoundTripBitForBit() throws IOException {
    double[] tricky = {
      0.123456789,
      0.1 + 0.2,
      Math.PI,
      1e-300,
      Double.MIN_VALUE,
      4.35,
      2.0 / 3,
      (double) 0.88f,
      1e17,
      -0.0
    };
    Rle square = Rle.of(4, 5, new int[] {5, 2, 2, 2, 9});
    Random random = new Random(1);
    List<Sa1bAnnotation> annotations = new java.util.ArrayList<>();
    for (int i = 0; i < tricky.length; i++) {
      double v = tricky[i];
      annotations.add(
          new Sa1bAnnotation(
              Long.MAX_VALUE - i,
              Sa1bSegmentation.of(square),
              new double[] {v, 1, 2, random.nextDouble()},
              4,
              v,
              random.nextDouble(),
              new double[] {0, 0, 5, 4},
              new double[][] {{v, -v}}));
    }
    Sa1bFile file = new Sa1bFile(new Sa1bImage(7, 5, 4, "sa_7.jpg"), annotations);
    Sa1bFile again = Sa1bJson.fromJson(Sa1bJson.toJson(file), "doubles.json");
    assertThat(again).isEqualTo(file);
    for (int i = 0; i < tricky.length; i++) {
      assertThat(Double.doubleToRawLongBits(again.annotations().get(i).predictedIou()))
          .isEqualTo(Double.doubleToRawLongBits(tricky[i]));
    }
  }

  @Test
  void readsAndWritesFilesAndLeavesStreamsOpen(@TempDir Path dir) throws IOException {
    Sa1bFile file = readFixture();
    Path path = dir.resolve("sa_1.json");
    Sa1bJson.write(file, path);
    assertThat(Sa1bJson.read(path)).isEqualTo(file);

    boolean[] closed = new boolean[2];
    ByteArrayOutputStream out =
        new ByteArrayOutputStream() {
          @Override
          public void close() {
            closed[0] = true;
          }
        };
    Sa1bJson.write(file, out);
    assertThat(closed[0]).isFalse();
    InputStream in =
        new ByteArrayInputStream(out.toByteArray()) {
          @Override
          public void close() {
            closed[1] = true;
          }
        };
    assertThat(Sa1bJson.read(in, "mem.json")).isEqualTo(file);
    assertThat(closed[1]).isFalse();

    // Two documents in one stream are not one SA-1B file.
    Sa1bJson.write(file, out);
    assertThatThrownBy(
            () -> Sa1bJson.read(new ByteArrayInputStream(out.toByteArray()), "twice.json"))
        .isInstanceOf(Sa1bFormatException.class)
        .hasMessageContaining("twice.json: unexpected content after the JSON document");
  }

  @Test
  void convertsMaskRecordsBothWays() {
    Rle square = Rle.of(4, 5, new int[] {5, 2, 2, 2, 9});
    MaskRecord mask =
        MaskRecord.of(
            "dir/img",
            0,
            square,
            0.93f,
            0.97f,
            new double[][] {{1.5, 1.5}},
            new int[] {0, 0, 5, 4},
            null,
            "gen",
            "run");
    Sa1bAnnotation a = Sa1bAnnotation.fromMaskRecord(mask);
    assertThat(a.id()).isZero();
    assertThat(a.segmentation().toRle()).isEqualTo(square);
    assertThat(a.predictedIou()).isEqualTo((double) 0.93f);
    assertThat(a.cropBox()).containsExactly(0, 0, 5, 4);
    assertThat(a.toMaskRecord("dir/img", 0, "gen", "run")).isEqualTo(mask);

    Sa1bFile file = Sa1bFile.of(new Sa1bImage(3, 5, 4, "sa_3.jpg"), List.of(mask, mask));
    assertThat(file.toMaskRecords("dir/img", "gen", "run"))
        .extracting(MaskRecord::maskId)
        .containsExactly(0, 1);
  }

  @Test
  void toMaskRecordRejectsFractionalCropBox() {
    Sa1bAnnotation a =
        new Sa1bAnnotation(
            9,
            new Sa1bSegmentation(1, 1, "1"),
            new double[4],
            0,
            0.5,
            0.5,
            new double[] {0, 0, 0.5, 1},
            new double[0][]);
    assertThatThrownBy(() -> a.toMaskRecord("i", 0, "g", "r"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Annotation 9: crop box [0.0, 0.0, 0.5, 1.0] is not integral");
  }

  @Test
  void malformedJsonNamesTheFileAndPosition() {
    assertThatThrownBy(() -> Sa1bJson.fromJson("{\"image\": {\"image_id\": 1,,}", "bad.json"))
        .isInstanceOf(Sa1bFormatException.class)
        .hasMessageStartingWith("Invalid SA-1B JSON bad.json: ")
        .hasMessageContaining("line 1");
    assertThatThrownBy(() -> Sa1bJson.fromJson("{\"image\": ", "cut.json"))
        .isInstanceOf(Sa1bFormatException.class)
        .hasMessageContaining("cut.json");
    assertThatThrownBy(() -> Sa1bJson.fromJson("[1, 2]", "array.json"))
        .hasMessageContaining("array.json: <root>: expected an object, got array [1,2]");
  }

  @Test
  void missingOrMistypedFieldsAreNamedByPath() throws IOException {
    String json = fixtureText();
    assertBad(json.replace("\"file_name\": \"sa_1.jpg\", ", ""), "image.file_name: missing");
    assertBad(json.replace("\"width\": 6", "\"width\": \"6\""), "image.width: expected an integer");
    assertBad(json.replace("\"width\": 6", "\"width\": 6.5"), "image.width: expected an integer");
    assertBad(json.replace("\"id\": 1002", "\"id\": null"), "annotations[1].id: missing");
    assertBad(
        json.replace("\"predicted_iou\": 1,", "\"predicted_iou\": true,"),
        "annotations[1].predicted_iou: expected a number, got boolean true");
    assertBad(
        json.replace("\"bbox\": [0, 0, 1, 1]", "\"bbox\": [0, 0, 1]"),
        "annotations[1].bbox: expected 4 numbers");
    assertBad(
        json.replace("[[0.5, 0.5], [0.0, 0.25]]", "[[0.5, 0.5], [0.0]]"),
        "annotations[1].point_coords[1]: expected 2 numbers");
    assertBad(json.replace("\"area\": 1.0", "\"area\": -1"), "annotations[1]: Invalid area: -1");
    assertBad(json.replace("\"width\": 6", "\"width\": 0"), "image: Invalid image size");
  }

  @Test
  void invalidMasksAreRejectedWithTheRleProblem() throws IOException {
    String json = fixtureText();
    assertBad(
        json.replace("\"counts\": \"S11\"", "\"counts\": \"S1\""),
        "annotations[0].segmentation.counts: Invalid RLE: 1 counts sum to 35, expected"
            + " height*width = 6*6 = 36");
    assertBad(
        json.replace("\"counts\": \"S11\"", "\"counts\": \"S1 1\""),
        "annotations[0].segmentation.counts: Invalid COCO RLE string: character ' '");
    assertBad(
        json.replace(
            "\"size\": [6, 6], \"counts\": \"01S1\"", "\"size\": [4, 9], \"counts\": \"01S1\""),
        "annotations[1].segmentation.size: mask size [4, 9] differs from the image's"
            + " [height, width] = [6, 6]");
    assertBad(
        json.replace(
            "\"size\": [6, 6], \"counts\": \"01S1\"", "\"size\": [6], \"counts\": \"01S1\""),
        "annotations[1].segmentation.size: expected [height, width], got [6]");
  }

  @Test
  void readFromPathNamesThePath(@TempDir Path dir) throws IOException {
    Path path = dir.resolve("sa_9.json");
    Files.writeString(path, "{\"image\": {}, \"annotations\": []}");
    assertThatThrownBy(() -> Sa1bJson.read(path))
        .isInstanceOf(Sa1bFormatException.class)
        .hasMessageContaining(path.toString() + ": image.image_id: missing");
  }

  @Test
  void trailingContentIsRejected() throws IOException {
    assertBad(fixtureText() + " {}", "unexpected content after the JSON document (line 28");
  }

  private static String fixtureText() throws IOException {
    try (InputStream in = Sa1bJsonTest.class.getResourceAsStream("sa_1.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void assertBad(String json, String message) {
    assertThat(json).isNotEqualTo(fixtureTextUnchecked());
    assertThatThrownBy(() -> Sa1bJson.fromJson(json, "sa_1.json"))
        .isInstanceOf(Sa1bFormatException.class)
        .hasMessageStartingWith("Invalid SA-1B JSON sa_1.json: ")
        .hasMessageContaining(message);
  }

  private static String fixtureTextUnchecked() {
    try {
      return fixtureText();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
