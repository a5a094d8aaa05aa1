package io.maskgen.amg;

import io.maskgen.image.RgbImage;

/** Synthetic images of flat-coloured shapes on a grey background, with their true masks. */
final class Scenes {
  static final int[] GREY = {128, 128, 128};
  static final int[] RED = {224, 0, 0};
  static final int[] GREEN = {0, 192, 0};
  static final int[] BLUE = {0, 0, 224};

  private final int width;
  private final int height;
  private final byte[] rgb;

  Scenes(int width, int height) {
    this.width = width;
    this.height = height;
    this.rgb = new byte[width * height * 3];
    rect(0, 0, width, height, GREY);
  }

  /** Fills [x0, x1) x [y0, y1). */
  Scenes rect(int x0, int y0, int x1, int y1, int[] c) {
    for (int y = y0; y < y1; y++) {
      for (int x = x0; x < x1; x++) {
        set(x, y, c);
      }
    }
    return this;
  }

  Scenes disc(double cx, double cy, double r, int[] c) {
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        if (Math.hypot(x + 0.5 - cx, y + 0.5 - cy) <= r) {
          set(x, y, c);
        }
      }
    }
    return this;
  }

  private void set(int x, int y, int[] c) {
    int p = (y * width + x) * 3;
    rgb[p] = (byte) c[0];
    rgb[p + 1] = (byte) c[1];
    rgb[p + 2] = (byte) c[2];
  }

  RgbImage image() {
    return new RgbImage(width, height, rgb.clone());
  }

  /** The true mask of a colour, row-major. */
  byte[] mask(int[] c) {
    byte[] m = new byte[width * height];
    for (int i = 0; i < m.length; i++) {
      m[i] =
          (byte)
              ((rgb[3 * i] & 0xff) == c[0]
                      && (rgb[3 * i + 1] & 0xff) == c[1]
                      && (rgb[3 * i + 2] & 0xff) == c[2]
                  ? 1
                  : 0);
    }
    return m;
  }

  /** Red square, green disc crossing the middle, blue bar: 240 x 160. */
  static Scenes threeShapes() {
    return new Scenes(240, 160)
        .rect(20, 20, 70, 70, RED)
        .disc(170, 100, 40, GREEN)
        .rect(170, 10, 210, 40, BLUE);
  }

  /** A red disc with a grey hole, and a small red island: 240 x 160. */
  static Scenes holeAndIsland() {
    return new Scenes(240, 160)
        .disc(80, 80, 50, RED)
        .rect(74, 74, 88, 88, GREY)
        .rect(200, 20, 214, 34, RED);
  }

  static double iou(byte[] a, byte[] b) {
    long inter = 0;
    long union = 0;
    for (int i = 0; i < a.length; i++) {
      inter += (a[i] & b[i]);
      union += (a[i] | b[i]);
    }
    return union == 0 ? 0 : (double) inter / union;
  }
}
