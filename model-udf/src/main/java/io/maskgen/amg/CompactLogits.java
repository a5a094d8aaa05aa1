package io.maskgen.amg;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One candidate's low-res logits, kept small until the generator knows whether it needs the mask:
 * exact values only near class boundaries, one stand-in value per class elsewhere.
 *
 * <p>{@link MaskUpsampler#binarize} reads a logit's exact value only inside a window (at most
 * {@code radius + 1} cells wide each way) holding logits of different classes (below the low
 * threshold, between two thresholds, above the high one, or too close to a threshold to tell).
 * Elsewhere it uses only the class. So cells within Chebyshev distance {@code radius} of a class
 * boundary keep their exact value and every other cell becomes a stand-in of its class (a logit of
 * that class seen in the same mask); binarising the {@link #restore restored} plane gives exactly
 * the result of binarising the original one (masks, counts and box), which {@code
 * CompactLogitsTest} checks against the original on random and piecewise-constant logits.
 *
 * <p>A typical mask of the shipped model on a photo keeps ~5% of its 65,536 logits. Immutable.
 */
final class CompactLogits {
  private static final int EXACT = 7;
  private static final int TAG_BITS = 3;

  private final int height;
  private final int width;
  // The region holding every cell not clearly below the low threshold, widened by the radius:
  // rows [r0, r1), columns [c0, c1); outside it every cell is `outside`.
  private final int r0;
  private final int r1;
  private final int c0;
  private final int c1;
  private final float outside;
  // Region cells in row-major order as runs: (length << TAG_BITS) | tag, where tag is a class
  // (fill with standIn[tag]) or EXACT (take the next `length` values of `exact`).
  private final int[] runs;
  private final float[] standIn;
  private final float[] exact;

  private CompactLogits(
      int height,
      int width,
      int r0,
      int r1,
      int c0,
      int c1,
      float outside,
      int[] runs,
      float[] standIn,
      float[] exact) {
    this.height = height;
    this.width = width;
    this.r0 = r0;
    this.r1 = r1;
    this.c0 = c0;
    this.c1 = c1;
    this.outside = outside;
    this.runs = runs;
    this.standIn = standIn;
    this.exact = exact;
  }

  /**
   * Compacts one mask's logits.
   *
   * @param cellClass the class of every logit of the mask, row-major {@code height x width}
   * @param boundary indices of cells that differ in class from a 4-neighbour, or whose class is
   *     undecided; {@code boundaryCount} of them are used
   * @param standIn a logit of each class that occurs in the mask (any value where none does)
   * @param outside a logit clearly below the low threshold (any value when there is none)
   * @param ra first row with a cell not clearly below (or -1 when there is none), likewise the
   *     last row {@code rb} and the columns {@code ca}, {@code cb}
   * @param radius how far from a boundary exact values are kept
   */
  static CompactLogits of(
      float[] logits,
      int offset,
      int height,
      int width,
      byte[] cellClass,
      int[] boundary,
      int boundaryCount,
      float[] standIn,
      float outside,
      int ra,
      int rb,
      int ca,
      int cb,
      int radius) {
    if (rb < 0) {
      return new CompactLogits(
          height, width, 0, 0, 0, 0, outside, new int[0], standIn.clone(), new float[0]);
    }
    int r0 = Math.max(0, ra - radius);
    int r1 = Math.min(height, rb + radius + 1);
    int c0 = Math.max(0, ca - radius);
    int c1 = Math.min(width, cb + radius + 1);
    int rw = c1 - c0;
    // Cells within the radius of a boundary cell, in the region: a window that mixes classes
    // holds a cell not clearly below, so all its cells lie within the radius of
    // [ra, rb] x [ca, cb].
    byte[] needed = dilate(boundary, boundaryCount, width, r0, r1, c0, c1, radius);
    Encoder enc = new Encoder();
    for (int r = r0; r < r1; r++) {
      int at = (r - r0) * rw;
      int cellAt = r * width + c0;
      int logitAt = offset + r * width + c0;
      int i = 0;
      while (i < rw) {
        int j = i + 1;
        if (needed[at + i] != 0) {
          while (j < rw && needed[at + j] != 0) {
            j++;
          }
          enc.exact(logits, logitAt + i, j - i);
        } else {
          byte k = cellClass[cellAt + i];
          while (j < rw && needed[at + j] == 0 && cellClass[cellAt + j] == k) {
            j++;
          }
          enc.run(k, j - i);
        }
        i = j;
      }
    }
    int[] runs = enc.finish();
    float[] exact = Arrays.copyOf(enc.exact, enc.nExact);
    return new CompactLogits(
        height,
        width,
        r0,
        r1,
        c0,
        c1,
        outside,
        runs,
        standIn.clone(),
        exact);
  }

  /**
   * The cells of region [r0, r1) x [c0, c1) (row-major) within Chebyshev distance {@code radius} of
   * a listed cell: each listed cell dilated along its row, then whole rows OR-ed together.
   */
  private static byte[] dilate(
      int[] cells, int count, int width, int r0, int r1, int c0, int c1, int radius) {
    int rw = c1 - c0;
    int rh = r1 - r0;
    byte[] rows = new byte[rh * rw];
    for (int k = 0; k < count; k++) {
      int r = cells[k] / width - r0;
      int c = cells[k] % width - c0;
      if (r < 0 || r >= rh || c < 0 || c >= rw) {
        continue;
      }
      int xa = r * rw + Math.max(0, c - radius);
      int xb = r * rw + Math.min(rw - 1, c + radius);
      for (int x = xa; x <= xb; x++) {
        rows[x] = 1;
      }
    }
    // Rows OR-ed eight cells at a time.
    byte[] out = new byte[rh * rw];
    int words = rw >>> 3;
    for (int y = 0; y < rh; y++) {
      int at = y * rw;
      int ya = Math.max(0, y - radius);
      int yb = Math.min(rh - 1, y + radius);
      for (int w = 0; w < words; w++) {
        int x = w << 3;
        long v = 0;
        for (int yy = ya; yy <= yb; yy++) {
          v |= (long) LONGS.get(rows, yy * rw + x);
        }
        LONGS.set(out, at + x, v);
      }
      for (int x = words << 3; x < rw; x++) {
        boolean v = false;
        for (int yy = ya; yy <= yb; yy++) {
          v |= rows[yy * rw + x] != 0;
        }
        out[at + x] = (byte) (v ? 1 : 0);
      }
    }
    return out;
  }

  /** Appends runs, merging a run into the previous one of the same tag. */
  private static final class Encoder {
    int[] runs = new int[64];
    int nRuns;
    float[] exact = new float[256];
    int nExact;
    int tag = -1;
    int length;

    void run(int t, int n) {
      if (t != tag) {
        flush();
        tag = t;
      }
      length += n;
    }

    void exact(float[] values, int from, int n) {
      if (nExact + n > exact.length) {
        exact = Arrays.copyOf(exact, Math.max(2 * exact.length, nExact + n));
      }
      System.arraycopy(values, from, exact, nExact, n);
      nExact += n;
      run(EXACT, n);
    }

    private void flush() {
      if (length > 0) {
        if (nRuns == runs.length) {
          runs = Arrays.copyOf(runs, 2 * nRuns);
        }
        runs[nRuns++] = (length << TAG_BITS) | tag;
      }
      length = 0;
    }

    int[] finish() {
      flush();
      return Arrays.copyOf(runs, nRuns);
    }
  }

  /** Eight bytes of a byte[] as one little-endian long. */
  static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  int height() {
    return height;
  }

  int width() {
    return width;
  }

  /** Logits that binarise exactly like the original ones, row-major {@code height x width}. */
  float[] restore() {
    float[] out = new float[height * width];
    Arrays.fill(out, outside);
    int rw = c1 - c0;
    int r = r0;
    int i = 0;
    int e = 0;
    for (int run : runs) {
      int length = run >>> TAG_BITS;
      int tag = run & ((1 << TAG_BITS) - 1);
      while (length > 0) {
        int n = Math.min(length, rw - i);
        int at = r * width + c0 + i;
        if (tag == EXACT) {
          System.arraycopy(exact, e, out, at, n);
          e += n;
        } else {
          Arrays.fill(out, at, at + n, standIn[tag]);
        }
        length -= n;
        i += n;
        if (i == rw) {
          i = 0;
          r++;
        }
      }
    }
    return out;
  }

  /** About how many bytes this holds. */
  long bytes() {
    return 64 + 4L * runs.length + 4L * exact.length + 4L * standIn.length;
  }

  /** How many logits are kept exactly. */
  int exactCount() {
    return exact.length;
  }
}
