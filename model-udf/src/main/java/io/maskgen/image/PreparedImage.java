package io.maskgen.image;

/**
 * A model input: an image resized so its longest side is {@code size}, normalised, and zero-padded
 * at the bottom and right to {@code size x size}.
 *
 * @param chw 3*size*size floats, RGB planes, row-major within a plane
 * @param size S, the model input side
 * @param inputHeight height of the resized image inside the padded frame
 * @param inputWidth width of the resized image inside the padded frame
 * @param originalHeight height of the image (or crop) before resizing
 * @param originalWidth width of the image (or crop) before resizing
 */
public record PreparedImage(
    float[] chw, int size, int inputHeight, int inputWidth, int originalHeight, int originalWidth) {

  public PreparedImage {
    if (chw.length != 3 * size * size) {
      throw new IllegalArgumentException(
          "Invalid prepared image: " + chw.length + " floats for 3x" + size + "x" + size);
    }
  }
}
