package io.maskgen.amg;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskgen.amg.MaskUpsampler.Binarized;
import io.maskgen.amg.MaskUpsampler.Screened;
import io.maskgen.amg.MaskUpsampler.Thresholds;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link MaskUpsampler#screen}: its box and its compacted logits must give exactly what binarising
 * the original logits gives, on every kind of logits the generator meets.
 */
class CompactLogitsTest {

  private static final Thresholds SAM = Thresholds.of(0f, 1.0);
  private static final int[][] SHAPES = {
    {16, 64, 64, 48, 50, 37},
    {16, 64, 48, 64, 30, 40},
    {32, 128, 128, 85, 160, 107},
    {16, 64, 64, 64, 64, 64},
    {64, 256, 256, 171, 1500, 2250},
    {64, 256, 171, 256, 2250, 1500},
    {32, 64, 64, 64, 20, 24}
  };

  @Test
  void screenedBoxAndCompactedLogitsBinariseLikeTheOriginalOnSmoothLogits() {
    Random rnd = new Random(3);
    for (int[] s : SHAPES) {
      MaskUpsampler up = MaskUpsampler.create(s[0], s[0], s[1], s[2], s[3], s[4], s[5]);
      for (int trial = 0; trial < 12; trial++) {
        float[] low = MaskUpsamplerTest.smoothLogits(rnd, s[0], trial % 6);
        assertScreenedLikeOriginal(up, low, SAM, s);
      }
    }
  }

  @Test
  void screenedBoxAndCompactedLogitsBinariseLikeTheOriginalOnPlateaus() {
    // Plateaus between, exactly at and within rounding of the thresholds, in blocks of 1-4 cells.
    float[] levels = {-10f, -1f, -0.5f, 0f, 0.5f, 1f, 10f, 1e-7f, -1e-7f, 1.0000001f, -0.9999999f};
    Random rnd = new Random(5);
    for (int[] s : SHAPES) {
      int l = s[0];
      MaskUpsampler up = MaskUpsampler.create(l, l, s[1], s[2], s[3], s[4], s[5]);
      for (int trial = 0; trial < 10; trial++) {
        float[] low = new float[l * l];
        int cell = 1 + rnd.nextInt(4);
        // Some trials keep the plateaus inside a small rectangle, like a small object's mask.
        int h = trial % 3 == 0 ? 1 + rnd.nextInt(l / 3) : l;
        int w = trial % 3 == 0 ? 1 + rnd.nextInt(l / 3) : l;
        int top = rnd.nextInt(l - h + 1);
        int left = rnd.nextInt(l - w + 1);
        java.util.Arrays.fill(low, -10f);
        for (int i = top; i < top + h; i++) {
          for (int j = left; j < left + w; j++) {
            Random r = new Random(31L * trial + 7919L * (i / cell) + (j / cell));
            low[i * l + j] = levels[r.nextInt(trial < 5 ? 7 : levels.length)];
          }
        }
        assertScreenedLikeOriginal(up, low, SAM, s);
        assertScreenedLikeOriginal(up, low, Thresholds.of(0.5f, 0.5), s);
      }
    }
  }

  @Test
  void allBelowAndAllAboveMasks() {
    int[] s = SHAPES[0];
    MaskUpsampler up = MaskUpsampler.create(s[0], s[0], s[1], s[2], s[3], s[4], s[5]);
    float[] below = new float[s[0] * s[0]];
    java.util.Arrays.fill(below, -5f);
    Screened none = assertScreenedLikeOriginal(up, below, SAM, s);
    assertThat(none.boxXyxy()).containsExactly(0, 0, 0, 0);
    assertThat(none.logits().exactCount()).isZero();
    float[] above = new float[s[0] * s[0]];
    java.util.Arrays.fill(above, 5f);
    Screened all = assertScreenedLikeOriginal(up, above, SAM, s);
    assertThat(all.boxXyxy()).containsExactly(0, 0, s[5] - 1, s[4] - 1);
    assertThat(all.logits().exactCount()).isZero();
  }

  @Test
  void aSmoothMaskKeepsFewExactLogits() {
    // A disc of radius ~20 cells on a 64 x 64 grid: exact values only in a band along its edge.
    MaskUpsampler up = MaskUpsampler.create(64, 64, 256, 256, 256, 1024, 1024);
    float[] low = new float[64 * 64];
    for (int i = 0; i < 64; i++) {
      for (int j = 0; j < 64; j++) {
        low[i * 64 + j] = Math.max(-10f, Math.min(10f, (float) (20 - Math.hypot(i - 30, j - 33))));
      }
    }
    Screened sc =
        assertScreenedLikeOriginal(up, low, SAM, new int[] {64, 256, 256, 256, 1024, 1024});
    assertThat(sc.logits().exactCount()).isGreaterThan(0).isLessThan(64 * 64 / 2);
  }

  private static Screened assertScreenedLikeOriginal(
      MaskUpsampler up, float[] low, Thresholds t, int[] s) {
    // A second mask after the first in the same array, as the decoder returns them.
    float[] two = new float[2 * low.length];
    System.arraycopy(low, 0, two, low.length, low.length);
    int imageH = s[4] + 3;
    int imageW = s[5] + 5;
    Binarized want = up.binarize(two, low.length, t, 2, 1, imageH, imageW);
    Screened sc = up.screen(two, low.length, t);
    assertThat(sc.boxXyxy()).as("box").containsExactly(want.boxXyxy());
    Binarized got = up.binarize(sc.logits(), t, 2, 1, imageH, imageW);
    assertThat(got.rle()).isEqualTo(want.rle());
    assertThat(got.intersections()).isEqualTo(want.intersections());
    assertThat(got.unions()).isEqualTo(want.unions());
    assertThat(got.boxXyxy()).containsExactly(want.boxXyxy());
    return sc;
  }
}
