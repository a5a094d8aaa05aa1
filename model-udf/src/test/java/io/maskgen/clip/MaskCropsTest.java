package io.maskgen.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.maskgen.clip.MaskCrops.Background;
import io.maskgen.image.RgbImage;
import io.maskgen.model.ClipSpec;
import io.maskgen.schema.rle.Rle;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MaskCropsTest {

  private static final int S = 224;
  private static final int PLANE = S * S;

  // (v / 255 - mean) / std by hand with CLIP's mean/std, for pure red, pure blue, mid gray and
  // the fill colour round(mean * 255) = (123, 117, 104).
  private static final float[] RED = {1.930336f, -1.752097f, -1.480220f};
  private static final float[] FILL = {0.003344f, 0.003812f, -0.001333f};
  private static final float[] BLUE = {-1.792263f, -1.752097f, 2.145897f};
  private static final float[] MID_GRAY = {0.069037f, 0.161393f, 0.332839f};

  private final MaskCrops gray =
      new MaskCrops(S, MaskCrops.clipMean(), MaskCrops.clipStd(), Background.GRAY);
  private final MaskCrops blur =
      new MaskCrops(S, MaskCrops.clipMean(), MaskCrops.clipStd(), Background.BLUR);

  @Test
  void cropBoxIsACentredSquareWithMargin() {
    // Margin max(4 px, 10 % of the longer side) on each side.
    assertThat(gray.cropBoxXywh(new double[] {40, 30, 21, 21})).containsExactly(36, 26, 29, 29);
    assertThat(gray.cropBoxXywh(new double[] {0, 0, 200, 100})).containsExactly(-20, -70, 240, 240);
    // 45 + 2 * 4.5 = 54 would centre the 45 px side at a half pixel: 55.
    assertThat(gray.cropBoxXywh(new double[] {0, 0, 45, 20})).containsExactly(-5, -17, 55, 55);
    assertThat(gray.cropBoxXywh(new double[] {7, 9, 1, 1})).containsExactly(3, 5, 9, 9);
  }

  @Test
  void grayModeCentresTheDiscAndFillsTheOutsideWithTheMeanColour() {
    Scene scene = Scene.discOnBlue(120, 80, 50, 40, 10);
    float[] out = new float[3 * PLANE];
    gray.write(scene.image, scene.mask, out, 0);

    assertPixel(out, 112, 112, RED, 1e-5f);
    assertPixel(out, 0, 0, FILL, 1e-5f);
    assertPixel(out, S - 1, 0, FILL, 1e-5f);
    assertPixel(out, 20, S - 1, FILL, 1e-5f);

    // Red pixels (R above the mid-point of fill 123 and red 255): centred, and the disc (317 px
    // in a 29 px crop) scaled by (224 / 29)^2.
    double sx = 0;
    double sy = 0;
    int n = 0;
    for (int y = 0; y < S; y++) {
      for (int x = 0; x < S; x++) {
        if (out[y * S + x] > 0.9668f) {
          sx += x;
          sy += y;
          n++;
        }
      }
    }
    assertThat(sx / n).isCloseTo(111.5, within(0.5));
    assertThat(sy / n).isCloseTo(111.5, within(0.5));
    assertThat((double) n).isCloseTo(317 * Math.pow(224 / 29.0, 2), within(0.02 * n));
  }

  @Test
  void blurModeKeepsInsidePixelsExactWhenNoResizeIsNeeded() {
    // The disc's crop box is 29 px: with S = 29 the crop is not resized.
    Scene scene = Scene.discOnBlue(120, 80, 50, 40, 10);
    MaskCrops crops = new MaskCrops(29, MaskCrops.clipMean(), MaskCrops.clipStd(), Background.BLUR);
    float[] out = new float[crops.floatsPerCrop()];
    crops.write(scene.image, scene.mask, out, 0);
    for (int y = 0; y < 29; y++) {
      for (int x = 0; x < 29; x++) {
        boolean inside = scene.mask[(26 + y) * 120 + 36 + x] != 0;
        for (int c = 0; c < 3; c++) {
          float v = out[c * 29 * 29 + y * 29 + x];
          if (inside) {
            assertThat(v).isCloseTo(RED[c], within(1e-5f));
          } else if (c == 0) {
            // Blurred blue with a little red near the disc: far below red.
            assertThat(v).isLessThan(0f);
          }
        }
      }
    }
  }

  @Test
  void blurModeDiffersFromGrayOnlyOutsideTheMask() {
    Scene scene = Scene.discOnBlue(120, 80, 50, 40, 10);
    float[] g = new float[3 * PLANE];
    float[] b = new float[3 * PLANE];
    gray.write(scene.image, scene.mask, g, 0);
    blur.write(scene.image, scene.mask, b, 0);
    // More than the bicubic support (2 source px) inside the disc edge: identical values.
    int inside = 0;
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < S; y++) {
        for (int x = 0; x < S; x++) {
          if (Math.hypot(x - 111.5, y - 111.5) < 7 * S / 29.0) {
            assertThat(b[c * PLANE + y * S + x]).isEqualTo(g[c * PLANE + y * S + x]);
            inside++;
          }
        }
      }
    }
    assertThat(inside).isGreaterThan(3 * 9_000);
    // Far outside: the blurred blue background, not the gray fill.
    assertPixel(b, 0, 0, BLUE, 0.05f);
    assertPixel(b, S - 1, S - 1, BLUE, 0.05f);
  }

  @Test
  void largeCropsKeepTheirGeometryAfterTheReduction() {
    // Disc of radius 400: crop side 963 >= 4 * 224, reduced 2x first; it also passes the top.
    Scene scene = Scene.discOnBlue(1000, 900, 500, 450, 400);
    Rle rle = Rle.encodeRowMajor(scene.mask, 900, 1000);
    assertThat(gray.cropBoxXywh(rle.bboxXywh())).containsExactly(19, -31, 963, 963);
    float[] g = new float[3 * PLANE];
    float[] b = new float[3 * PLANE];
    gray.write(scene.image, rle, g, 0);
    blur.write(scene.image, rle, b, 0);
    assertPixel(g, 112, 112, RED, 1e-5f);
    assertPixel(g, 0, 0, FILL, 1e-5f);
    double sx = 0;
    double sy = 0;
    int n = 0;
    for (int y = 0; y < S; y++) {
      for (int x = 0; x < S; x++) {
        if (g[y * S + x] > 0.9668f) {
          sx += x;
          sy += y;
          n++;
        }
        if (Math.hypot(x - 111.5, y - 111.5) < 90) {
          for (int c = 0; c < 3; c++) {
            assertThat(b[c * PLANE + y * S + x]).isEqualTo(g[c * PLANE + y * S + x]);
          }
        }
      }
    }
    assertThat(sx / n).isCloseTo(111.5, within(0.5));
    assertThat(sy / n).isCloseTo(111.5, within(0.5));
    assertThat((double) n)
        .isCloseTo(Math.PI * 400.5 * 400.5 * Math.pow(224 / 963.0, 2), within(0.02 * n));
    float[] fromBytes = new float[3 * PLANE];
    blur.write(scene.image, scene.mask, fromBytes, 0);
    assertThat(fromBytes).isEqualTo(b);
  }

  @Test
  void blurIsStrongEnoughToEraseFineTexture() {
    // A 1 px black/white checkerboard (each square 7.7 px after the resize) around a red disc.
    Scene scene = Scene.discOnBlue(120, 80, 50, 40, 10);
    byte[] rgb = scene.image.rgb().clone();
    for (int y = 0; y < 80; y++) {
      for (int x = 0; x < 120; x++) {
        if (scene.mask[y * 120 + x] == 0) {
          byte v = (byte) ((x + y) % 2 == 0 ? 255 : 0);
          Arrays.fill(rgb, (y * 120 + x) * 3, (y * 120 + x) * 3 + 3, v);
        }
      }
    }
    float[] out = new float[3 * PLANE];
    blur.write(new RgbImage(120, 80, rgb), scene.mask, out, 0);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        assertPixel(out, x, y, MID_GRAY, 0.03f);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Background.class)
  void rleAndBinaryMasksGiveTheSameInputEvenPastTheImageEdge(Background background) {
    MaskCrops crops = new MaskCrops(S, MaskCrops.clipMean(), MaskCrops.clipStd(), background);
    int w = 97;
    int h = 61;
    RgbImage image = randomImage(w, h, 3);
    byte[] mask = new byte[w * h];
    // Two blobs touching the left and bottom edges: the crop box extends past the image.
    for (int y = 20; y < h; y++) {
      for (int x = 0; x < 30; x++) {
        mask[y * w + x] = (byte) ((x * 7 + y * 3) % 5 == 0 ? 0 : 1);
      }
    }
    mask[10 * w + 35] = 1;
    Rle rle = Rle.encodeRowMajor(mask, h, w);
    float[] fromBytes = new float[3 * PLANE];
    float[] fromRle = new float[3 * PLANE];
    crops.write(image, mask, fromBytes, 0);
    crops.write(image, rle, fromRle, 0);
    assertThat(crops.cropBoxXywh(rle.bboxXywh())[0]).isNegative();
    assertThat(fromRle).isEqualTo(fromBytes);
  }

  @Test
  void padsPastTheImageEdgeWithTheFillColour() {
    // A disc cut by the top-left corner: the crop is centred on its box, padded outside.
    Scene scene = Scene.discOnBlue(60, 50, 2, 3, 8);
    int[] box = gray.cropBoxXywh(new double[] {0, 0, 11, 12});
    assertThat(box[0]).isNegative();
    assertThat(box[1]).isNegative();
    float[] out = new float[3 * PLANE];
    gray.write(scene.image, scene.mask, out, 0);
    assertPixel(out, 0, 0, FILL, 1e-5f);
    assertPixel(out, 112, 112, RED, 1e-5f);
  }

  @Test
  void writesEachCropAtItsOffsetInTheBatch() {
    Scene a = Scene.discOnBlue(120, 80, 50, 40, 10);
    Scene b = Scene.discOnBlue(120, 80, 90, 20, 6);
    float[] expectedA = new float[3 * PLANE];
    float[] expectedB = new float[3 * PLANE];
    blur.write(a.image, a.mask, expectedA, 0);
    blur.write(b.image, b.mask, expectedB, 0);

    int pad = 5;
    float[] batch = new float[pad + 2 * 3 * PLANE + pad];
    Arrays.fill(batch, Float.NaN);
    blur.write(a.image, a.mask, batch, pad);
    blur.write(b.image, Rle.encodeRowMajor(b.mask, 80, 120), batch, pad + blur.floatsPerCrop());
    assertThat(Arrays.copyOfRange(batch, pad, pad + 3 * PLANE)).isEqualTo(expectedA);
    assertThat(Arrays.copyOfRange(batch, pad + 3 * PLANE, pad + 6 * PLANE)).isEqualTo(expectedB);
    for (int i = 0; i < pad; i++) {
      assertThat(batch[i]).isNaN();
      assertThat(batch[batch.length - 1 - i]).isNaN();
    }
  }

  @Test
  void followsTheClipSpec() {
    ClipSpec spec =
        new ClipSpec(
            "tiny", 32, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f}, 77);
    MaskCrops crops = MaskCrops.of(spec, Background.GRAY);
    assertThat(crops.size()).isEqualTo(32);
    Scene scene = Scene.discOnBlue(40, 40, 20, 20, 5);
    float[] out = new float[crops.floatsPerCrop()];
    crops.write(scene.image, scene.mask, out, 0);
    // Red at the centre: (1 - 0.5) / 0.5, (0 - 0.5) / 0.5; the fill 128: (128 / 255 - 0.5) / 0.5.
    assertThat(out[16 * 32 + 16]).isCloseTo(1f, within(1e-6f));
    assertThat(out[1024 + 16 * 32 + 16]).isCloseTo(-1f, within(1e-6f));
    assertThat(out[0]).isCloseTo(0.003922f, within(1e-6f));
  }

  @Test
  void rejectsEmptyAndMismatchedMasksAndBadOffsets() {
    RgbImage image = randomImage(10, 8, 4);
    float[] batch = new float[3 * PLANE];
    assertThatThrownBy(() -> gray.write(image, new byte[80], batch, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid mask: empty");
    assertThatThrownBy(() -> gray.write(image, Rle.empty(8, 10), batch, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid mask: empty");
    assertThatThrownBy(() -> gray.write(image, new byte[81], batch, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid mask: 81 bytes for a 10x8 image");
    assertThatThrownBy(() -> gray.write(image, Rle.empty(10, 8), batch, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid mask: 8x10 for a 10x8 image");
    byte[] one = new byte[80];
    one[5] = 1;
    assertThatThrownBy(() -> gray.write(image, one, batch, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid batch offset: 1");
  }

  private static void assertPixel(float[] chw, int x, int y, float[] expected, float tolerance) {
    for (int c = 0; c < 3; c++) {
      assertThat(chw[c * PLANE + y * S + x])
          .as("channel %d at (%d, %d)", c, x, y)
          .isCloseTo(expected[c], within(tolerance));
    }
  }

  private static RgbImage randomImage(int w, int h, long seed) {
    byte[] rgb = new byte[w * h * 3];
    new Random(seed).nextBytes(rgb);
    return new RgbImage(w, h, rgb);
  }

  /** A red disc (pixels within r of (cx, cy)) on a blue image, and its mask. */
  private record Scene(RgbImage image, byte[] mask) {
    static Scene discOnBlue(int w, int h, int cx, int cy, int r) {
      byte[] rgb = new byte[w * h * 3];
      byte[] mask = new byte[w * h];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int i = y * w + x;
          boolean in = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;
          mask[i] = (byte) (in ? 1 : 0);
          rgb[3 * i] = (byte) (in ? 255 : 0);
          rgb[3 * i + 2] = (byte) (in ? 0 : 255);
        }
      }
      return new Scene(new RgbImage(w, h, rgb), mask);
    }
  }
}
