package io.maskgen.amg;

import io.maskgen.schema.rle.Rle;

/**
 * Low-resolution mask logits to the crop's size, as segment-anything's {@code postprocess_masks}
 * does it: {@code F.interpolate} (bilinear, {@code align_corners=False}) to the S x S model input,
 * cut to the resized image ({@code inputHeight x inputWidth}), {@code F.interpolate} to the crop.
 *
 * <p>Both resizes are composed per axis into one sparse operator ({@link LinearAxis#then}), so no S
 * x S intermediate exists; an output pixel reads at most 3 x 3 low-res logits. Output rows (and
 * columns) that read the same low-res rows (columns) form groups; a block of one row group by one
 * column group reads one small window of logits, so {@link #binarize} can settle a whole block at
 * once when that window lies clearly inside one interval between the thresholds. Weights follow PyTorch's source
 * indices and float32 lambdas; the sum is taken in double and rounded to float. Values agree with
 * PyTorch's two float32 passes to about 1e-6 relative (measured: at most 2e-6 on logits within
 * +-20, see {@code MaskUpsamplerTest}).
 *
 * <p>Thresholds compare strictly ({@code >}), like the reference: a value exactly at a threshold
 * (e.g. inside a flat region of zero logits at SAM's threshold 0, which both implementations
 * reproduce exactly) is below it. A pixel whose value lies within about 1e-6 relative of a
 * threshold without being exactly on it may fall on the other side here than in PyTorch; that
 * changes a mask by at most such pixels and the stability counts by as many.
 *
 * <p>Instances are immutable and may be shared between threads.
 */
public final class MaskUpsampler {
  private final int lowHeight;
  private final int lowWidth;
  private final LinearAxis ay;
  private final LinearAxis ax;
  // Output rows [yGroup[g], yGroup[g + 1]) read the same low-res rows; likewise columns.
  private final int[] yGroup;
  private final int[] xGroup;
  private final int maxGroupWidth;
  // groupEndingBy[r]: the last row group whose low-res rows all lie at or above row r, or -1.
  private final int[] groupEndingBy;

  private MaskUpsampler(int lowHeight, int lowWidth, LinearAxis ay, LinearAxis ax) {
    this.lowHeight = lowHeight;
    this.lowWidth = lowWidth;
    this.ay = ay;
    this.ax = ax;
    this.yGroup = groups(ay);
    this.xGroup = groups(ax);
    int w = 1;
    for (int g = 0; g + 1 < xGroup.length; g++) {
      w = Math.max(w, xGroup[g + 1] - xGroup[g]);
    }
    this.maxGroupWidth = w;
    this.groupEndingBy = new int[lowHeight];
    int g = -1;
    for (int r = 0; r < lowHeight; r++) {
      while (g + 2 < yGroup.length && lastRow(g + 1) <= r) {
        g++;
      }
      groupEndingBy[r] = g;
    }
    for (int k = 0; k + 2 < yGroup.length; k++) {
      if (ay.start(yGroup[k + 1]) < ay.start(yGroup[k]) || lastRow(k + 1) < lastRow(k)) {
        throw new IllegalStateException("Row windows of the upsampling are not monotone");
      }
    }
  }

