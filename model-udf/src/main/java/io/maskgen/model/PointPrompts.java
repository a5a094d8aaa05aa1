package io.maskgen.model;

/**
 * A batch of B point prompts with N points each, flattened row-major.
 *
 * @param batch B
 * @param points N, the number of points per prompt
 * @param coords B*N*2 floats, (x, y) in the model's input frame (pixels of the
 *     {@code imageSize x imageSize} padded input)
 * @param labels B*N floats: 1 foreground, 0 background, -1 padding
 * @param maskInput optional B*1*H*W low-resolution mask logits used as a mask prompt, or null
 */
public record PointPrompts(int batch, int points, float[] coords, float[] labels, float[] maskInput) {

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
    java.util.Arrays.fill(labels, 1f);
    return new PointPrompts(b, 1, xy, labels, null);
  }
}
