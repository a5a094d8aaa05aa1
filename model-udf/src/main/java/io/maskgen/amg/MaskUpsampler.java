package io.maskgen.amg;

import io.maskgen.schema.rle.Rle;

/**
 * Low-resolution mask logits to the crop's size, as segment-anything's {@code postprocess_masks}
 * does it: {@code F.interpolate} (bilinear, {@code align_corners=False}) to the S x S model input,
 * cut to the resized image ({@code inputHeight x inputWidth}), {@code F.interpolate} to the crop.
 *
 * <p>Both resizes are composed per axis into one sparse operator ({@link LinearAxis#then}), so no
 * S x S intermediate exists; an output pixel reads at most 3 x 3 low-res logits. Weights follow
 * PyTorch's source indices and float32 lambdas; the sum is taken in double and rounded to float.
 * Values agree with PyTorch's two float32 passes to about 1e-6 relative, so a pixel whose logit
 * lies that close to a threshold may be classified differently (see {@code MaskUpsamplerTest}).
 *
 * <p>Instances are immutable and may be shared between threads.
 */
public final class MaskUpsampler {
  private final int lowHeight;
  private final int lowWidth;
  private final LinearAxis ay;
  private final LinearAxis ax;
  // Low-res rows and columns that any output reads.
  private final int row0;
  private final int rows;
  private final int col0;
  private final int cols;
  // Output rows grouped into runs that read the same low-res rows: [groupStart[g], groupStart[g+1]).
  private final int[] groupStart;

  private MaskUpsampler(int lowHeight, int lowWidth, LinearAxis ay, LinearAxis ax) {
    this.lowHeight = lowHeight;
    this.lowWidth = lowWidth;
    this.ay = ay;
    this.ax = ax;
    this.row0 = ay.minInput();
    this.rows = ay.maxInput() - row0 + 1;
    this.col0 = ax.minInput();
    this.cols = ax.maxInput() - col0 + 1;
    int out = ay.outputLength();
    int[] g = new int[out + 1];
    int n = 0;
    for (int y = 0; y < out; y++) {
      if (y == 0 || ay.start(y) != ay.start(y - 1) || ay.length(y) != ay.length(y - 1)) {
        g[n++] = y;
      }
    }
    g[n++] = out;
    this.groupStart = java.util.Arrays.copyOf(g, n);
  }

