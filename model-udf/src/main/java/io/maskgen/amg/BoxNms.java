package io.maskgen.amg;

import java.util.Arrays;
import java.util.Comparator;
import java.util.function.IntPredicate;

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
    return nms(boxesXyxy, scores, iouThreshold, i -> true);
  }

  /**
   * NMS over the boxes that pass a filter, asking the filter only about boxes that no kept box
   * suppresses: the result is {@link #nms(int[], float[], double)} of the boxes for which {@code
   * accept} holds, but a box that a kept box suppresses is never tested, so an expensive filter
   * (the stability score) runs on few boxes. {@code accept} is called at most once per box, in
   * score order.
   */
  public static int[] nms(
      int[] boxesXyxy, float[] scores, double iouThreshold, IntPredicate accept) {
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
    int[] keep = new int[n];
    int kept = 0;
    for (int a = 0; a < n; a++) {
      int j = order[a];
      if (!suppressed(boxesXyxy, area, keep, kept, j, iouThreshold) && accept.test(j)) {
        keep[kept++] = j;
      }
    }
    return Arrays.copyOf(keep, kept);
  }

  /** Whether a kept box's IoU with box j is above the threshold (the kept box's arithmetic). */
  private static boolean suppressed(
      int[] boxesXyxy, float[] area, int[] keep, int kept, int j, double iouThreshold) {
    float jx0 = boxesXyxy[4 * j];
    float jy0 = boxesXyxy[4 * j + 1];
    float jx1 = boxesXyxy[4 * j + 2];
    float jy1 = boxesXyxy[4 * j + 3];
    for (int k = 0; k < kept; k++) {
      int i = keep[k];
      float w = Math.max(0f, Math.min(boxesXyxy[4 * i + 2], jx1) - Math.max(boxesXyxy[4 * i], jx0));
      float h =
          Math.max(0f, Math.min(boxesXyxy[4 * i + 3], jy1) - Math.max(boxesXyxy[4 * i + 1], jy0));
      float inter = w * h;
      float iou = inter / (area[i] + area[j] - inter);
      if (iou > iouThreshold) {
        return true;
      }
    }
    return false;
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
