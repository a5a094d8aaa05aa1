package io.maskgen.amg;

import java.util.Arrays;

/**
 * The prompts of one {@link MaskPredictor} call, in the original image's pixels, as {@code
 * SamPredictor.predict} takes them.
 *
 * @param pointsXy N points flattened as x0, y0, x1, y1, ... (may be empty when a box is given)
 * @param labels N labels: 1 foreground, 0 background
 * @param boxXyxy a box (x0, y0, x1, y1), or null
 * @param maskInput low-resolution mask logits from an earlier prediction ({@code L x L}, 256 x 256
 *     for SAM), or null; needs a decoder that takes {@code mask_input}
 * @param multimask whether to return the three multimask outputs (true) or the single-mask output
 */
public record MaskPrompt(
    double[] pointsXy, int[] labels, double[] boxXyxy, float[] maskInput, boolean multimask) {

  public MaskPrompt {
    if (pointsXy == null) {
      pointsXy = new double[0];
    }
    if (labels == null) {
      labels = new int[0];
    }
    if (pointsXy.length % 2 != 0 || labels.length * 2 != pointsXy.length) {
      throw new IllegalArgumentException(
          "Invalid prompt: " + pointsXy.length / 2.0 + " points and " + labels.length + " labels");
    }
    for (int l : labels) {
      if (l != 0 && l != 1) {
        throw new IllegalArgumentException(
            "Invalid point label: " + l + ", expected 1 (foreground) or 0 (background)");
      }
    }
    for (double v : pointsXy) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("Invalid point coordinate: " + v);
      }
    }
    if (boxXyxy != null) {
      if (boxXyxy.length != 4) {
        throw new IllegalArgumentException(
            "Invalid box: " + boxXyxy.length + " values, expected x0, y0, x1, y1");
      }
      for (double v : boxXyxy) {
        if (!Double.isFinite(v)) {
          throw new IllegalArgumentException("Invalid box: " + Arrays.toString(boxXyxy));
        }
      }
    }
    if (labels.length == 0 && boxXyxy == null) {
      throw new IllegalArgumentException("Invalid prompt: give at least one point or a box");
    }
  }

  /** Points only. */
  public static MaskPrompt points(double[] pointsXy, int[] labels, boolean multimask) {
    return new MaskPrompt(pointsXy, labels, null, null, multimask);
  }

  /** A box only. */
  public static MaskPrompt box(double[] boxXyxy, boolean multimask) {
    return new MaskPrompt(null, null, boxXyxy, null, multimask);
  }

  /** The number of points. */
  public int pointCount() {
    return labels.length;
  }
}