  private static int[] groups(LinearAxis a) {
    int out = a.outputLength();
    int[] g = new int[out + 1];
    int n = 0;
    for (int o = 0; o < out; o++) {
      if (o == 0 || a.start(o) != a.start(o - 1) || a.length(o) != a.length(o - 1)) {
        g[n++] = o;
      }
    }
    g[n++] = out;
    return java.util.Arrays.copyOf(g, n);
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
      int lowHeight,
      int lowWidth,
      int inputSize,
      int inputHeight,
      int inputWidth,
      int outHeight,
      int outWidth) {
    if (lowHeight <= 0
        || lowWidth <= 0
        || lowWidth > Short.MAX_VALUE
        || inputHeight <= 0
        || inputWidth <= 0
        || inputHeight > inputSize
        || inputWidth > inputSize
        || outHeight <= 0
        || outWidth <= 0) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid mask upsampling: low-res %dx%d, input %d cut to %dx%d, output %dx%d",
              lowHeight, lowWidth, inputSize, inputHeight, inputWidth, outHeight, outWidth));
    }
    LinearAxis ay =
        LinearAxis.torchBilinear(lowHeight, inputSize)
            .then(LinearAxis.torchBilinear(inputHeight, outHeight));
    LinearAxis ax =
        LinearAxis.torchBilinear(lowWidth, inputSize)
            .then(LinearAxis.torchBilinear(inputWidth, outWidth));
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
    checkOffset(logits, offset);
    int outW = outWidth();
    float[] out = new float[outHeight() * outW];
    double[] col = new double[3];
    for (int gx = 0; gx + 1 < xGroup.length; gx++) {
      for (int gy = 0; gy + 1 < yGroup.length; gy++) {
        int y0 = yGroup[gy];
        int y1 = yGroup[gy + 1];
        for (int cx = xGroup[gx]; cx < xGroup[gx + 1]; cx++) {
          col = columnValues(logits, offset, cx, y0, col);
          for (int y = y0; y < y1; y++) {
            out[y * outW + cx] = pixel(col, y);
          }
        }
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

  // Classes of a window of logits, by where all its values lie: below low, in (low, mask], in
  // (mask, high], above high; or spread over several of these intervals.
  private static final byte BELOW = 0;
  private static final byte UNION_ONLY = 1;
  private static final byte MASK_NOT_HIGH = 2;
  private static final byte ABOVE = 3;
  private static final byte MIXED = 4;

  /**
   * The interval bounds with safety margins: a convex combination (bilinear weights are >= 0 and
   * sum to 1 within 1e-7) of values inside a bound stays on that side of its threshold after
   * rounding, since the margin dwarfs any rounding error.
   */
  private record Bands(
      double lowBelow,
      double lowAbove,
      double maskBelow,
      double maskAbove,
      double highBelow,
      double highAbove) {

    static Bands of(Thresholds t) {
      return new Bands(
          below(t.low()),
          above(t.low()),
          below(t.mask()),
          above(t.mask()),
          below(t.high()),
          above(t.high()));
    }

    private static double below(float t) {
      return t - 1e-6 * (1 + Math.abs(t));
    }

    private static double above(float t) {
      return t + 1e-6 * (1 + Math.abs(t));
    }

    /** The class every convex combination of values in [mn, mx] is sure to have. */
    byte classify(double mn, double mx) {
      if (mx < lowBelow) {
        return BELOW;
      }
      if (mn > highAbove) {
        return ABOVE;
      }
      if (mn > lowAbove && mx < maskBelow) {
        return UNION_ONLY;
      }
      if (mn > maskAbove && mx < highBelow) {
        return MASK_NOT_HIGH;
      }
      return MIXED;
    }
  }

  /**
   * Upsamples one mask and, in the same pass, counts the stability score's pixels, binarises, finds
   * the box and run-length encodes the mask placed in the image frame at ({@code cropX0, cropY0}).
   * The result is identical to thresholding {@link #upsample}, but most pixels are never evaluated.
   * A block (one row group by one column group) reads one window of low-res logits; when every
   * logit of the window lies clearly inside one of the intervals the thresholds cut (below low,
   * between low and mask, between mask and high, above high), so does every pixel of the block, and
   * consecutive such blocks of a column group are settled in one step. In the other blocks, a
   * column whose x-interpolated values lie inside one interval is settled, and so is an output row
   * whose bounds over all columns (from the window's per-row minima and maxima) do. Only the
   * bounding box of the low-res logits that are not clearly below low is visited.
   */
  public Binarized binarize(
      float[] logits,
      int offset,
      Thresholds t,
      int cropX0,
      int cropY0,
      int imageHeight,
      int imageWidth) {
    checkOffset(logits, offset);
    int outH = outHeight();
    int outW = outWidth();
    if (cropX0 < 0 || cropY0 < 0 || cropX0 + outW > imageWidth || cropY0 + outH > imageHeight) {
      throw new IllegalArgumentException(
          String.format(
              "Crop %dx%d at (%d, %d) outside image %dx%d",
              outW, outH, cropX0, cropY0, imageWidth, imageHeight));
    }
    Bands bands = Bands.of(t);
    RunWriter runs = new RunWriter(imageHeight, imageWidth);

    // The class of every logit, and the bounding box [ra, rb] x [ca, cb] of those not clearly
    // below.
    byte[] cellClass = new byte[lowHeight * lowWidth];
    int ra = Integer.MAX_VALUE;
    int rb = -1;
    int ca = Integer.MAX_VALUE;
    int cb = -1;
    for (int r = 0; r < lowHeight; r++) {
      int base = offset + r * lowWidth;
      int at = r * lowWidth;
      int first = -1;
      int last = -1;
      for (int c = 0; c < lowWidth; c++) {
        float v = logits[base + c];
        byte k = bands.classify(v, v);
        cellClass[at + c] = k;
        if (k != BELOW) {
          if (first < 0) {
            first = c;
          }
          last = c;
        }
      }
      if (first >= 0) {
        ra = Math.min(ra, r);
        rb = r;
        ca = Math.min(ca, first);
        cb = Math.max(cb, last);
      }
    }
    if (rb < 0) {
      return new Binarized(0, 0, new int[4], runs.finish());
    }
    // Row groups whose window meets [ra, rb]; the others read only clearly-below rows.
    int gyA = 0;
    while (gyA + 1 < yGroup.length && lastRow(gyA) < ra) {
      gyA++;
    }
    int gyB = yGroup.length - 2;
    while (gyB >= gyA && ay.start(yGroup[gyB]) > rb) {
      gyB--;
    }
    if (gyA > gyB) {
      return new Binarized(0, 0, new int[4], runs.finish());
    }
    int rowLo = ay.start(yGroup[gyA]);
    int rowHi = lastRow(gyB);

    // In rows [ra, rb], the last column of its row up to which a logit's class stays the same.
    short[] sameUntil = new short[(rb - ra + 1) * lowWidth];
    for (int r = ra; r <= rb; r++) {
      int at = (r - ra) * lowWidth;
      int cat = r * lowWidth;
      sameUntil[at + lowWidth - 1] = (short) (lowWidth - 1);
      for (int c = lowWidth - 2; c >= 0; c--) {
        sameUntil[at + c] =
            cellClass[cat + c] == cellClass[cat + c + 1] ? sameUntil[at + c + 1] : (short) c;
      }
    }

    Columns cols = new Columns(maxGroupWidth);
    byte[] rowClass = new byte[lowHeight];
    int[] classRunEnd = new int[lowHeight];
    int maxGroupHeight = 1;
    for (int g = 0; g + 1 < yGroup.length; g++) {
      maxGroupHeight = Math.max(maxGroupHeight, yGroup[g + 1] - yGroup[g]);
    }
    byte[] yClass = new byte[maxGroupHeight];
    int[] ySame = new int[maxGroupHeight];
    double[] col = new double[3];
    int minX = Integer.MAX_VALUE;
    int maxX = -1;
    int minY = Integer.MAX_VALUE;
    int maxY = -1;
    for (int gx = 0; gx + 1 < xGroup.length; gx++) {
      int cx0 = xGroup[gx];
      int xs = ax.start(cx0);
      int nx = ax.length(cx0);
      if (xs + nx - 1 < ca || xs > cb) {
        continue;
      }
      int width = xGroup[gx + 1] - cx0;
      // The class of each low-res row's window in this column group, and where its run of equal
      // classes ends; rows outside [ra, rb] are clearly below.
      for (int r = rowHi; r >= rowLo; r--) {
        byte k = BELOW;
        if (r >= ra && r <= rb) {
          int at = (r - ra) * lowWidth + xs;
          k = sameUntil[at] >= xs + nx - 1 ? cellClass[r * lowWidth + xs] : MIXED;
        }
        rowClass[r] = k;
        classRunEnd[r] = r < rowHi && rowClass[r + 1] == k ? classRunEnd[r + 1] : r;
      }
      cols.reset(width);
      // Whether every column's run is closed (CLOSED) or open (OPEN), so a settled block of the
      // same kind needs no per-column work; foreground of settled blocks spans all columns.
      int state = CLOSED;
      int allFirstY = -1;
      int allLastY = -1;
      int gy = gyA;
      while (gy <= gyB) {
        int y0 = yGroup[gy];
        int ys = ay.start(y0);
        byte k = rowClass[ys];
        if (k != MIXED && classRunEnd[ys] >= lastRow(gy)) {
          // Settled: this block and the following ones whose rows stay in the same class run.
          int gEnd = Math.min(gyB, groupEndingBy[classRunEnd[ys]]);
          int y1 = yGroup[gEnd + 1];
          long pixels = (long) (y1 - y0) * width;
          if (k != BELOW) {
            cols.union += pixels;
          }
          if (k == ABOVE) {
            cols.inter += pixels;
          }
          if (isForeground(k)) {
            if (allFirstY < 0) {
              allFirstY = y0;
            }
            allLastY = y1 - 1;
            if (state != OPEN) {
              for (int c = 0; c < width; c++) {
                cols.open(c, y0);
              }
              state = OPEN;
            }
          } else if (state != CLOSED) {
            for (int c = 0; c < width; c++) {
              cols.close(c, y0);
            }
            state = CLOSED;
          }
          gy = gEnd + 1;
          continue;
        }
        int y1 = yGroup[gy + 1];
        int ny = ay.length(y0);
        boolean rowsUniform = true;
        for (int j = 0; j < ny; j++) {
          rowsUniform &= rowClass[ys + j] != MIXED;
        }
        if (rowsUniform) {
          // Each low-res row is settled across the block but they differ (an edge across the
          // rows): settle output rows for all columns, evaluate pixels in the others only.
          settleRows(logits, offset, ys, ny, xs, nx, y0, y1, bands, yClass, ySame);
          for (int c = 0; c < width; c++) {
            boolean haveColumn = false;
            int y = y0;
            while (y < y1) {
              byte yc = yClass[y - y0];
              if (yc != MIXED) {
                int ye = ySame[y - y0];
                cols.settle(c, y, ye, yc);
                y = ye;
              } else {
                if (!haveColumn) {
                  col = columnValues(logits, offset, cx0 + c, y0, col);
                  haveColumn = true;
                }
                cols.pixel(c, y, pixel(col, y), t);
                y++;
              }
            }
          }
        } else {
          // An edge across the columns: settle whole columns where their x-interpolated values
          // allow, evaluate every pixel of the others.
          for (int c = 0; c < width; c++) {
            col = columnValues(logits, offset, cx0 + c, y0, col);
            double mn = col[0];
            double mx = mn;
            for (int j = 1; j < ny; j++) {
              mn = Math.min(mn, col[j]);
              mx = Math.max(mx, col[j]);
            }
            byte kc = bands.classify(mn, mx);
            if (kc != MIXED) {
              cols.settle(c, y0, y1, kc);
              continue;
            }
            for (int y = y0; y < y1; y++) {
              cols.pixel(c, y, pixel(col, y), t);
            }
          }
        }
        state = MIXED_RUNS;
        gy++;
      }
      int end = yGroup[gyB + 1];
      for (int c = 0; c < width; c++) {
        cols.close(c, end);
        long colBase = (long) (cropX0 + cx0 + c) * imageHeight + cropY0;
        int[] sp = cols.spans[c];
        for (int k = 0; k < cols.spanCount[c]; k++) {
          runs.add(colBase + sp[2 * k], sp[2 * k + 1] - sp[2 * k]);
        }
        int fy = cols.firstY[c];
        if (fy >= 0 || allFirstY >= 0) {
          minX = Math.min(minX, cx0 + c);
          maxX = cx0 + c;
          if (fy >= 0) {
            minY = Math.min(minY, fy);
            maxY = Math.max(maxY, cols.lastY[c]);
          }
          if (allFirstY >= 0) {
            minY = Math.min(minY, allFirstY);
            maxY = Math.max(maxY, allLastY);
          }
        }
      }
    }
    int[] box = maxX < 0 ? new int[4] : new int[] {minX, minY, maxX, maxY};
    return new Binarized((int) cols.inter, (int) cols.union, box, runs.finish());
  }

  /**
   * The class of each output row y0..y1-1 over all columns of a block, from bounds built of the
   * window's per-row minima and maxima (MIXED where they straddle a threshold), with a margin for
   * the x weights summing to 1 only within rounding; and where each run of equal classes ends.
   */
  private void settleRows(
      float[] logits,
      int offset,
      int ys,
      int ny,
      int xs,
      int nx,
      int y0,
      int y1,
      Bands bands,
      byte[] yClass,
      int[] ySame) {
    double[] windowMin = new double[ny];
    double[] windowMax = new double[ny];
    double magnitude = 0;
    for (int j = 0; j < ny; j++) {
      int base = offset + (ys + j) * lowWidth + xs;
      float mn = logits[base];
      float mx = mn;
      for (int i = 1; i < nx; i++) {
        mn = Math.min(mn, logits[base + i]);
        mx = Math.max(mx, logits[base + i]);
      }
      windowMin[j] = mn;
      windowMax[j] = mx;
      magnitude = Math.max(magnitude, Math.max(-mn, mx));
    }
    double slack = 1e-6 * magnitude;
    for (int y = y1 - 1; y >= y0; y--) {
      double lo = ay.weight(y, 0) * windowMin[0];
      double hi = ay.weight(y, 0) * windowMax[0];
      for (int j = 1; j < ny; j++) {
        lo += ay.weight(y, j) * windowMin[j];
        hi += ay.weight(y, j) * windowMax[j];
      }
      byte yc = bands.classify(lo - slack, hi + slack);
      yClass[y - y0] = yc;
      ySame[y - y0] = y + 1 < y1 && yClass[y + 1 - y0] == yc ? ySame[y + 1 - y0] : y + 1;
    }
  }

  private static boolean isForeground(byte k) {
    return k == ABOVE || k == MASK_NOT_HIGH;
  }

  /**
   * The columns of one column group while its rows are visited top to bottom: each column's open
   * run and finished foreground spans (crop rows), its first and last foreground row, and the
   * stability counts of the whole mask.
   */
  private static final class Columns {
    final int[] runStart;
    final int[][] spans;
    final int[] spanCount;
    final int[] firstY;
    final int[] lastY;
    long inter;
    long union;

    Columns(int maxWidth) {
      runStart = new int[maxWidth];
      spans = new int[maxWidth][8];
      spanCount = new int[maxWidth];
      firstY = new int[maxWidth];
      lastY = new int[maxWidth];
    }

    void reset(int width) {
      for (int c = 0; c < width; c++) {
        runStart[c] = -1;
        spanCount[c] = 0;
        firstY[c] = -1;
      }
    }

    void open(int c, int y) {
      if (runStart[c] < 0) {
        runStart[c] = y;
      }
    }

    void close(int c, int y) {
      if (runStart[c] >= 0) {
        int n = spanCount[c]++;
        if (2 * n + 2 > spans[c].length) {
          spans[c] = java.util.Arrays.copyOf(spans[c], spans[c].length * 2);
        }
        spans[c][2 * n] = runStart[c];
        spans[c][2 * n + 1] = y;
        runStart[c] = -1;
      }
    }

    /** Rows [y0, y1) of column c, all of class k (not MIXED). */
    void settle(int c, int y0, int y1, byte k) {
      if (k != BELOW) {
        union += y1 - y0;
      }
      if (k == ABOVE) {
        inter += y1 - y0;
      }
      if (isForeground(k)) {
        open(c, y0);
        if (firstY[c] < 0) {
          firstY[c] = y0;
        }
        lastY[c] = y1 - 1;
      } else {
        close(c, y0);
      }
    }

    /** Pixel (c, y) with upsampled value v. */
    void pixel(int c, int y, float v, Thresholds t) {
      if (v > t.low()) {
        union++;
        if (v > t.high()) {
          inter++;
        }
      }
      if (v > t.mask()) {
        open(c, y);
        if (firstY[c] < 0) {
          firstY[c] = y;
        }
        lastY[c] = y;
      } else {
        close(c, y);
      }
    }
  }

  private static final int CLOSED = 0;
  private static final int OPEN = 1;
  private static final int MIXED_RUNS = 2;

  private int lastRow(int gy) {
    int y = yGroup[gy];
    return ay.start(y) + ay.length(y) - 1;
  }

  private void checkOffset(float[] logits, int offset) {
    if (offset < 0 || offset + lowHeight * lowWidth > logits.length) {
      throw new IllegalArgumentException(
          "Mask at offset "
              + offset
              + " of "
              + lowHeight
              + "x"
              + lowWidth
              + " exceeds "
              + logits.length);
    }
  }

  /**
   * The x-interpolated values at output column {@code cx} of the low-res rows that output row
   * {@code y} reads (its whole row group reads the same rows).
   */
  private double[] columnValues(float[] logits, int offset, int cx, int y, double[] out) {
    int ys = ay.start(y);
    int ny = ay.length(y);
    if (out.length < ny) {
      out = new double[ny];
    }
    int xs = ax.start(cx);
    int nx = ax.length(cx);
    for (int k = 0; k < ny; k++) {
      int base = offset + (ys + k) * lowWidth + xs;
      double v = ax.weight(cx, 0) * logits[base];
      for (int j = 1; j < nx; j++) {
        v += ax.weight(cx, j) * logits[base + j];
      }
      out[k] = v;
    }
    return out;
  }

  /** Output row {@code y} from its rows' x-interpolated values, rounded to float32. */
  private float pixel(double[] col, int y) {
    double v = ay.weight(y, 0) * col[0];
    for (int k = 1; k < ay.length(y); k++) {
      v += ay.weight(y, k) * col[k];
    }
    return (float) v;
  }
}
