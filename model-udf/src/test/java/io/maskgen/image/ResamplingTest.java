package io.maskgen.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResamplingTest {

  private static final int W = 37;
  private static final int H = 29;

  @ParameterizedTest
  @CsvSource({
    "BICUBIC, 12, 9",
    "BICUBIC, 5, 20",
    "BICUBIC, 53, 41",
    "BICUBIC, 37, 10",
    "BICUBIC, 16, 29",
    "BICUBIC, 3, 2",
    "BILINEAR, 12, 9",
    "BILINEAR, 5, 20",
    "BILINEAR, 53, 41",
    "BILINEAR, 37, 10",
    "BILINEAR, 16, 29",
    "BILINEAR, 3, 2"
  })
  void matchesPilExactly(ResizeFilter filter, int outW, int outH) throws IOException {
    // resampling/generate_fixtures.py: PIL 9.4 Image.resize((outW, outH), Image.<filter>) of
    // random noise, the hardest case for rounding.
    byte[] input = resource("input_" + W + "x" + H + ".rgb");
    String name = filter.name().toLowerCase(java.util.Locale.ROOT) + "_" + outW + "x" + outH;
    byte[] expected = resource(name + ".rgb");
    byte[] actual = Resampling.resize(input, W, H, outW, outH, filter);
    assertThat(maxAbsDiff(actual, expected)).isZero();
  }

  @Test
  void resizesRgbImages() throws IOException {
    RgbImage input = new RgbImage(W, H, resource("input_" + W + "x" + H + ".rgb"));
    RgbImage out = Resampling.resize(input, 53, 41, ResizeFilter.BICUBIC);
    assertThat(out.width()).isEqualTo(53);
    assertThat(out.height()).isEqualTo(41);
    assertThat(out.rgb()).isEqualTo(resource("bicubic_53x41.rgb"));
    assertThat(Resampling.resize(input, W, H, ResizeFilter.BICUBIC)).isSameAs(input);
  }

  @Test
  void keepsFlatImagesFlat() {
    byte[] flat = new byte[20 * 10 * 3];
    for (int i = 0; i < flat.length; i += 3) {
      flat[i] = (byte) 200;
      flat[i + 1] = 7;
      flat[i + 2] = (byte) 255;
    }
    for (ResizeFilter filter : ResizeFilter.values()) {
      byte[] out = Resampling.resize(flat, 20, 10, 7, 31, filter);
      for (int i = 0; i < out.length; i += 3) {
        assertThat(new int[] {out[i] & 0xff, out[i + 1] & 0xff, out[i + 2] & 0xff})
            .containsExactly(200, 7, 255);
      }
    }
  }

  private static int maxAbsDiff(byte[] a, byte[] b) {
    assertThat(a).hasSameSizeAs(b);
    int max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((a[i] & 0xff) - (b[i] & 0xff)));
    }
    return max;
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ResamplingTest.class.getResourceAsStream("/resampling/" + name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }
}
