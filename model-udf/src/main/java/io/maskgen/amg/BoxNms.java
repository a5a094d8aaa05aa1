package io.maskgen.amg;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Greedy non-maximum suppression on XYXY boxes, with the arithmetic of torchvision's CPU {@code
 * nms} kernel: float32 coordinates, area {@code (x1 - x0) * (y1 - y0)}, intersection clamped at 0,
 * {@code iou = inter / (areaA + areaB - inter)}, and a box is suppressed when its IoU with a kept
 * box is strictly greater than the threshold (a 0/0 IoU of two empty boxes suppresses nothing).
 *
 * <p>Ties in score are broken by the original index, lower first (a stable sort, as the CPU kernel
 * sorts); the GPU kernel's unstable sort may order tied boxes differently.
 */
public final class BoxNms {

  private BoxNms() {}

  /**
   * Returns the indices of the kept boxes, by score descending (ties: lower index first).
   *
   * @param boxesXyxy 4 ints per box
   * @param scores one score per box; NaN sorts first, like {@code torch.sort(descending=True)}
   * @param iouThreshold suppress boxes whose IoU with a kept box is {@code >} this
   */
  public static int[] nms(int[] boxesXyxy, float[] scores, double iouThreshold) {
    int n = scores.length;
    if (boxesXyxy.length != 4 * n) {
      throw new IllegalArgumentException(
          "NMS needs 4 coordinates per score: " + boxesXyxy.length + " for " + n);
    }
    int[] order = sortByScoreDescending(scores);
    float[] area = new float[n];
    for (int i = 0; i < n; i++) {
      area[i] =
          ((float) boxesXyxy[4 * i + 2] - boxesXyxy[4 * i])
              * ((float) boxesXyxy[4 * i + 3] - boxesXyxy[4 * i + 1]);
    }
    boolean[] suppressed = new boolean[n];
    int[] keep = new int[n];
    int kept = 0;
    for (int a = 0; a < n; a++) {
      int i = order[a];
      if (suppressed[i]) {
        continue;
      }
      keep[kept++] = i;
      float ix0 = boxesXyxy[4 * i];
      float iy0 = boxesXyxy[4 * i + 1];
      float ix1 = boxesXyxy[4 * i + 2];
      float iy1 = boxesXyxy[4 * i + 3];
      for (int b = a + 1; b < n; b++) {
        int j = order[b];
        if (suppressed[j]) {
          continue;
        }
        float w =
            Math.max(0f, Math.min(ix1, boxesXyxy[4 * j + 2]) - Math.max(ix0, boxesXyxy[4 * j]));
        float h =
            Math.max(0f, Math.min(iy1, boxesXyxy[4 * j + 3]) - Math.max(iy0, boxesXyxy[4 * j + 1]));
        float inter = w * h;
        float iou = inter / (area[i] + area[j] - inter);
        if (iou > iouThreshold) {
          suppressed[j] = true;
        }
      }
    }
    return Arrays.copyOf(keep, kept);
  }

  /** Indices sorted by score descending, stable (ties keep index order); NaN first. */
  static int[] sortByScoreDescending(float[] scores) {
    Integer[] idx = new Integer[scores.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    // Arrays.sort on objects is a stable merge sort.
    Arrays.sort(idx, Comparator.comparing((Integer i) -> scores[i], (x, y) -> Float.compare(y, x)));
    int[] out = new int[idx.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = idx[i];
    }
    return out;
  }
}
