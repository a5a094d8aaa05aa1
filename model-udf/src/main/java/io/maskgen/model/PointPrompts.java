package io.maskgen.model;

import java.util.Arrays;

/**
 * A batch of B point prompts with N points each, flattened row-major.
 *
 * @param batch B
 * @param points N, the number of points per prompt
 * @param coords B*N*2 floats, (x, y) in the model's input frame (pixels of the
 *     {@code imageSize x imageSize} padded input)
 * @param labels B*N floats: 1 foreground, 0 background, -1 padding, 2 and 3 the top-left and
 *     bottom-right corners of a box (only for models whose spec {@link
 *     SegmenterSpec#acceptsBoxes accepts boxes}; the corners come last in a prompt, as SAM's
 *     prompt encoder places them)
 * @param maskInput optional B*1*H*W low-resolution mask logits used as a mask prompt, or null
 */
public record PointPrompts(int batch, int points, float[] coords, float[] labels, float[] maskInput) {

  /** Label of a box's top-left corner. */
  public static final float BOX_TOP_LEFT = 2f;

  /** Label of a box's bottom-right corner. */
  public static final float BOX_BOTTOM_RIGHT = 3f;

  /** Label of SAM's "not a point" padding. */
  public static final float PADDING = -1f;

  public PointPrompts {
    if (batch <= 0 || points <= 0) {
      throw new IllegalArgumentException(
          "Invalid prompt batch: batch=" + batch + ", points=" + points + " (both must be > 0)");
    }
    if (coords.length != batch * points * 2) {
      throw new IllegalArgumentException(
          "Invalid prompt coords: expected " + batch * points * 2 + " floats, got " + coords.length);
    }
    if (labels.length != batch * points) {
      throw new IllegalArgumentException(
          "Invalid prompt labels: expected " + batch * points + " floats, got " + labels.length);
    }
  }

  /** One foreground point per prompt, the common case of the automatic mask generator. */
  public static PointPrompts singlePoints(float[] xy) {
    int b = xy.length / 2;
    float[] labels = new float[b];
    Arrays.fill(labels, 1f);
    return new PointPrompts(b, 1, xy, labels, null);
  }

  /** Whether prompt {@code b} has box corners (labels 2 or 3). */
  public boolean hasBox(int b) {
    for (int i = b * points; i < (b + 1) * points; i++) {
      if (labels[i] == BOX_TOP_LEFT || labels[i] == BOX_BOTTOM_RIGHT) {
        return true;
      }
    }
    return false;
  }

  /**
   * These prompts with SAM's padding point ({@code (0, 0)}, label -1) appended to each, as SAM's
   * prompt encoder does for prompts without a box.
   */
  public PointPrompts withPaddingPoint() {
    int n = points + 1;
    float[] c = new float[batch * n * 2];
    float[] l = new float[batch * n];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(coords, b * points * 2, c, b * n * 2, points * 2);
      System.arraycopy(labels, b * points, l, b * n, points);
      l[b * n + points] = PADDING;
    }
    return new PointPrompts(batch, n, c, l, maskInput);
  }
}
