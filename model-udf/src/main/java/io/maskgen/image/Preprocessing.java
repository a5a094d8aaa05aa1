package io.maskgen.image;

/**
 * Turns an image (or crop) into a model input the way Segment Anything does: resize so the longest
 * side is {@code size} (PIL's antialiased resize, bit-exact), normalise each channel with the
 * model's mean and std on the 0-255 scale, zero-pad at the bottom and right.
 *
 * <p>The reference SAM predictor resizes with torchvision's default on a PIL image, i.e. PIL {@link
 * ResizeFilter#BILINEAR} (antialiased when shrinking); {@link #prepare(RgbImage, int, float[],
 * float[])} does the same.
 */
public final class Preprocessing {

  private Preprocessing() {}

  /**
   * The resized shape of an {@code h x w} image whose longest side becomes {@code longSide}: {@code
   * {round(h * s), round(w * s)}} with {@code s = longSide / max(h, w)}, rounding half up.
   */
  public static int[] preprocessShape(int h, int w, int longSide) {
    double scale = longSide * 1.0 / Math.max(h, w);
    int newH = (int) (h * scale + 0.5);
    int newW = (int) (w * scale + 0.5);
    return new int[] {newH, newW};
  }

  /** Resizes (PIL bilinear), normalises and pads {@code image} into a {@code size x size} input. */
  public static PreparedImage prepare(RgbImage image, int size, float[] mean, float[] std) {
    return prepare(image, size, mean, std, ResizeFilter.BILINEAR);
  }

  /**
   * Resizes with {@code filter}, normalises and pads {@code image} into a {@code size x size} model
   * input.
   *
   * @param mean per-channel RGB mean on the 0-255 scale
   * @param std per-channel RGB standard deviation on the 0-255 scale
   */
  public static PreparedImage prepare(
      RgbImage image, int size, float[] mean, float[] std, ResizeFilter filter) {
    int[] shape = preprocessShape(image.height(), image.width(), size);
    int h = shape[0];
    int w = shape[1];
    byte[] resized = Resampling.resize(image.rgb(), image.width(), image.height(), w, h, filter);
    float[] chw = new float[3 * size * size];
    int plane = size * size;
    for (int c = 0; c < 3; c++) {
      float m = mean[c];
      float inv = 1f / std[c];
      int base = c * plane;
      for (int y = 0; y < h; y++) {
        int src = y * w * 3 + c;
        int dst = base + y * size;
        for (int x = 0; x < w; x++) {
          chw[dst + x] = ((resized[src + x * 3] & 0xff) - m) * inv;
        }
      }
    }
    return new PreparedImage(chw, size, h, w, image.height(), image.width());
  }
}
