package io.maskgen.job.bench;

import io.maskgen.image.PreparedImage;
import io.maskgen.model.DecodedMasks;
import io.maskgen.model.ImageEmbedding;
import io.maskgen.model.PointPrompts;
import io.maskgen.model.SegmentationModel;
import io.maskgen.model.SegmenterSpec;
import java.util.concurrent.locks.LockSupport;

/**
 * A segmentation model that waits a fixed time in every encoder and decoder call before running
 * the real model, to stand in for a larger model on an accelerator: the wait costs wall time but
 * no CPU, like a GPU call. The wrapped model is borrowed, not closed.
 */
final class DelayedSegmentationModel implements SegmentationModel {
  private final SegmentationModel model;
  private final long encodeNanos;
  private final long decodeNanos;

  DelayedSegmentationModel(SegmentationModel model, double encodeMillis, double decodeMillis) {
    this.model = model;
    this.encodeNanos = (long) (encodeMillis * 1e6);
    this.decodeNanos = (long) (decodeMillis * 1e6);
  }

  @Override
  public SegmenterSpec spec() {
    return model.spec();
  }

  @Override
  public ImageEmbedding encode(PreparedImage image) {
    pause(encodeNanos);
    return model.encode(image);
  }

  @Override
  public DecodedMasks decode(ImageEmbedding embedding, PointPrompts prompts) {
    pause(decodeNanos);
    return model.decode(embedding, prompts);
  }

  private static void pause(long nanos) {
    long end = System.nanoTime() + nanos;
    for (long left = nanos; left > 0; left = end - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }

  @Override
  public void close() {
    // Borrowed.
  }
}
