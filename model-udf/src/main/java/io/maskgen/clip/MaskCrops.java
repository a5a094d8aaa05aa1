package io.maskgen.clip;

import io.maskgen.image.Resampling;
import io.maskgen.image.ResizeFilter;
import io.maskgen.image.RgbImage;
import io.maskgen.model.ClipSpec;
import io.maskgen.schema.rle.Rle;
import java.util.Arrays;
import java.util.Objects;

/**
 * Builds the CLIP image input of one mask of an image, so masks can be ranked against a text query.
 * For an image and a mask of the same size:
 *
 * <ol>
 *   <li><b>Crop box</b> ({@link #cropBoxXywh}): a square centred on the mask's bounding box, side =
 *       longer box side + 2 * margin, margin = max({@code minMarginPx}, {@code marginFraction} *
 *       longer box side) (defaults 10 % and 4 px), plus one pixel when that keeps the box centred
 *       on the longer side. The box may extend past the image; that part counts as outside the
 *       mask.
 *   <li><b>Suppress the outside</b> at the crop's resolution: every pixel outside the mask becomes
 *       the fill colour ({@link Background#GRAY}) or the pixel of a strong blur of the crop ({@link
 *       Background#BLUR}); pixels inside the mask are kept as they are. Crops of 4 S px or more are
 *       first reduced by the integer factor {@code k = side / (2 S)} (k x k box average, mask
 *       coverage likewise), so the cost stays bounded; edge pixels then blend by their coverage.
 *   <li><b>Resize</b> the crop to S x S (S = the CLIP image size) with PIL's bicubic filter, as
 *       CLIP's own preprocessing does.
 *   <li><b>Normalise</b> on the 0-1 scale, {@code (v / 255 - mean) / std}, and write 3 planes of S
 *       x S floats (R, G, B; row-major) to {@code batch[offset, offset + 3 * S * S)}.
 * </ol>
 *
 * <p>The fill colour is the model's pixel mean in 8 bits, {@code round(mean * 255)} (for CLIP (123,
 * 117, 104)), which normalises to about 0. Masks are binary, row-major {@code byte[]} (non-zero =
 * inside) or {@link Rle}. Empty masks are rejected. Instances are immutable and thread-safe.
 */
public final class MaskCrops {

  /** What replaces the pixels outside the mask. */
  public enum Background {
    /** The model's mean colour (normalises to about 0). */
    GRAY,
    /**
     * The crop blurred by three box-blur passes of radius {@code r = max(1, round(side / 16))}
     * (side after any reduction), close to a Gaussian of sigma r + 0.5, edges mirrored and the
     * padding past the image in the fill colour; known to work better than a flat fill for CLIP.
     */
    BLUR
  }

  private static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  private static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

  public static final double DEFAULT_MARGIN_FRACTION = 0.1;
  public static final int DEFAULT_MIN_MARGIN_PX = 4;

  private static final int BLUR_PASSES = 3;

  /** A mask window value: coverage 0-255, as a byte. */
  private static final byte INSIDE = (byte) 255;

  private final int size;
  private final float[] mean;
  private final float[] std;
  private final Background background;
  private final double marginFraction;
  private final int minMarginPx;
  private final byte[] fillBytes;

  /** Crops with the default margins. */
  public MaskCrops(int size, float[] mean, float[] std, Background background) {
    this(size, mean, std, background, DEFAULT_MARGIN_FRACTION, DEFAULT_MIN_MARGIN_PX);
  }

