package io.maskgen.image;

/**
 * Separable bicubic resampling of interleaved 8-bit RGB with the convolution scheme of common
 * imaging libraries: kernel a = -0.5, support widened by the scale when shrinking (antialiasing),
 * pixel centres at +0.5, and 8-bit rounding after each pass.
 */
final class Resampling {

  private static final double SUPPORT = 2.0;

  private Resampling() {}

  static byte[] resizeBicubic(byte[] rgb, int w, int h, int outW, int outH) {
    if (outW == w && outH == h) {
      return rgb.clone();
    }
    Weights wx = weights(w, outW);
    Weights wy = weights(h, outH);
    // Horizontal pass: h rows of outW pixels.
    byte[] tmp = new byte[outW * h * 3];
    for (int y = 0; y < h; y++) {
      int row = y * w * 3;
      int outRow = y * outW * 3;
      for (int x = 0; x < outW; x++) {
        int start = wx.start[x];
        int n = wx.size[x];
        int k0 = x * wx.stride;
        double r = 0;
        double g = 0;
        double b = 0;
        for (int k = 0; k < n; k++) {
          double kw = wx.coeffs[k0 + k];
          int p = row + (start + k) * 3;
          r += kw * (rgb[p] & 0xff);
          g += kw * (rgb[p + 1] & 0xff);
          b += kw * (rgb[p + 2] & 0xff);
        }
        int o = outRow + x * 3;
        tmp[o] = clip(r);
        tmp[o + 1] = clip(g);
        tmp[o + 2] = clip(b);
      }
    }
    // Vertical pass.
    byte[] out = new byte[outW * outH * 3];
    int rowLen = outW * 3;
    double[] acc = new double[rowLen];
    for (int y = 0; y < outH; y++) {
      java.util.Arrays.fill(acc, 0);
      int start = wy.start[y];
      int n = wy.size[y];
      int k0 = y * wy.stride;
      for (int k = 0; k < n; k++) {
        double kw = wy.coeffs[k0 + k];
        int src = (start + k) * rowLen;
        for (int i = 0; i < rowLen; i++) {
          acc[i] += kw * (tmp[src + i] & 0xff);
        }
      }
      int dst = y * rowLen;
      for (int i = 0; i < rowLen; i++) {
        out[dst + i] = clip(acc[i]);
      }
    }
    return out;
  }

  private static byte clip(double v) {
    long r = Math.round(v);
    return (byte) (r < 0 ? 0 : r > 255 ? 255 : r);
  }

  private static double cubic(double x) {
    final double a = -0.5;
    x = Math.abs(x);
    if (x < 1) {
      return ((a + 2) * x - (a + 3)) * x * x + 1;
    }
    if (x < 2) {
      return (((x - 5) * x + 8) * x - 4) * a;
    }
    return 0;
  }

  private record Weights(int[] start, int[] size, double[] coeffs, int stride) {}

  private static Weights weights(int inSize, int outSize) {
    double scale = inSize * 1.0 / outSize;
    double filterScale = Math.max(scale, 1.0);
    double support = SUPPORT * filterScale;
    int stride = (int) Math.ceil(support) * 2 + 1;
    int[] start = new int[outSize];
    int[] size = new int[outSize];
    double[] coeffs = new double[outSize * stride];
    for (int i = 0; i < outSize; i++) {
      double center = (i + 0.5) * scale;
      int xmin = Math.max((int) (center - support + 0.5), 0);
      int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
      double total = 0;
      for (int k = 0; k < xmax; k++) {
        double wgt = cubic((k + xmin - center + 0.5) / filterScale);
        coeffs[i * stride + k] = wgt;
        total += wgt;
      }
      for (int k = 0; k < xmax; k++) {
        if (total != 0) {
          coeffs[i * stride + k] /= total;
        }
      }
      start[i] = xmin;
      size[i] = xmax;
    }
    return new Weights(start, size, coeffs, stride);
  }
}
