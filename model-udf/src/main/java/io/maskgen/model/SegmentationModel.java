package io.maskgen.model;

import io.maskgen.image.PreparedImage;

/**
 * A promptable segmentation model with the Segment Anything split: an image encoder run once per
 * image (or crop), and a prompt decoder run for many batches of point prompts on that embedding.
 *
 * <p>Implementations own native memory and must be closed. They are safe to call from several
 * threads at once (implementations keep one predictor per thread or serialise calls).
 */
public interface SegmentationModel extends AutoCloseable {

  /** What the model expects and produces (input size, normalisation, mask threshold). */
  SegmenterSpec spec();

  /**
   * Runs the image encoder once.
   *
   * @param image an image already resized so its longest side is {@code spec().imageSize()},
   *     normalised and zero-padded at the bottom and right (see {@link PreparedImage})
   * @return an opaque embedding the caller must close
   */
  ImageEmbedding encode(PreparedImage image);

  /**
   * Decodes a batch of point prompts on one embedding.
   *
   * @param embedding the output of {@link #encode}
   * @param prompts B prompts of N points each, in the {@code imageSize x imageSize} input frame
   * @return low-resolution mask logits and predicted IoUs for every prompt
   */
  DecodedMasks decode(ImageEmbedding embedding, PointPrompts prompts);

  /**
   * Whether calls run one at a time on an accelerator (a GPU): then the generator issues a crop's
   * decoder calls back to back from one thread and post-processes their outputs on others, so the
   * accelerator never waits for post-processing. On a CPU, concurrent calls share the cores.
   */
  default boolean serialisesCalls() {
    return false;
  }

  @Override
  void close();
}