  /**
   * The operator for one crop.
   *
   * @param lowHeight low-res mask height (256 for SAM)
   * @param lowWidth low-res mask width
   * @param inputSize S, the model input side
   * @param inputHeight height of the resized crop inside the S x S input
   * @param inputWidth width of the resized crop inside the S x S input
   * @param outHeight crop height
   * @param outWidth crop width
   */
  public static MaskUpsampler create(
      int lowHeight, int lowWidth, int inputSize, int inputHeight, int inputWidth, int outHeight, int outWidth) {
    if (lowHeight <= 0 || lowWidth <= 0 || inputHeight <= 0 || inputWidth <= 0 || inputHeight > inputSize
        || inputWidth > inputSize || outHeight <= 0 || outWidth <= 0) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid mask upsampling: low-res %dx%d, input %d cut to %dx%d, output %dx%d",
              lowHeight, lowWidth, inputSize, inputHeight, inputWidth, outHeight, outWidth));
    }
    LinearAxis ay =
        LinearAxis.torchBilinear(lowHeight, inputSize).then(LinearAxis.torchBilinear(inputHeight, outHeight));
    LinearAxis ax =
        LinearAxis.torchBilinear(lowWidth, inputSize).then(LinearAxis.torchBilinear(inputWidth, outWidth));
    return new MaskUpsampler(lowHeight, lowWidth, ay, ax);
  }

  public int outHeight() {
    return ay.outputLength();
  }

  public int outWidth() {
    return ax.outputLength();
  }

  /**
   * The upsampled logits of one mask, row-major {@code outHeight x outWidth}. For tests and
   * debugging: the generator uses {@link #binarize}, which never holds this array.
   *
   * @param logits low-res logits, the mask starting at {@code offset}, row-major
   */
  public float[] upsample(float[] logits, int offset) {
    int outH = outHeight();
    int outW = outWidth();
    float[] out = new float[outH * outW];
    float[] lowT = transpose(logits, offset);
    double[] col = new double[rows];
    for (int cx = 0; cx < outW; cx++) {
      columnPass(lowT, cx, col);
      for (int y = 0; y < outH; y++) {
        out[y * outW + cx] = rowTap(col, y);
      }
    }
    return out;
  }

  /**
   * Thresholds for {@link #binarize}: a pixel is foreground when its logit is {@code > mask}, and
   * the stability score counts pixels {@code > high} (intersection) and {@code > low} (union).
   */
  public record Thresholds(float mask, float high, float low) {

    public Thresholds {
      if (!(low <= mask && mask <= high)) {
        throw new IllegalArgumentException(
            "Invalid thresholds: need low <= mask <= high, got " + low + ", " + mask + ", " + high);
      }
    }

    /**
     * The reference's thresholds for a model threshold and a stability offset, each rounded to
     * float32 the way PyTorch compares a float32 tensor with a Python float.
     */
    public static Thresholds of(float maskThreshold, double stabilityOffset) {
      return new Thresholds(
          maskThreshold,
          (float) (maskThreshold + stabilityOffset),
          (float) (maskThreshold - stabilityOffset));
    }
  }

  /**
   * What {@link #binarize} measured on one mask.
   *
   * @param intersections pixels above the high threshold
   * @param unions pixels above the low threshold
   * @param boxXyxy box of the binary mask in the crop's frame, inclusive, zeros when empty
   * @param rle the binary mask placed in the image frame (zeros outside the crop)
   */
  public record Binarized(int intersections, int unions, int[] boxXyxy, Rle rle) {

    /** {@code intersections / unions} in float32 (NaN for 0 / 0), the reference's score. */
    public float stabilityScore() {
      return (float) intersections / (float) unions;
    }
  }

  /**
   * Upsamples one mask and, in the same pass, counts the stability score's pixels, binarises, finds
   * the box and run-length encodes the mask placed in the image frame at ({@code cropX0, cropY0}).
   * Regions whose low-res logits all lie clearly below the low threshold (or above the high one)
   * are filled without evaluating their pixels; the result is identical to thresholding {@link
   * #upsample}.
   */
  public Binarized binarize(
      float[] logits, int offset, Thresholds t, int cropX0, int cropY0, int imageHeight, int imageWidth) {
    int outH = outHeight();
    int outW = outWidth();
    if (cropX0 < 0 || cropY0 < 0 || cropX0 + outW > imageWidth || cropY0 + outH > imageHeight) {
      throw new IllegalArgumentException(
          String.format(
              "Crop %dx%d at (%d, %d) outside image %dx%d",
              outW, outH, cropX0, cropY0, imageWidth, imageHeight));
    }
    // A convex combination of values below (above) these stays below (above) the thresholds after
    // rounding; the margin is far larger than any rounding error of the sums.
    double lowSafe = t.low() - 1e-6 * (1 + Math.abs(t.low()));
    double highSafe = t.high() + 1e-6 * (1 + Math.abs(t.high()));
    float[] lowT = transpose(logits, offset);
    float[] colMin = new float[cols];
    float[] colMax = new float[cols];
    for (int c = 0; c < cols; c++) {
      float mn = Float.POSITIVE_INFINITY;
      float mx = Float.NEGATIVE_INFINITY;
      int base = c * rows;
      for (int r = 0; r < rows; r++) {
        float v = lowT[base + r];
        mn = Math.min(mn, v);
        mx = Math.max(mx, v);
      }
      colMin[c] = mn;
      colMax[c] = mx;
    }
    RunWriter runs = new RunWriter(imageHeight, imageWidth);
    double[] col = new double[rows];
    int inter = 0;
    int union = 0;
    int minX = Integer.MAX_VALUE;
    int maxX = -1;
    int minY = Integer.MAX_VALUE;
    int maxY = -1;
    for (int cx = 0; cx < outW; cx++) {
      long colBase = (long) (cropX0 + cx) * imageHeight + cropY0;
      int xs = ax.start(cx) - col0;
      float mn = Float.POSITIVE_INFINITY;
      float mx = Float.NEGATIVE_INFINITY;
      for (int k = 0; k < ax.length(cx); k++) {
        mn = Math.min(mn, colMin[xs + k]);
        mx = Math.max(mx, colMax[xs + k]);
      }
      if (mx < lowSafe) {
        continue;
      }
      int firstY = -1;
      int lastY = -1;
      if (mn > highSafe) {
        inter += outH;
        union += outH;
        runs.add(colBase, outH);
        firstY = 0;
        lastY = outH - 1;
      } else {
        columnPass(lowT, cx, col);
        int runStart = -1;
        for (int g = 0; g + 1 < groupStart.length; g++) {
          int y0 = groupStart[g];
          int y1 = groupStart[g + 1];
          int ys = ay.start(y0) - row0;
          double wmn = Double.POSITIVE_INFINITY;
          double wmx = Double.NEGATIVE_INFINITY;
          for (int k = 0; k < ay.length(y0); k++) {
            wmn = Math.min(wmn, col[ys + k]);
            wmx = Math.max(wmx, col[ys + k]);
          }
          if (wmx < lowSafe) {
            if (runStart >= 0) {
              runs.add(colBase + runStart, y0 - runStart);
              runStart = -1;
            }
            continue;
          }
          if (wmn > highSafe) {
            inter += y1 - y0;
            union += y1 - y0;
            if (runStart < 0) {
              runStart = y0;
            }
            if (firstY < 0) {
              firstY = y0;
            }
            lastY = y1 - 1;
            continue;
          }
          for (int y = y0; y < y1; y++) {
            float v = rowTap(col, y);
            if (v > t.low()) {
              union++;
              if (v > t.high()) {
                inter++;
              }
            }
            if (v > t.mask()) {
              if (runStart < 0) {
                runStart = y;
              }
              if (firstY < 0) {
                firstY = y;
              }
              lastY = y;
            } else if (runStart >= 0) {
              runs.add(colBase + runStart, y - runStart);
              runStart = -1;
            }
          }
        }
        if (runStart >= 0) {
          runs.add(colBase + runStart, outH - runStart);
        }
      }
      if (firstY >= 0) {
        minX = Math.min(minX, cx);
        maxX = cx;
        minY = Math.min(minY, firstY);
        maxY = Math.max(maxY, lastY);
      }
    }
    int[] box = maxX < 0 ? new int[4] : new int[] {minX, minY, maxX, maxY};
    return new Binarized(inter, union, box, runs.finish());
  }

  /** The low-res rows and columns that outputs read, column by column: [c * rows + r]. */
  private float[] transpose(float[] logits, int offset) {
    if (offset < 0 || offset + lowHeight * lowWidth > logits.length) {
      throw new IllegalArgumentException(
          "Mask at offset " + offset + " of " + lowHeight + "x" + lowWidth + " exceeds " + logits.length);
    }
    float[] t = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      int src = offset + (row0 + r) * lowWidth + col0;
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = logits[src + c];
      }
    }
    return t;
  }

  /** col[r] = the x-interpolated value of low-res row row0 + r at output column cx. */
  private void columnPass(float[] lowT, int cx, double[] col) {
    int xs = ax.start(cx) - col0;
    int n = ax.length(cx);
    double w0 = ax.weight(cx, 0);
    int b0 = xs * rows;
    for (int r = 0; r < rows; r++) {
      col[r] = w0 * lowT[b0 + r];
    }
    for (int k = 1; k < n; k++) {
      double w = ax.weight(cx, k);
      int b = (xs + k) * rows;
      for (int r = 0; r < rows; r++) {
        col[r] += w * lowT[b + r];
      }
    }
  }

  private float rowTap(double[] col, int y) {
    int ys = ay.start(y) - row0;
    double v = 0;
    for (int k = 0; k < ay.length(y); k++) {
      v += ay.weight(y, k) * col[ys + k];
    }
    return (float) v;
  }
}
