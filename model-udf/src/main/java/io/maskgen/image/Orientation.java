package io.maskgen.image;

/**
 * EXIF orientation (tag 0x0112): how the stored pixels must be transformed to be displayed upright.
 * 1 none, 2 mirror horizontally, 3 rotate 180, 4 mirror vertically, 5 transpose, 6 rotate 90
 * clockwise, 7 transverse, 8 rotate 90 counter-clockwise (as OpenCV's {@code imread} and PIL's
 * {@code exif_transpose} apply it).
 */
final class Orientation {

  private Orientation() {}

  /** The upright image for {@code orientation} 1-8; {@code image} itself for 1. */
  static RgbImage apply(RgbImage image, int orientation) {
    if (orientation < 1 || orientation > 8) {
      throw new IllegalArgumentException("Invalid EXIF orientation: " + orientation);
    }
    if (orientation == 1) {
      return image;
    }
    int w = image.width();
    int h = image.height();
    boolean swap = orientation >= 5;
    int outW = swap ? h : w;
    int outH = swap ? w : h;
    // Source pixel of output (X, Y): (x0 + X * xx + Y * xy, y0 + X * yx + Y * yy).
    int x0 = 0;
    int y0 = 0;
    int xx = 0;
    int xy = 0;
    int yx = 0;
    int yy = 0;
    switch (orientation) {
      case 2 -> {
        x0 = w - 1;
        xx = -1;
        yy = 1;
      }
      case 3 -> {
        x0 = w - 1;
        y0 = h - 1;
        xx = -1;
        yy = -1;
      }
      case 4 -> {
        y0 = h - 1;
        xx = 1;
        yy = -1;
      }
      case 5 -> {
        xy = 1;
        yx = 1;
      }
      case 6 -> {
        y0 = h - 1;
        xy = 1;
        yx = -1;
      }
      case 7 -> {
        x0 = w - 1;
        y0 = h - 1;
        xy = -1;
        yx = -1;
      }
      default -> {
        x0 = w - 1;
        xy = -1;
        yx = 1;
      }
    }
    byte[] src = image.rgb();
    byte[] out = new byte[src.length];
    int o = 0;
    for (int oy = 0; oy < outH; oy++) {
      int sx = x0 + oy * xy;
      int sy = y0 + oy * yy;
      for (int ox = 0; ox < outW; ox++, sx += xx, sy += yx) {
        int s = (sy * w + sx) * 3;
        out[o++] = src[s];
        out[o++] = src[s + 1];
        out[o++] = src[s + 2];
      }
    }
    return new RgbImage(outW, outH, out);
  }
}
