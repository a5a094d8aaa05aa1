package io.maskgen.pipeline;

import io.maskgen.image.RgbImage;

/**
 * An input image after reading and decoding: either pixels, or the reason it failed.
 *
 * @param imageId the image's id in the dataset
 * @param source where its bytes came from
 * @param sha256 hex SHA-256 of the file bytes, null when they could not be read
 * @param image the pixels, null when {@code error} is set
 * @param error why the image cannot be processed, naming the file and the cause
 * @param startNanos {@link System#nanoTime()} when reading its bytes began
 * @param decodeNanos time spent decoding
 */
public record DecodedImage(
    String imageId,
    String source,
    String sha256,
    RgbImage image,
    String error,
    long startNanos,
    long decodeNanos) {

  public boolean ok() {
    return image != null;
  }
}
