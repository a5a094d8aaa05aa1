package io.maskgen.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskgen.image.RgbImage;
import io.maskgen.schema.rle.Rle;
import io.maskgen.synth.WriteExamples;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code maskgen predict} on the shipped tiny-sam: prompts in, masks and logits out. */
class PredictCommandTest {

  @TempDir Path tmp;
  Path image;

  /** 320 x 240 grey image with a red square [100, 200) x [60, 160). */
  @BeforeEach
  void writeImage() throws IOException {
    int w = 320;
    int h = 240;
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        boolean in = x >= 100 && x < 200 && y >= 60 && y < 160;
        int p = (y * w + x) * 3;
        rgb[p] = (byte) (in ? 220 : 90);
        rgb[p + 1] = (byte) (in ? 30 : 140);
        rgb[p + 2] = (byte) (in ? 30 : 90);
      }
    }
    image = tmp.resolve("square.png");
    ImageIO.write(WriteExamples.toBufferedImage(new RgbImage(w, h, rgb)), "png", image.toFile());
  }

  private static double iouWithSquare(Rle rle) {
    byte[] m = rle.decodeRowMajor();
    long inter = 0;
    long union = 0;
    for (int y = 0; y < rle.height(); y++) {
      for (int x = 0; x < rle.width(); x++) {
        boolean t = x >= 100 && x < 200 && y >= 60 && y < 160;
        boolean p = m[y * rle.width() + x] != 0;
        inter += t && p ? 1 : 0;
        union += t || p ? 1 : 0;
      }
    }
    return (double) inter / union;
  }

  /** The float32 array of a .npy file, after checking its header's shape. */
  private static float[] readNpy(Path file, String shape) throws IOException {
    byte[] b = Files.readAllBytes(file);
    assertThat(new String(b, 1, 5, StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
    int len = (b[8] & 0xff) | (b[9] & 0xff) << 8;
    assertThat((10 + len) % 64).isZero();
    String header = new String(b, 10, len, StandardCharsets.US_ASCII);
    assertThat(header).contains("'descr': '<f4'").contains("'shape': " + shape);
    float[] out = new float[(b.length - 10 - len) / 4];
    ByteBuffer.wrap(b, 10 + len, b.length - 10 - len)
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .get(out);
    return out;
  }

  @Test
  void aPointInsideTheSquareGivesItsMaskScoresAndLogits() throws IOException {
    Path json = tmp.resolve("out/square.json");
    Path npy = tmp.resolve("out/square.npy");
    CliRun r =
        CliRun.run(
            "predict", "--model", "tiny-sam", "--image", image.toString(), "--point", "150,110",
            "--multimask", "--output", json.toString(), "--logits", npy.toString(),
            "--device", "cpu");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("3 masks").contains("(320x240)");
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertThat(root.get("model").asText()).isEqualTo("tiny-sam");
    assertThat(root.at("/prompt/points/0/0").asDouble()).isEqualTo(150.0);
    assertThat(root.at("/prompt/labels/0").asInt()).isEqualTo(1);
    assertThat(root.get("masks")).hasSize(3);
    JsonNode first = root.at("/masks/0");
    Rle rle =
        Rle.fromCocoString(
            first.at("/segmentation/counts").asText(),
            first.at("/segmentation/size/0").asInt(),
            first.at("/segmentation/size/1").asInt());
    assertThat(rle.height()).isEqualTo(240);
    assertThat(iouWithSquare(rle)).isGreaterThan(0.9);
    assertThat(first.get("area").asLong()).isEqualTo(rle.area());
    assertThat(first.get("bbox").get(0).asDouble()).isBetween(96.0, 104.0);
    assertThat(first.get("predicted_iou").asDouble()).isBetween(0.0, 1.0);
    // Logits: the red square (the input frame is 1024 / 320 = 3.2 times larger, L = 256 is a
    // quarter of it: x 80..160, y 48..128) is positive, the far corner negative.
    float[] logits = readNpy(npy, "(3, 256, 256)");
    assertThat(logits).hasSize(3 * 256 * 256);
    assertThat(logits[88 * 256 + 120]).isPositive();
    assertThat(logits[180 * 256 + 20]).isNegative();
  }

  @Test
  void singleMaskOutputWritesOneMaskAndThePngOverlay() throws IOException {
    Path png = tmp.resolve("square-out.png");
    CliRun r =
        CliRun.run(
            "predict", "--image", image.toString(), "--point", "150,110,1", "--point", "10,10,0",
            "--output", png.toString(), "--device", "cpu");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("1 mask of");
    var drawn = ImageIO.read(png.toFile());
    assertThat(drawn.getWidth()).isEqualTo(320);
    var original = ImageIO.read(image.toFile());
    // Inside the square the overlay changed the colour; far outside it did not.
    assertThat(drawn.getRGB(150, 110)).isNotEqualTo(original.getRGB(150, 110));
    assertThat(drawn.getRGB(300, 230)).isEqualTo(original.getRGB(300, 230));
  }

  @Test
  void boxPromptsRunOnPackagesThatLeaveThePaddingToTheRuntime() throws IOException {
    CliRun refused =
        CliRun.run(
            "predict", "--image", image.toString(), "--box", "90,50,210,170", "--output",
            tmp.resolve("a.json").toString(), "--device", "cpu");
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err()).contains("tiny-sam cannot take box prompts");

    // tiny-sam's files declaring runtime padding (its decoder ignores labels other than 0, 1).
    Path shipped = Path.of("..", "model-udf", "models", "tiny-sam");
    Path dir = tmp.resolve("tiny-sam-boxes");
    Files.createDirectories(dir);
    Files.copy(shipped.resolve("encoder.onnx"), dir.resolve("encoder.onnx"));
    Files.copy(shipped.resolve("decoder.onnx"), dir.resolve("decoder.onnx"));
    Files.writeString(
        dir.resolve("model.json"),
        Files.readString(shipped.resolve("model.json"))
            .replace("\"mask_threshold\"", "\"decoder_pads_points\": false, \"mask_threshold\""));
    Path json = tmp.resolve("box.json");
    CliRun r =
        CliRun.run(
            "predict", "--model", dir.toString(), "--image", image.toString(), "--box",
            "90,50,210,170", "--point", "150,110", "--output", json.toString(), "--device", "cpu");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertThat(root.at("/prompt/box/2").asDouble()).isEqualTo(210.0);
    assertThat(root.get("masks")).hasSize(1);
  }

  @Test
  void badPromptsAndFilesFailWithOneLineNamingTheProblem() throws IOException {
    String out = tmp.resolve("x.json").toString();
    String img = image.toString();
    assertUsage(CliRun.run("predict", "--image", img, "--output", out), "No prompt");
    assertUsage(
        CliRun.run("predict", "--image", img, "--point", "400,10", "--output", out),
        "Invalid --point 400,10: outside the 320x240 image");
    assertUsage(
        CliRun.run("predict", "--image", img, "--point", "4,x", "--output", out),
        "'x' is not a number");
    assertUsage(
        CliRun.run("predict", "--image", img, "--point", "4,4,2", "--output", out),
        "LABEL must be 1 (object) or 0 (background)");
    assertUsage(
        CliRun.run("predict", "--image", img, "--box", "50,50,10,60", "--output", out),
        "expected X0 < X1 and Y0 < Y1");
    assertUsage(
        CliRun.run("predict", "--image", img, "--point", "4,4", "--output", "x.txt"),
        "expected a .json or .png file");
    assertUsage(
        CliRun.run("predict", "--image", tmp.resolve("none.jpg").toString(), "--point", "4,4",
            "--output", out),
        "none.jpg: no such file");
    assertUsage(
        CliRun.run("predict", "--model", tmp.toString(), "--image", img, "--point", "4,4",
            "--output", out),
        "Invalid --model");
    Path broken = tmp.resolve("broken.jpg");
    Files.write(broken, new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 1, 2, 3});
    CliRun r = CliRun.run("predict", "--image", broken.toString(), "--point", "4,4",
        "--output", out);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("broken.jpg");
  }

  private static void assertUsage(CliRun r, String message) {
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains(message);
  }

  @Test
  void helpDocumentsThePromptsAndOutputs() {
    CliRun r = CliRun.run("predict", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("--point=X,Y[,LABEL]").contains("--box=X0,Y0,X1,Y1")
        .contains("--multimask").contains("OUT.json|OUT.png").contains("--logits");
  }
}