  /**
   * @param size S, the CLIP image input side in pixels
   * @param mean RGB pixel mean, 0-1 scale
   * @param std RGB pixel standard deviation, 0-1 scale
   * @param background what replaces the outside of the mask
   * @param marginFraction margin on each side as a fraction of the longer side of the mask's box
   * @param minMarginPx smallest margin on each side, in image pixels
   */
  public MaskCrops(
      int size,
      float[] mean,
      float[] std,
      Background background,
      double marginFraction,
      int minMarginPx) {
    if (size < 1) {
      throw new IllegalArgumentException("Invalid CLIP image size: " + size);
    }
    if (mean == null || mean.length != 3 || std == null || std.length != 3) {
      throw new IllegalArgumentException("Invalid pixel mean/std: 3 values each are required");
    }
    for (float s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("Invalid pixel std: " + Arrays.toString(std));
      }
    }
    if (!(marginFraction >= 0) || minMarginPx < 0) {
      throw new IllegalArgumentException(
          "Invalid crop margin: fraction " + marginFraction + ", minimum " + minMarginPx + " px");
    }
    this.size = size;
    this.mean = mean.clone();
    this.std = std.clone();
    this.background = Objects.requireNonNull(background, "background");
    this.marginFraction = marginFraction;
    this.minMarginPx = minMarginPx;
    this.fillBytes = new byte[3];
    for (int c = 0; c < 3; c++) {
      fillBytes[c] = (byte) Math.round(Math.min(1f, Math.max(0f, mean[c])) * 255);
    }
  }

  /** OpenAI CLIP's RGB pixel mean, 0-1 scale (a copy). */
  public static float[] clipMean() {
    return CLIP_MEAN.clone();
  }

  /** OpenAI CLIP's RGB pixel standard deviation, 0-1 scale (a copy). */
  public static float[] clipStd() {
    return CLIP_STD.clone();
  }

  /** Crops for the model that {@code spec} describes, with the default margins. */
  public static MaskCrops of(ClipSpec spec, Background background) {
    return new MaskCrops(spec.imageSize(), spec.pixelMean(), spec.pixelStd(), background);
  }

  /** S, the side of the crops. */
  public int size() {
    return size;
  }

  /** Floats one crop occupies in a batch: 3 * S * S. */
  public int floatsPerCrop() {
    return 3 * size * size;
  }

  /**
   * The square crop box {x, y, side, side} in image pixels for a mask whose bounding box is {@code
   * bboxXywh} (COCO: left, top, width, height). It may extend past the image.
   */
  public int[] cropBoxXywh(double[] bboxXywh) {
    double longer = Math.max(bboxXywh[2], bboxXywh[3]);
    double margin = Math.max(minMarginPx, marginFraction * longer);
    int side = Math.max(1, (int) Math.ceil(longer + 2 * margin));
    if ((side - (long) Math.ceil(longer)) % 2 != 0) {
      side++;
    }
    int x0 = (int) Math.floor(bboxXywh[0] + bboxXywh[2] / 2 - side / 2.0 + 0.5);
    int y0 = (int) Math.floor(bboxXywh[1] + bboxXywh[3] / 2 - side / 2.0 + 0.5);
    return new int[] {x0, y0, side, side};
  }

  /**
   * Writes the CLIP input of {@code mask} to {@code batch[offset, offset + 3 * S * S)}.
   *
   * @param mask {@code image.height() * image.width()} bytes, row-major, non-zero inside
   * @throws IllegalArgumentException if the mask is empty or its size differs from the image's
   */
  public void write(RgbImage image, byte[] mask, float[] batch, int offset) {
    int w = image.width();
    int h = image.height();
    if (mask.length != w * h) {
      throw new IllegalArgumentException(
          "Invalid mask: " + mask.length + " bytes for a " + w + "x" + h + " image");
    }
    checkOffset(batch, offset);
    int minX = w;
    int maxX = -1;
    int minY = -1;
    int maxY = -1;
    for (int y = 0; y < h; y++) {
      int row = y * w;
      int first = 0;
      while (first < w && mask[row + first] == 0) {
        first++;
      }
      if (first == w) {
        continue;
      }
      int last = w - 1;
      while (mask[row + last] == 0) {
        last--;
      }
      minX = Math.min(minX, first);
      maxX = Math.max(maxX, last);
      minY = minY < 0 ? y : minY;
      maxY = y;
    }
    if (maxX < 0) {
      throw new IllegalArgumentException("Invalid mask: empty");
    }
    int[] box = cropBoxXywh(new double[] {minX, minY, maxX - minX + 1, maxY - minY + 1});
    int side = box[2];
    byte[] window = new byte[side * side];
    int xa = Math.max(0, box[0]);
    int xb = Math.min(w, box[0] + side);
    for (int y = Math.max(0, box[1]); y < Math.min(h, box[1] + side); y++) {
      int src = y * w;
      int dst = (y - box[1]) * side - box[0];
      for (int x = xa; x < xb; x++) {
        window[dst + x] = mask[src + x] != 0 ? INSIDE : 0;
      }
    }
    compose(image, box, window, batch, offset);
  }

  /**
   * Writes the CLIP input of {@code mask} to {@code batch[offset, offset + 3 * S * S)}.
   *
   * @throws IllegalArgumentException if the mask is empty or its size differs from the image's
   */
  public void write(RgbImage image, Rle mask, float[] batch, int offset) {
    if (mask.width() != image.width() || mask.height() != image.height()) {
      throw new IllegalArgumentException(
          "Invalid mask: "
              + mask.width()
              + "x"
              + mask.height()
              + " for a "
              + image.width()
              + "x"
              + image.height()
              + " image");
    }
    if (mask.area() == 0) {
      throw new IllegalArgumentException("Invalid mask: empty");
    }
    checkOffset(batch, offset);
    int[] box = cropBoxXywh(mask.bboxXywh());
    int side = box[2];
    byte[] window = new byte[side * side];
    // Column-major runs, zeros first; copy the ones that fall inside the box.
    int h = mask.height();
    long index = 0;
    for (int r = 0; r < mask.runCount(); r++) {
      long end = index + mask.run(r);
      if (r % 2 == 1) {
        for (long i = index; i < end; ) {
          int x = (int) (i / h);
          int y = (int) (i % h);
          int len = (int) Math.min(end - i, h - y);
          int wx = x - box[0];
          if (wx >= 0 && wx < side) {
            for (int yy = Math.max(y, box[1]); yy < Math.min(y + len, box[1] + side); yy++) {
              window[(yy - box[1]) * side + wx] = INSIDE;
            }
          }
          i += len;
        }
      }
      index = end;
    }
    compose(image, box, window, batch, offset);
  }

  private void checkOffset(float[] batch, int offset) {
    if (offset < 0 || offset > batch.length - floatsPerCrop()) {
      throw new IllegalArgumentException(
          "Invalid batch offset: "
              + offset
              + " for "
              + floatsPerCrop()
              + " floats in a batch of "
              + batch.length);
    }
  }

  /** Steps 2-4 for the crop {@code box} of {@code image} and its side x side 0/255 mask. */
  private void compose(RgbImage image, int[] box, byte[] window, float[] batch, int offset) {
    int side = box[2];
    byte[] crop = crop(image, box);
    byte[] alpha = window;
    int n = side;
    // Crops of 4 S or more are first reduced by an integer factor (box average), as PIL's
    // reducing_gap does: later steps then work on at most ~4 S px, and pixels on the mask edge
    // get partial coverage, which blends them by less than one output pixel.
    int k = side / (2 * size);
    if (k >= 2) {
      crop = reduce(crop, side, k, 3);
      alpha = reduce(window, side, k, 1);
      n = (side + k - 1) / k;
    }
    byte[] outside = background == Background.BLUR ? blur(crop, n) : null;
    for (int i = 0; i < alpha.length; i++) {
      int a = alpha[i] & 0xff;
      if (a != 255) {
        int p = 3 * i;
        for (int c = 0; c < 3; c++) {
          int bg = outside == null ? fillBytes[c] & 0xff : outside[p + c] & 0xff;
          crop[p + c] = (byte) ((a * (crop[p + c] & 0xff) + (255 - a) * bg + 127) / 255);
        }
      }
    }
    byte[] rgb =
        Resampling.resize(new RgbImage(n, n, crop), size, size, ResizeFilter.BICUBIC).rgb();
    int plane = size * size;
    for (int c = 0; c < 3; c++) {
      float scale = 1f / (255f * std[c]);
      float shift = mean[c] / std[c];
      int base = offset + c * plane;
      for (int i = 0; i < plane; i++) {
        batch[base + i] = (rgb[3 * i + c] & 0xff) * scale - shift;
      }
    }
  }

  /**
   * The average of each k x k block of a side x side image with {@code channels} interleaved
   * channels; the last row and column of blocks may be partial.
   */
  private static byte[] reduce(byte[] px, int side, int k, int channels) {
    int n = (side + k - 1) / k;
    byte[] out = new byte[n * n * channels];
    int[] acc = new int[n * channels];
    for (int by = 0; by < n; by++) {
      Arrays.fill(acc, 0);
      int y1 = Math.min(side, (by + 1) * k);
      for (int y = by * k; y < y1; y++) {
        int p = y * side * channels;
        for (int bx = 0; bx < n; bx++) {
          int a = bx * channels;
          int end = p + Math.min(k, side - bx * k) * channels;
          for (; p < end; p += channels) {
            for (int c = 0; c < channels; c++) {
              acc[a + c] += px[p + c] & 0xff;
            }
          }
        }
      }
      int bh = y1 - by * k;
      for (int bx = 0; bx < n; bx++) {
        int count = (Math.min(side, (bx + 1) * k) - bx * k) * bh;
        for (int c = 0; c < channels; c++) {
          out[(by * n + bx) * channels + c] = (byte) ((acc[bx * channels + c] + count / 2) / count);
        }
      }
    }
    return out;
  }

  /** A copy of the square {@code box} of {@code image}, the fill colour past its edges. */
  private byte[] crop(RgbImage image, int[] box) {
    int side = box[2];
    int w = image.width();
    int h = image.height();
    byte[] out = new byte[side * side * 3];
    int xa = Math.max(0, box[0]);
    int xb = Math.min(w, box[0] + side);
    int ya = Math.max(0, box[1]);
    int yb = Math.min(h, box[1] + side);
    if (xa > box[0] || ya > box[1] || xb < box[0] + side || yb < box[1] + side) {
      for (int i = 0; i < out.length; i += 3) {
        out[i] = fillBytes[0];
        out[i + 1] = fillBytes[1];
        out[i + 2] = fillBytes[2];
      }
    }
    for (int y = ya; y < yb && xa < xb; y++) {
      System.arraycopy(
          image.rgb(),
          (y * w + xa) * 3,
          out,
          ((y - box[1]) * side + xa - box[0]) * 3,
          (xb - xa) * 3);
    }
    return out;
  }

  /** The n x n RGB crop after {@link #BLUR_PASSES} box blurs of radius max(1, round(n / 16)). */
  private static byte[] blur(byte[] rgb, int n) {
    int r = Math.max(1, Math.round(n / 16f));
    // mirror[j] = the source index of position j - r, mirrored at the edges.
    int[] mirror = new int[n + 2 * r + 1];
    for (int j = 0; j < mirror.length; j++) {
      mirror[j] = reflect(j - r, n);
    }
    byte[] a = rgb.clone();
    byte[] b = new byte[a.length];
    int[] sums = new int[3 * n];
    for (int pass = 0; pass < BLUR_PASSES; pass++) {
      blurRows(a, b, n, r, mirror);
      blurColumns(b, a, n, r, mirror, sums);
    }
    return a;
  }

  /** round(sum / window) as a multiply and shift: sum <= 255 * window keeps it in an int. */
  private static int divider(int window) {
    return ((1 << 16) + window / 2) / window;
  }

  /** Box blur of radius r along each row: running sums, edges mirrored. */
  private static void blurRows(byte[] src, byte[] dst, int n, int r, int[] mirror) {
    int inv = divider(2 * r + 1);
    for (int y = 0; y < n; y++) {
      int base = y * n * 3;
      for (int c = 0; c < 3; c++) {
        int row = base + c;
        int sum = 0;
        for (int k = 0; k <= 2 * r; k++) {
          sum += src[row + mirror[k] * 3] & 0xff;
        }
        for (int x = 0; x < n; x++) {
          dst[row + x * 3] = (byte) ((sum * inv + (1 << 15)) >>> 16);
          sum += (src[row + mirror[x + 2 * r + 1] * 3] & 0xff) - (src[row + mirror[x] * 3] & 0xff);
        }
      }
    }
  }

  /** Box blur of radius r along each column, sweeping whole rows (cache friendly). */
  private static void blurColumns(byte[] src, byte[] dst, int n, int r, int[] mirror, int[] sums) {
    int inv = divider(2 * r + 1);
    int rowLen = 3 * n;
    Arrays.fill(sums, 0);
    for (int k = 0; k <= 2 * r; k++) {
      int row = mirror[k] * rowLen;
      for (int i = 0; i < rowLen; i++) {
        sums[i] += src[row + i] & 0xff;
      }
    }
    for (int y = 0; y < n; y++) {
      int out = y * rowLen;
      int add = mirror[y + 2 * r + 1] * rowLen;
      int sub = mirror[y] * rowLen;
      for (int i = 0; i < rowLen; i++) {
        dst[out + i] = (byte) ((sums[i] * inv + (1 << 15)) >>> 16);
        sums[i] += (src[add + i] & 0xff) - (src[sub + i] & 0xff);
      }
    }
  }

  /** Index {@code i} mirrored into [0, n) about the edge pixels (OpenCV's BORDER_REFLECT_101). */
  private static int reflect(int i, int n) {
    if (n == 1) {
      return 0;
    }
    int period = 2 * (n - 1);
    i = Math.abs(i) % period;
    return i < n ? i : period - i;
  }
}
