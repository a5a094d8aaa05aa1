package io.maskgen.amg;

import io.maskgen.schema.rle.Rle;
import java.util.Arrays;

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
 * <p>{@link #screen} is the cheap first look the generator takes at every candidate: the exact box
 * (for the crop-edge filter and NMS) and the logits compacted ({@link CompactLogits}), so that only
 * the candidates NMS does not suppress are binarised.
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
  // colGroup[x]: the column group of output column x.
  private final int[] colGroup;
  // The widest window of low-res logits an output pixel reads, less one.
  private final int radius;

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
    this.colGroup = new int[ax.outputLength()];
    for (int gx = 0; gx + 1 < xGroup.length; gx++) {
      Arrays.fill(colGroup, xGroup[gx], xGroup[gx + 1], gx);
    }
    int window = 1;
    for (int y = 0; y < ay.outputLength(); y++) {
      window = Math.max(window, ay.length(y));
    }
    for (int x = 0; x < ax.outputLength(); x++) {
      window = Math.max(window, ax.length(x));
    }
    this.radius = window - 1;
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
    return Arrays.copyOf(g, n);
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

    Cells cells = classifyCells(logits, offset, bands, false);
    byte[] cellClass = cells.cellClass;
    int ra = cells.ra;
    int rb = cells.rb;
    int ca = cells.ca;
    int cb = cells.cb;
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

    short[] sameUntil = sameUntil(cells);

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
   * What {@link #screen} found about one mask: its exact box (as {@link #binarize} gives it) and
   * its logits, compacted, for binarising it later if it is needed.
   */
  record Screened(int[] boxXyxy, CompactLogits logits) {}

  /**
   * The box of one mask in the crop's frame, exactly as {@link #binarize} would give it, and its
   * logits in a compact form that binarises to exactly the same result ({@link #binarize(
   * CompactLogits, Thresholds, int, int, int, int)}). Much cheaper than binarising: only the
   * unsettled blocks at the box's four edges are evaluated pixel by pixel, and no mask is built.
   */
  Screened screen(float[] logits, int offset, Thresholds t) {
    checkOffset(logits, offset);
    Bands bands = Bands.of(t);
    Cells cells = classifyCells(logits, offset, bands, true);
    CompactLogits compact =
        CompactLogits.of(
            logits,
            offset,
            lowHeight,
            lowWidth,
            cells.cellClass,
            cells.boundary,
            cells.boundaryCount,
            cells.standIn,
            cells.standIn[BELOW],
            cells.ra,
            cells.rb,
            cells.ca,
            cells.cb,
            radius);
    if (cells.rb < 0) {
      return new Screened(new int[4], compact);
    }
    return new Screened(foregroundBox(logits, offset, bands, t.mask(), cells), compact);
  }

  /** {@link #binarize(float[], int, Thresholds, int, int, int, int)} of a screened mask. */
  Binarized binarize(
      CompactLogits logits, Thresholds t, int cropX0, int cropY0, int imageHeight, int imageWidth) {
    if (logits.height() != lowHeight || logits.width() != lowWidth) {
      throw new IllegalArgumentException(
          "Logits of "
              + logits.height()
              + "x"
              + logits.width()
              + " for an upsampling from "
              + lowHeight
              + "x"
              + lowWidth);
    }
    return binarize(logits.restore(), 0, t, cropX0, cropY0, imageHeight, imageWidth);
  }

  /** The classes of one mask's logits and what the passes after it need. */
  private static final class Cells {
    final byte[] cellClass;
    // Bounding box of the cells not clearly below; rb < 0 when there is none.
    int ra = Integer.MAX_VALUE;
    int rb = -1;
    int ca = Integer.MAX_VALUE;
    int cb = -1;
    // A logit of each class seen (for CompactLogits).
    final float[] standIn = new float[MIXED + 1];
    // Cells that differ from a 4-neighbour in class or are undecided (may repeat).
    int[] boundary;
    int boundaryCount;

    Cells(int size, boolean boundaries) {
      cellClass = new byte[size];
      boundary = boundaries ? new int[256] : null;
    }

    void mark(int cell) {
      if (boundaryCount == boundary.length) {
        boundary = Arrays.copyOf(boundary, 2 * boundaryCount);
      }
      boundary[boundaryCount++] = cell;
    }
  }

  /**
   * The class of every logit, the bounding box of those not clearly below low, a logit of each
   * class, and (when {@code boundaries}) the cells at class boundaries.
   */
  private Cells classifyCells(float[] logits, int offset, Bands bands, boolean boundaries) {
    Cells cells = new Cells(lowHeight * lowWidth, boundaries);
    byte[] cellClass = cells.cellClass; // all BELOW (0) to start with
    // The bands as float cut-offs: for a float v, v < atLeast(d) exactly when v < d, and
    // v > atMost(d) exactly when v > d; so each class is what Bands.classify(v, v) gives.
    float belowUnder = atLeast(bands.lowBelow());
    float aboveOver = atMost(bands.highAbove());
    float unionOver = atMost(bands.lowAbove());
    float unionUnder = atLeast(bands.maskBelow());
    float maskOver = atMost(bands.maskAbove());
    float maskUnder = atLeast(bands.highBelow());
    boolean[] seen = new boolean[MIXED + 1];
    for (int r = 0; r < lowHeight; r++) {
      int base = offset + r * lowWidth;
      int at = r * lowWidth;
      // Most logits are clearly below: skip them at both ends of the row (they stay BELOW).
      int first = 0;
      while (first < lowWidth && logits[base + first] < belowUnder) {
        first++;
      }
      if (first > 0 && !seen[BELOW]) {
        seen[BELOW] = true;
        cells.standIn[BELOW] = logits[base];
      }
      if (first == lowWidth) {
        continue;
      }
      int last = lowWidth - 1;
      while (logits[base + last] < belowUnder) {
        last--;
      }
      if (last < lowWidth - 1 && !seen[BELOW]) {
        seen[BELOW] = true;
        cells.standIn[BELOW] = logits[base + lowWidth - 1];
      }
      for (int c = first; c <= last; c++) {
        float v = logits[base + c];
        byte k;
        if (v < belowUnder) {
          if (!seen[BELOW]) {
            seen[BELOW] = true;
            cells.standIn[BELOW] = v;
          }
          continue;
        } else if (v > aboveOver) {
          k = ABOVE;
        } else if (v > unionOver && v < unionUnder) {
          k = UNION_ONLY;
        } else if (v > maskOver && v < maskUnder) {
          k = MASK_NOT_HIGH;
        } else {
          k = MIXED;
          if (boundaries) {
            cells.mark(at + c);
          }
        }
        cellClass[at + c] = k;
        if (!seen[k]) {
          seen[k] = true;
          cells.standIn[k] = v;
        }
      }
      cells.ra = Math.min(cells.ra, r);
      cells.rb = r;
      cells.ca = Math.min(cells.ca, first);
      cells.cb = Math.max(cells.cb, last);
    }
    if (boundaries && cells.rb >= 0) {
      // Outside [ra, rb] x [ca, cb] widened by one, every cell and its neighbours are below.
      int r0 = Math.max(0, cells.ra - 1);
      int r1 = Math.min(lowHeight - 1, cells.rb + 1);
      int c0 = Math.max(0, cells.ca - 1);
      int c1 = Math.min(lowWidth - 1, cells.cb + 1);
      // Compared eight cells at a time (runs of equal classes are long).
      for (int r = r0; r <= r1; r++) {
        int at = r * lowWidth;
        markMismatches(cells, at + c0 + 1, at + c1 + 1, 1);
        if (r > r0) {
          markMismatches(cells, at + c0, at + c1 + 1, lowWidth);
        }
      }
    }
    return cells;
  }

  /**
   * Marks both cells of every pair (i - step, i), i in [from, to), whose classes differ: step 1
   * compares a row with itself shifted by one, step lowWidth with the row above.
   */
  private static void markMismatches(Cells cells, int from, int to, int step) {
    byte[] k = cells.cellClass;
    int i = from;
    // Eight cells at a time while both words fit in the array.
    for (; i + 8 <= to; i += 8) {
      long diff =
          (long) CompactLogits.LONGS.get(k, i) ^ (long) CompactLogits.LONGS.get(k, i - step);
      while (diff != 0) {
        int j = i + (Long.numberOfTrailingZeros(diff) >>> 3);
        cells.mark(j - step);
        cells.mark(j);
        diff &= ~(0xFFL << ((j - i) << 3));
      }
    }
    for (; i < to; i++) {
      if (k[i] != k[i - step]) {
        cells.mark(i - step);
        cells.mark(i);
      }
    }
  }

  /** The smallest float that is at least d. */
  private static float atLeast(double d) {
    float f = (float) d;
    return f < d ? Math.nextUp(f) : f;
  }

  /** The largest float that is at most d. */
  private static float atMost(double d) {
    float f = (float) d;
    return f > d ? Math.nextDown(f) : f;
  }

  /** In rows [ra, rb], the last column of its row up to which a logit's class stays the same. */
  private short[] sameUntil(Cells cells) {
    int ra = cells.ra;
    byte[] cellClass = cells.cellClass;
    short[] sameUntil = new short[(cells.rb - ra + 1) * lowWidth];
    for (int r = ra; r <= cells.rb; r++) {
      int at = (r - ra) * lowWidth;
      int cat = r * lowWidth;
      sameUntil[at + lowWidth - 1] = (short) (lowWidth - 1);
      for (int c = lowWidth - 2; c >= 0; c--) {
        sameUntil[at + c] =
            cellClass[cat + c] == cellClass[cat + c + 1] ? sameUntil[at + c + 1] : (short) c;
      }
    }
    return sameUntil;
  }

  /** The class of a low-res row's window of columns [xs, xs + nx): one class, or MIXED. */
  private byte windowRowClass(Cells cells, int r, int xs, int nx) {
    if (r < cells.ra || r > cells.rb) {
      return BELOW;
    }
    int at = r * lowWidth + xs;
    byte k = cells.cellClass[at];
    for (int i = 1; i < nx; i++) {
      if (cells.cellClass[at + i] != k) {
        return MIXED;
      }
    }
    return k;
  }

  /** The class of block (column group gx, row group gy): its window's one class, or MIXED. */
  private byte blockClass(Cells cells, int gx, int gy) {
    int xs = ax.start(xGroup[gx]);
    int nx = ax.length(xGroup[gx]);
    int ys = ay.start(yGroup[gy]);
    int ny = ay.length(yGroup[gy]);
    byte k = windowRowClass(cells, ys, xs, nx);
    for (int j = 1; j < ny && k != MIXED; j++) {
      if (windowRowClass(cells, ys + j, xs, nx) != k) {
        k = MIXED;
      }
    }
    return k;
  }

  /** Whether output column cx has a foreground pixel in the unsettled blocks listed. */
  private boolean columnHasForeground(
      float[] logits, int offset, int cx, byte[] blocks, int gyA, Bands bands, float maskT) {
    double[] col = new double[3];
    for (int gy = gyA; gy < gyA + blocks.length; gy++) {
      if (blocks[gy - gyA] != MIXED) {
        continue;
      }
      int y0 = yGroup[gy];
      col = columnValues(logits, offset, cx, y0, col);
      int side = maskSide(col, ay.length(y0), bands);
      if (side != 0) {
        if (side > 0) {
          return true;
        }
        continue;
      }
      for (int y = y0; y < yGroup[gy + 1]; y++) {
        if (pixel(col, y) > maskT) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Where a column's pixels in one row group lie against the mask threshold, from its
   * x-interpolated values (every pixel is a convex combination of them; the bands' margins cover
   * rounding): -1 none is foreground, 1 all are, 0 to be evaluated.
   */
  private static int maskSide(double[] col, int ny, Bands bands) {
    double mn = col[0];
    double mx = mn;
    for (int j = 1; j < ny; j++) {
      mn = Math.min(mn, col[j]);
      mx = Math.max(mx, col[j]);
    }
    if (mx < bands.maskBelow()) {
      return -1;
    }
    return mn > bands.maskAbove() ? 1 : 0;
  }

  /**
   * The first (or, with {@code last}, the last) output row in row group gy, over the column groups
   * [gxA, gxB], with a foreground pixel; -1 when it has none.
   */
  private int foregroundRow(
      float[] logits,
      int offset,
      Cells cells,
      int gy,
      int gxA,
      int gxB,
      Bands bands,
      float maskT,
      boolean last) {
    int y0 = yGroup[gy];
    int y1 = yGroup[gy + 1];
    int[] mixed = new int[gxB - gxA + 1];
    int nMixed = 0;
    for (int gx = gxA; gx <= gxB; gx++) {
      byte k = blockClass(cells, gx, gy);
      if (isForeground(k)) {
        return last ? y1 - 1 : y0;
      }
      if (k == MIXED) {
        mixed[nMixed++] = gx;
      }
    }
    if (nMixed == 0) {
      return -1;
    }
    int ny = ay.length(y0);
    int columns = 0;
    for (int i = 0; i < nMixed; i++) {
      columns += xGroup[mixed[i] + 1] - xGroup[mixed[i]];
    }
    double[] values = new double[columns * ny];
    double[] col = new double[ny];
    int at = 0;
    for (int i = 0; i < nMixed; i++) {
      for (int cx = xGroup[mixed[i]]; cx < xGroup[mixed[i] + 1]; cx++) {
        col = columnValues(logits, offset, cx, y0, col);
        int side = maskSide(col, ny, bands);
        if (side > 0) {
          return last ? y1 - 1 : y0;
        }
        if (side == 0) {
          System.arraycopy(col, 0, values, at, ny);
          at += ny;
        }
      }
    }
    columns = at / ny;
    double[] one = new double[ny];
    for (int step = 0; step < y1 - y0; step++) {
      int y = last ? y1 - 1 - step : y0 + step;
      for (int c = 0; c < columns; c++) {
        System.arraycopy(values, c * ny, one, 0, ny);
        if (pixel(one, y) > maskT) {
          return y;
        }
      }
    }
    return -1;
  }

  /**
   * The inclusive box of the foreground pixels (logit {@code > maskT}), zeros when there are none:
   * the outermost column and row groups with a settled foreground block or an unsettled block
   * holding a foreground pixel; only the unsettled blocks of those groups are evaluated.
   */
  private int[] foregroundBox(float[] logits, int offset, Bands bands, float maskT, Cells cells) {
    int gyA = 0;
    while (gyA + 1 < yGroup.length && lastRow(gyA) < cells.ra) {
      gyA++;
    }
    int gyB = yGroup.length - 2;
    while (gyB >= gyA && ay.start(yGroup[gyB]) > cells.rb) {
      gyB--;
    }
    if (gyA > gyB) {
      return new int[4];
    }
    int groups = xGroup.length - 1;
    byte[] blocks = new byte[gyB - gyA + 1];
    int minX = -1;
    int maxX = -1;
    for (int pass = 0; pass < 2 && (pass == 0 || minX >= 0); pass++) {
      boolean fromRight = pass == 1;
      for (int step = 0; step < groups; step++) {
        int gx = fromRight ? groups - 1 - step : step;
        int xs = ax.start(xGroup[gx]);
        if (xs + ax.length(xGroup[gx]) - 1 < cells.ca || xs > cells.cb) {
          continue;
        }
        boolean anyMixed = false;
        int found = -1;
        for (int gy = gyA; gy <= gyB && found < 0; gy++) {
          byte k = blockClass(cells, gx, gy);
          blocks[gy - gyA] = k;
          if (isForeground(k)) {
            found = fromRight ? xGroup[gx + 1] - 1 : xGroup[gx];
          }
          anyMixed |= k == MIXED;
        }
        if (found < 0 && anyMixed) {
          int width = xGroup[gx + 1] - xGroup[gx];
          for (int i = 0; i < width && found < 0; i++) {
            int cx = fromRight ? xGroup[gx + 1] - 1 - i : xGroup[gx] + i;
            if (columnHasForeground(logits, offset, cx, blocks, gyA, bands, maskT)) {
              found = cx;
            }
          }
        }
        if (found >= 0) {
          if (fromRight) {
            maxX = found;
          } else {
            minX = found;
          }
          break;
        }
      }
    }
    if (minX < 0) {
      return new int[4];
    }
    int gxA = colGroup[minX];
    int gxB = colGroup[maxX];
    int minY = -1;
    for (int gy = gyA; gy <= gyB && minY < 0; gy++) {
      minY = foregroundRow(logits, offset, cells, gy, gxA, gxB, bands, maskT, false);
    }
    int maxY = -1;
    for (int gy = gyB; gy >= gyA && maxY < 0; gy--) {
      maxY = foregroundRow(logits, offset, cells, gy, gxA, gxB, bands, maskT, true);
    }
    if (minY < 0 || maxY < 0) {
      throw new IllegalStateException("Foreground columns without foreground rows");
    }
    return new int[] {minX, minY, maxX, maxY};
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
          spans[c] = Arrays.copyOf(spans[c], spans[c].length * 2);
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
