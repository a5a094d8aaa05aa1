package io.maskgen.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PreprocessingTest {

  private static final float[] SAM_MEAN = {123.675f, 116.28f, 103.53f};
  private static final float[] SAM_STD = {58.395f, 57.12f, 57.375f};

  @Test
  void preprocessShapeScalesTheLongestSideAndRoundsHalfUp() {
    // SAM's get_preprocess_shape: int(x * scale + 0.5).
    assertThat(Preprocessing.preprocessShape(534, 800, 1024)).containsExactly(684, 1024);
    assertThat(Preprocessing.preprocessShape(1200, 1800, 1024)).containsExactly(683, 1024);
    assertThat(Preprocessing.preprocessShape(1024, 512, 1024)).containsExactly(1024, 512);
    assertThat(Preprocessing.preprocessShape(3, 2, 5)).containsExactly(5, 3);
  }

  @Test
  void normalisesTheResizedImageAndZeroPadsBottomAndRight() {
    // A flat 6 x 3 image resizes to a flat 8 x 4 one at any filter.
    byte[] rgb = new byte[6 * 3 * 3];
    for (int i = 0; i < rgb.length; i += 3) {
      rgb[i] = (byte) 200;
      rgb[i + 1] = 100;
      rgb[i + 2] = 0;
    }
    PreparedImage p = Preprocessing.prepare(new RgbImage(6, 3, rgb), 8, SAM_MEAN, SAM_STD);
    assertThat(p.inputHeight()).isEqualTo(4);
    assertThat(p.inputWidth()).isEqualTo(8);
    assertThat(p.originalHeight()).isEqualTo(3);
    assertThat(p.originalWidth()).isEqualTo(6);
    int[] values = {200, 100, 0};
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          float expected = y < 4 ? (values[c] - SAM_MEAN[c]) / SAM_STD[c] : 0f;
          assertThat(p.chw()[c * 64 + y * 8 + x]).isCloseTo(expected, within(1e-5f));
        }
      }
    }
  }

  @Test
  void defaultIsPilBilinearLikeTheReferencePredictorAndFilterChoiceMatters() {
    byte[] rgb = new byte[4 * 4 * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) ((i / 3) % 2 == 0 ? 255 : 0);
    }
    RgbImage image = new RgbImage(4, 4, rgb);
    float[] zero = {0, 0, 0};
    float[] one = {1, 1, 1};
    PreparedImage cubic = Preprocessing.prepare(image, 6, zero, one, ResizeFilter.BICUBIC);
    PreparedImage linear = Preprocessing.prepare(image, 6, zero, one, ResizeFilter.BILINEAR);
    assertThat(Preprocessing.prepare(image, 6, zero, one).chw()).containsExactly(linear.chw());
    assertThat(linear.chw()).isNotEqualTo(cubic.chw());
  }
}
