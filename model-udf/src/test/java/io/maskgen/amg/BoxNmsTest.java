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
}
