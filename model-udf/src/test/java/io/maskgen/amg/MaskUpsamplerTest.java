package io.maskgen.amg;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskgen.amg.MaskUpsampler.Binarized;
import io.maskgen.amg.MaskUpsampler.Thresholds;
import io.maskgen.schema.rle.Rle;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskUpsamplerTest {

  private static final Thresholds SAM = Thresholds.of(0f, 1.0);

  @Test
  void matchesPyTorchInterpolateWithin1e4() {
    for (UpsampleFixture f : UpsampleFixture.load()) {
      MaskUpsampler up = f.upsampler();
      for (int c = 0; c < f.expected().length; c++) {
        float[] got = up.upsample(f.logits(), c * f.lowSize() * f.lowSize());
        float[] want = f.expected()[c];
        assertThat(got).hasSameSizeAs(want);
        double maxDiff = 0;
        for (int i = 0; i < want.length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
        }
        assertThat(maxDiff).as("%s channel %d", f.name(), c).isLessThan(1e-4);
      }
    }
  }

  @Test
  void binarisationAgreesWithPyTorchAwayFromTheThreshold() {
    // Java and PyTorch round differently (double composed weights vs two float32 passes), so a
    // pixel within ~1e-6 of a threshold may fall either side; every other pixel must agree.
    for (UpsampleFixture f : UpsampleFixture.load()) {
      MaskUpsampler up = f.upsampler();
      for (int c = 0; c < f.expected().length; c++) {
        Binarized b =
            up.binarize(
                f.logits(), c * f.lowSize() * f.lowSize(), SAM, 0, 0, f.outHeight(), f.outWidth());
        byte[] mask = b.rle().decodeRowMajor();
        float[] want = f.expected()[c];
        int inter = 0;
        int union = 0;
        int ambiguous = 0;
        for (int i = 0; i < want.length; i++) {
          float v = want[i];
          if (Math.abs(v) < 1e-4 || Math.abs(v - 1) < 1e-4 || Math.abs(v + 1) < 1e-4) {
            ambiguous++;
            continue;
          }
          assertThat(mask[i] != 0).as("%s pixel %d value %s", f.name(), i, v).isEqualTo(v > 0);
          inter += v > 1 ? 1 : 0;
          union += v > -1 ? 1 : 0;
        }
        assertThat(ambiguous).as(f.name()).isLessThan(want.length / 1000 + 2);
        assertThat(Math.abs(b.intersections() - inter)).isLessThanOrEqualTo(ambiguous);
        assertThat(Math.abs(b.unions() - union)).isLessThanOrEqualTo(ambiguous);
      }
    }
  }

  @Test
  void exactZerosInTheLogitsStayBackground() {
    // A flat 0 region upsamples to exactly 0, which is not > 0 in PyTorch nor here.
    float[] low = new float[8 * 8];
    MaskUpsampler up = MaskUpsampler.create(8, 8, 32, 32, 32, 45, 45);
    Binarized b = up.binarize(low, 0, SAM, 0, 0, 45, 45);
    assertThat(b.rle().area()).isZero();
    assertThat(b.unions()).isEqualTo(45 * 45);
    assertThat(b.intersections()).isZero();
    assertThat(b.boxXyxy()).containsExactly(0, 0, 0, 0);
    assertThat(b.stabilityScore()).isZero();
  }

  @Test
  void fusedBinarisationEqualsThresholdingTheUpsampledLogits() {
    // binarize() skips regions it can prove are below / above the thresholds; it must give exactly
    // what thresholding every pixel of upsample() gives, in the image frame.
    Random rnd = new Random(7);
    int[][] shapes = {
      {16, 64, 64, 48, 50, 37},
      {16, 64, 48, 64, 30, 40},
      {32, 128, 128, 85, 160, 107},
      {16, 64, 64, 64, 64, 64}
    };
    for (int[] s : shapes) {
      int l = s[0];
      MaskUpsampler up = MaskUpsampler.create(l, l, s[1], s[2], s[3], s[4], s[5]);
      for (int trial = 0; trial < 6; trial++) {
        float[] low = smoothLogits(rnd, l, trial);
        int imageH = s[4] + 13;
        int imageW = s[5] + 7;
        int x0 = 5;
        int y0 = 9;
        Binarized b = up.binarize(low, 0, SAM, x0, y0, imageH, imageW);
        float[] full = up.upsample(low, 0);
        byte[] expectedImage = new byte[imageH * imageW];
        byte[] crop = new byte[s[4] * s[5]];
        int inter = 0;
        int union = 0;
        for (int y = 0; y < s[4]; y++) {
          for (int x = 0; x < s[5]; x++) {
            float v = full[y * s[5] + x];
            inter += v > 1f ? 1 : 0;
            union += v > -1f ? 1 : 0;
            if (v > 0f) {
              expectedImage[(y + y0) * imageW + x + x0] = 1;
              crop[y * s[5] + x] = 1;
            }
          }
        }
        assertThat(b.rle()).isEqualTo(Rle.encodeRowMajor(expectedImage, imageH, imageW));
        assertThat(b.intersections()).isEqualTo(inter);
        assertThat(b.unions()).isEqualTo(union);
        assertThat(b.boxXyxy()).containsExactly(Boxes.maskToBoxXyxy(crop, s[4], s[5]));
      }
    }
  }

  @Test
  void fusedBinarisationEqualsThresholdingOnPlateausBetweenAndAtTheThresholds() {
    // Piecewise-constant logits (like the shipped tiny-sam's -10 / 0.5 / 10) with plateaus between
    // the thresholds, exactly on them and within rounding of them: settled blocks, columns and rows
    // must give exactly what thresholding every pixel gives.
    float[] levels = {-10f, -1f, -0.5f, 0f, 0.5f, 1f, 10f, 1e-7f, -1e-7f, 1.0000001f, -0.9999999f};
    Random rnd = new Random(11);
    int[][] shapes = {
      {16, 64, 64, 48, 50, 37},
      {32, 128, 128, 85, 160, 107},
      {16, 64, 64, 64, 64, 64},
      {64, 256, 256, 171, 1500, 2250}
    };
    for (int[] s : shapes) {
      int l = s[0];
      MaskUpsampler up = MaskUpsampler.create(l, l, s[1], s[2], s[3], s[4], s[5]);
      for (int trial = 0; trial < 8; trial++) {
        float[] low = new float[l * l];
        int cell = 1 + rnd.nextInt(4);
        for (int i = 0; i < l; i++) {
          for (int j = 0; j < l; j++) {
            Random r = new Random(31L * trial + 7919L * (i / cell) + (j / cell));
            low[i * l + j] = levels[r.nextInt(trial < 4 ? 7 : levels.length)];
          }
        }
        assertBinarizationMatchesUpsampling(up, low, s[4], s[5]);
      }
    }
  }

  private static void assertBinarizationMatchesUpsampling(
      MaskUpsampler up, float[] low, int outH, int outW) {
    Binarized b = up.binarize(low, 0, SAM, 0, 0, outH, outW);
    float[] full = up.upsample(low, 0);
    byte[] mask = new byte[outH * outW];
    int inter = 0;
    int union = 0;
    for (int i = 0; i < full.length; i++) {
      inter += full[i] > 1f ? 1 : 0;
      union += full[i] > -1f ? 1 : 0;
      mask[i] = (byte) (full[i] > 0f ? 1 : 0);
    }
    assertThat(b.rle()).isEqualTo(Rle.encodeRowMajor(mask, outH, outW));
    assertThat(b.intersections()).isEqualTo(inter);
    assertThat(b.unions()).isEqualTo(union);
    assertThat(b.boxXyxy()).containsExactly(Boxes.maskToBoxXyxy(mask, outH, outW));
  }

  /** Logits with large flat regions (both signs) and ramps, like real masks; some all-positive. */
  static float[] smoothLogits(Random rnd, int l, int trial) {
    float[] low = new float[l * l];
    double cy = rnd.nextDouble() * l;
    double cx = rnd.nextDouble() * l;
    double r = 2 + rnd.nextDouble() * l / 2;
    double bias = trial == 5 ? 30 : 0;
    for (int i = 0; i < l; i++) {
      for (int j = 0; j < l; j++) {
        double d = Math.hypot(i - cy, j - cx);
        double v = Math.max(-20, Math.min(20, 3 * (r - d))) + bias;
        if (trial % 2 == 1) {
          v += rnd.nextGaussian() * 0.5;
        }
        low[i * l + j] = (float) v;
      }
    }
    return low;
  }
}
