package io.maskgen.schema.sa1b;

import io.maskgen.schema.rle.Rle;
import java.util.Objects;

/**
 * The {@code "segmentation"} object of an SA-1B annotation: {@code {"size": [height, width],
 * "counts": "<compressed COCO RLE>"}}.
 *
 * @param height mask height in pixels ({@code size[0]})
 * @param width mask width in pixels ({@code size[1]})
 * @param counts compressed COCO counts string, column-major (see {@link Rle})
 */
public record Sa1bSegmentation(int height, int width, String counts) {
  /** Validates the invariants (the counts are checked by {@link #toRle()}). */
  public Sa1bSegmentation {
    Objects.requireNonNull(counts, "counts");
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          String.format("Invalid segmentation size: [%d, %d]", height, width));
    }
  }

  /** The segmentation of a mask. */
  public static Sa1bSegmentation of(Rle mask) {
    return new Sa1bSegmentation(mask.height(), mask.width(), mask.toCocoString());
  }

  /**
   * Decodes the counts.
   *
   * @throws io.maskgen.schema.rle.InvalidRleException if they are not a valid RLE of this size
   */
  public Rle toRle() {
    return Rle.fromCocoString(counts, height, width);
  }
}
