package io.maskgen.image;

import java.util.Arrays;

/**
 * Separable resampling of interleaved 8-bit RGB, bit-exact with PIL's {@code Image.resize} (PIL
 * 9.x, {@code Resample.c}, no reducing gap): filter support widened by the scale when shrinking
 * (antialiasing), pixel centres at +0.5, weights normalised per output pixel and quantised to 22
 * fractional bits, horizontal pass then vertical pass, each rounded and clamped to 8 bits.
 */
public final class Resampling {

  /** PIL's PRECISION_BITS for 8-bit images: leaves room for 255 x sum(|w|) in an int. */
  private static final int PRECISION_BITS = 32 - 8 - 2;

  private static final int HALF = 1 << (PRECISION_BITS - 1);

  private Resampling() {}

  /** {@code image} resized to {@code outW x outH}; {@code image} itself when the size is equal. */
  public static RgbImage resize(RgbImage image, int outW, int outH, ResizeFilter filter) {
    if (outW == image.width() && outH == image.height()) {
      return image;
    }
    return new RgbImage(
        outW, outH, resize(image.rgb(), image.width(), image.height(), outW, outH, filter));
  }

  static byte[] resizeBicubic(byte[] rgb, int w, int h, int outW, int outH) {
    return resize(rgb, w, h, outW, outH, ResizeFilter.BICUBIC);
  }

  /** Resizes a {@code w x h} interleaved RGB image to {@code outW x outH}. */
  static byte[] resize(byte[] rgb, int w, int h, int outW, int outH, ResizeFilter filter) {
    if (w <= 0 || h <= 0 || outW <= 0 || outH <= 0 || rgb.length != w * h * 3) {
      throw new IllegalArgumentException(
          "Invalid resize: " + w + "x" + h + " (" + rgb.length + " bytes) to " + outW + "x" + outH);
    }
    if (outW == w && outH == h) {
      return rgb.clone();
    }
    byte[] tmp = outW == w ? rgb : horizontal(rgb, w, h, outW, weights(w, outW, filter));
    return outH == h ? tmp : vertical(tmp, outW * 3, outH, weights(h, outH, filter));
  }

  private static byte[] horizontal(byte[] rgb, int w, int h, int outW, Weights wx) {
    byte[] out = new byte[outW * h * 3];
    for (int y = 0; y < h; y++) {
      int row = y * w * 3;
      int o = y * outW * 3;
      for (int x = 0; x < outW; x++) {
        int p = row + wx.start[x] * 3;
        int k0 = x * wx.stride;
        int n = wx.size[x];
        int r = HALF;
        int g = HALF;
        int b = HALF;
        for (int k = 0; k < n; k++, p += 3) {
          int c = wx.coeffs[k0 + k];
          r += (rgb[p] & 0xff) * c;
          g += (rgb[p + 1] & 0xff) * c;
          b += (rgb[p + 2] & 0xff) * c;
        }
        out[o++] = clip8(r);
        out[o++] = clip8(g);
        out[o++] = clip8(b);
      }
    }
    return out;
  }

  /** The vertical pass over rows of {@code rowLen} bytes. */
  private static byte[] vertical(byte[] px, int rowLen, int outH, Weights wy) {
    byte[] out = new byte[rowLen * outH];
    int[] acc = new int[rowLen];
    for (int y = 0; y < outH; y++) {
      Arrays.fill(acc, HALF);
      int k0 = y * wy.stride;
      int src = wy.start[y] * rowLen;
      for (int k = 0; k < wy.size[y]; k++, src += rowLen) {
        int c = wy.coeffs[k0 + k];
        for (int i = 0; i < rowLen; i++) {
          acc[i] += (px[src + i] & 0xff) * c;
        }
      }
      int dst = y * rowLen;
      for (int i = 0; i < rowLen; i++) {
        out[dst + i] = clip8(acc[i]);
      }
    }
    return out;
  }

  private static byte clip8(int v) {
    v >>= PRECISION_BITS;
    return (byte) (v < 0 ? 0 : v > 255 ? 255 : v);
  }

  /**
   * Per output pixel i: the first input pixel {@code start[i]}, the count {@code size[i]}, and
   * fixed-point weights at {@code coeffs[i * stride + k]}.
   */
  private record Weights(int[] start, int[] size, int[] coeffs, int stride) {}

  private static Weights weights(int inSize, int outSize, ResizeFilter filter) {
    double scale = inSize * 1.0 / outSize;
    double filterScale = Math.max(scale, 1.0);
    double support = filter.support * filterScale;
    double ss = 1.0 / filterScale;
    int stride = (int) Math.ceil(support) * 2 + 1;
    int[] start = new int[outSize];
    int[] size = new int[outSize];
    int[] coeffs = new int[outSize * stride];
    double[] k = new double[stride];
    for (int i = 0; i < outSize; i++) {
      double center = (i + 0.5) * scale;
      int xmin = Math.max((int) (center - support + 0.5), 0);
      int n = Math.min((int) (center + support + 0.5), inSize) - xmin;
      double total = 0;
      for (int j = 0; j < n; j++) {
        k[j] = filter.weight((j + xmin - center + 0.5) * ss);
        total += k[j];
      }
      for (int j = 0; j < n; j++) {
        double wgt = total != 0 ? k[j] / total : k[j];
        // Round half away from zero, as PIL's normalize_coeffs_8bpc.
        coeffs[i * stride + j] =
            (int)
                (wgt < 0 ? -0.5 + wgt * (1 << PRECISION_BITS) : 0.5 + wgt * (1 << PRECISION_BITS));
      }
      start[i] = xmin;
      size[i] = n;
    }
    return new Weights(start, size, coeffs, stride);
  }
}
