package io.maskgen.model;

/**
 * A CLIP-style dual encoder: images and texts to embeddings in one space, unit length.
 *
 * <p>Implementations own native memory and must be closed; safe for concurrent use.
 */
public interface ClipModel extends AutoCloseable {

  ClipSpec spec();

  /**
   * Embeds B images.
   *
   * @param pixelValues B*3*S*S floats (S = {@code spec().imageSize()}), RGB planes, normalised with
   *     the model's mean and std on the 0-1 scale
   * @return B unit-length embeddings
   */
  float[][] embedImages(float[] pixelValues, int batch);

  /** Embeds a text query; unit length. */
  float[] embedText(String text);

  @Override
  void close();
}
