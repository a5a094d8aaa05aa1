package io.maskgen.amg;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BoxNmsTest {

  @Test
  void suppressesOverlapsAboveTheThresholdAndReturnsByScore() {
    int[] boxes = {
      0, 0, 10, 10, // 0
      1, 0, 11, 10, // 1: IoU with 0 = 90 / 110 = 0.818
      20, 20, 30, 30, // 2: disjoint
      0, 0, 10, 20, // 3: IoU with 0 = 100 / 200 = 0.5
    };
    float[] scores = {0.9f, 0.95f, 0.5f, 0.8f};
    assertThat(BoxNms.nms(boxes, scores, 0.7)).containsExactly(1, 3, 2);
    assertThat(BoxNms.nms(boxes, scores, 0.85)).containsExactly(1, 0, 3, 2);
  }

  @Test
  void iouEqualToTheThresholdIsKept() {
    int[] boxes = {0, 0, 10, 10, 0, 0, 10, 20}; // IoU exactly 0.5
    assertThat(BoxNms.nms(boxes, new float[] {1f, 0.5f}, 0.5)).containsExactly(0, 1);
    assertThat(BoxNms.nms(boxes, new float[] {1f, 0.5f}, 0.49)).containsExactly(0);
  }

  @Test
  void tiedScoresKeepTheLowerIndex() {
    int[] boxes = {0, 0, 10, 10, 0, 0, 10, 10, 50, 50, 60, 60, 50, 50, 60, 61};
    float[] scores = {0.5f, 0.5f, 0.5f, 0.5f};
    assertThat(BoxNms.nms(boxes, scores, 0.7)).containsExactly(0, 2);
    // The order among tied kept boxes is the input order.
    float[] s2 = {0.5f, 0.9f, 0.5f, 0.5f};
    assertThat(BoxNms.nms(boxes, s2, 0.7)).containsExactly(1, 2);
  }

  @Test
  void emptyBoxesSuppressNothing() {
    // Zero-area boxes: IoU 0 / 0 is NaN, which is not > threshold (torchvision keeps both).
    int[] boxes = {0, 0, 0, 0, 0, 0, 0, 0};
    assertThat(BoxNms.nms(boxes, new float[] {1f, 0.9f}, 0.7)).containsExactly(0, 1);
  }

  @Test
  void noBoxesGiveNoKeeps() {
    assertThat(BoxNms.nms(new int[0], new float[0], 0.7)).isEmpty();
  }

  @Test
  void aFilterAskedLazilyGivesNmsOfTheAcceptedBoxes() {
    java.util.Random rnd = new java.util.Random(17);
    int askedTotal = 0;
    int boxesTotal = 0;
    for (int trial = 0; trial < 200; trial++) {
      int n = rnd.nextInt(60);
      int[] boxes = new int[4 * n];
      float[] scores = new float[n];
      boolean[] accepted = new boolean[n];
      for (int i = 0; i < n; i++) {
        // Near-duplicates around a few places, like the candidates of a point grid.
        int x = 40 * rnd.nextInt(3) + rnd.nextInt(6);
        int y = 40 * rnd.nextInt(3) + rnd.nextInt(6);
        boxes[4 * i] = x;
        boxes[4 * i + 1] = y;
        boxes[4 * i + 2] = x + (i % 9 == 0 ? rnd.nextInt(3) : 20 + rnd.nextInt(10));
        boxes[4 * i + 3] = y + 20 + rnd.nextInt(10);
        scores[i] = rnd.nextInt(8) / 8f; // ties on purpose
        accepted[i] = rnd.nextInt(3) > 0;
      }
      // Eager: filter, NMS, map back to the original indices.
      int[] idx = java.util.stream.IntStream.range(0, n).filter(i -> accepted[i]).toArray();
      int[] sub = new int[4 * idx.length];
      float[] subScores = new float[idx.length];
      for (int k = 0; k < idx.length; k++) {
        System.arraycopy(boxes, 4 * idx[k], sub, 4 * k, 4);
        subScores[k] = scores[idx[k]];
      }
      int[] want =
          java.util.Arrays.stream(BoxNms.nms(sub, subScores, 0.5)).map(k -> idx[k]).toArray();
      int[] asked = new int[n];
      int[] got =
          BoxNms.nms(
              boxes,
              scores,
              0.5,
              i -> {
                asked[i]++;
                return accepted[i];
              });
      assertThat(got).as("trial %d", trial).containsExactly(want);
      assertThat(java.util.Arrays.stream(asked).max().orElse(0)).isLessThanOrEqualTo(1);
      askedTotal += java.util.Arrays.stream(asked).sum();
      boxesTotal += n;
      for (int i = 0; i < n; i++) {
        if (asked[i] == 0) {
          assertThat(got).doesNotContain(i);
        }
      }
    }
    // Suppressed boxes were not asked about: fewer questions than boxes (an eager filter asks all).
    assertThat(askedTotal).isLessThan(boxesTotal * 6 / 10);
  }
}
