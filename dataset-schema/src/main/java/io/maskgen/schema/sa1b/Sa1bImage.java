package io.maskgen.schema.sa1b;

import java.util.Objects;

/**
 * The {@code "image"} object of an SA-1B per-image JSON.
 *
 * @param imageId numeric image id ({@code sa_<id>.jpg})
 * @param width width in pixels
 * @param height height in pixels
 * @param fileName image file name, e.g. {@code "sa_1.jpg"}
 */
public record Sa1bImage(long imageId, int width, int height, String fileName) {
  /** Validates the invariants. */
  public Sa1bImage {
    Objects.requireNonNull(fileName, "fileName");
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException(
          String.format("Invalid image size: width=%d, height=%d", width, height));
    }
  }
}
