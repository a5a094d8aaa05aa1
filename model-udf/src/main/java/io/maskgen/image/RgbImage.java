package io.maskgen.image;

/**
 * An 8-bit RGB image, pixels interleaved row-major: the value of channel c at (x, y) is {@code
 * rgb[(y * width + x) * 3 + c] & 0xff}.
 */
public record RgbImage(int width, int height, byte[] rgb) {

  public RgbImage {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("Invalid image size: " + width + "x" + height);
    }
    if (rgb.length != width * height * 3) {
      throw new IllegalArgumentException(
          "Invalid image buffer: " + rgb.length + " bytes for " + width + "x" + height + " RGB");
    }
  }

  /** The sub-image [x0, x0+w) x [y0, y0+h), copied. */
  public RgbImage crop(int x0, int y0, int w, int h) {
    if (x0 < 0 || y0 < 0 || w <= 0 || h <= 0 || x0 + w > width || y0 + h > height) {
      throw new IllegalArgumentException(
          "Invalid crop box: [" + x0 + ", " + y0 + ", " + w + ", " + h + "] for " + width + "x" + height);
    }
    if (x0 == 0 && y0 == 0 && w == width && h == height) {
      return this;
    }
    byte[] out = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      System.arraycopy(rgb, ((y0 + y) * width + x0) * 3, out, y * w * 3, w * 3);
    }
    return new RgbImage(w, h, out);
  }
}
