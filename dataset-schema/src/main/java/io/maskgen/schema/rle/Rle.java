package io.maskgen.schema.rle;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable binary mask in uncompressed COCO run-length encoding.
 *
 * <p>Pixels are visited in column-major (Fortran) order, i.e. index {@code x * height + y}; {@code
 * counts} alternates background and foreground run lengths and always starts with a background run,
 * which is 0 when the first pixel is foreground. The counts are non-negative and sum to {@code
 * height * width}; both sizes are positive and {@code height * width <= Integer.MAX_VALUE}.
 *
 * <p>The compressed form ({@link #toCocoString()}, {@link #fromCocoString}) is the one of the COCO
 * API's {@code maskApi.c} ({@code rleToString} / {@code rleFrString}), used by pycocotools and the
 * SA-1B release. Every operation here works on the runs directly; none materialises the mask unless
 * asked to decode. Instances are safe to share between threads.
 */
public final class Rle {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;

  private final int height;
  private final int width;
  private final int[] counts;

  private Rle(int height, int width, int[] counts) {
    this.height = height;
    this.width = width;
    this.counts = counts;
  }

  /**
   * Returns the RLE with the given uncompressed counts (column-major, first run counts zeros).
   *
   * @throws InvalidRleException if a size is not positive, a count is negative, or the counts do
   *     not sum to {@code height * width}
   */
  public static Rle of(int height, int width, int[] counts) {
    long total = checkSize(height, width);
    Objects.requireNonNull(counts, "counts");
    int[] copy = counts.clone();
    checkCounts(copy, copy.length, total, height, width);
    return new Rle(height, width, copy);
  }

  /** Returns the all-background mask of the given size. */
  public static Rle empty(int height, int width) {
    return new Rle(height, width, new int[] {(int) checkSize(height, width)});
  }

  /**
   * Encodes a mask stored row by row ({@code mask[y * width + x]}); any nonzero byte is foreground.
   *
   * @throws InvalidRleException if a size is not positive or {@code mask.length != height * width}
   */
  public static Rle encodeRowMajor(byte[] mask, int height, int width) {
    int n = checkMask(mask, height, width);
    // Collect the pixels whose value differs from the previous pixel in column-major order, in
    // row-major order (sequential reads), then sort them by column with a counting sort.
    int[] perColumn = new int[width + 1];
    IntList rowMajor = new IntList(2 * width + 16);
    // Row 0: the previous pixel of (0, x) is the bottom of column x - 1.
    int lastRow = (height - 1) * width;
    for (int x = 0; x < width; x++) {
      boolean prev = x > 0 && mask[lastRow + x - 1] != 0;
      if ((mask[x] != 0) != prev) {
        rowMajor.add(x);
        perColumn[x + 1]++;
      }
    }
    // Rows 1..h-1: compare each row with the one above, eight pixels at a time.
    for (int y = 1; y < height; y++) {
      int row = y * width;
      int above = row - width;
      int x = 0;
      for (; x + 32 <= width; x += 32) {
        // Most of a row equals the row above: compare 32 pixels at a time first.
        if ((((long) LONGS.get(mask, row + x) ^ (long) LONGS.get(mask, above + x))
                | ((long) LONGS.get(mask, row + x + 8) ^ (long) LONGS.get(mask, above + x + 8))
                | ((long) LONGS.get(mask, row + x + 16) ^ (long) LONGS.get(mask, above + x + 16))
                | ((long) LONGS.get(mask, row + x + 24) ^ (long) LONGS.get(mask, above + x + 24)))
            != 0) {
          for (int k = x; k < x + 32; k += 8) {
            addChanges(mask, row, above, k, rowMajor, perColumn);
          }
        }
      }
      for (; x + 8 <= width; x += 8) {
        addChanges(mask, row, above, x, rowMajor, perColumn);
      }
      for (; x < width; x++) {
        if ((mask[row + x] != 0) != (mask[above + x] != 0)) {
          rowMajor.add(row + x);
          perColumn[x + 1]++;
        }
      }
    }
    for (int x = 0; x < width; x++) {
      perColumn[x + 1] += perColumn[x];
    }
    int t = rowMajor.size;
    int[] transitions = new int[t];
    int[] rm = rowMajor.values;
    for (int i = 0; i < t; i++) {
      int r = rm[i];
      int y = r / width;
      int x = r - y * width;
      transitions[perColumn[x]++] = x * height + y;
    }
    int[] counts = new int[t + 1];
    int prev = 0;
    for (int i = 0; i < t; i++) {
      counts[i] = transitions[i] - prev;
      prev = transitions[i];
    }
    counts[t] = n - prev;
    return new Rle(height, width, counts);
  }

  /**
   * Encodes a mask stored column by column ({@code mask[x * height + y]}); any nonzero byte is
   * foreground.
   *
   * @throws InvalidRleException if a size is not positive or {@code mask.length != height * width}
   */
  public static Rle encodeColumnMajor(byte[] mask, int height, int width) {
    int n = checkMask(mask, height, width);
    IntList counts = new IntList(2 * width + 16);
    int runStart = 0;
    boolean foreground = false;
    while (true) {
      int next = foreground ? nextZero(mask, runStart, n) : nextNonZero(mask, runStart, n);
      counts.add(next - runStart);
      if (next == n) {
        break;
      }
      runStart = next;
      foreground = !foreground;
    }
    return new Rle(height, width, counts.toArray());
  }

  /**
   * Decodes a compressed COCO counts string ({@code maskApi.c rleFrString}).
   *
   * @throws InvalidRleException if the string has a character outside {@code '0'..'o'}, ends in the
   *     middle of a value, or decodes to negative counts or counts that do not sum to {@code height
   *     * width}, or if a size is not positive
   */
  public static Rle fromCocoString(String counts, int height, int width) {
    long total = checkSize(height, width);
    Objects.requireNonNull(counts, "counts");
    int len = counts.length();
    int[] out = new int[len];
    int m = 0;
    int p = 0;
    while (p < len) {
      int start = p;
      long x = 0;
      int k = 0;
      boolean more = true;
      while (more) {
        if (p >= len) {
          throw new InvalidRleException(
              String.format(
                  "Invalid COCO RLE string: it ends in the middle of the value starting at"
                      + " offset %d (its last character '%c' has the continuation bit set)",
                  start, counts.charAt(len - 1)));
        }
        char ch = counts.charAt(p);
        if (ch < '0' || ch > 'o') {
          throw new InvalidRleException(
              String.format(
                  "Invalid COCO RLE string: character %s at offset %d is outside the alphabet"
                      + " '0'..'o'",
                  describe(ch), p));
        }
        if (k == 7) {
          throw new InvalidRleException(
              String.format(
                  "Invalid COCO RLE string: the value starting at offset %d is longer than 7"
                      + " characters and overflows",
                  start));
        }
        int c = ch - 48;
        x |= (long) (c & 0x1f) << (5 * k);
        more = (c & 0x20) != 0;
        p++;
        k++;
        if (!more && (c & 0x10) != 0) {
          x |= -1L << (5 * k);
        }
      }
      // maskApi.c stores counts[i] - counts[i - 2] from i = 3 on (not i = 2).
      if (m > 2) {
        x += out[m - 2];
      }
      if (x < 0) {
        throw new InvalidRleException(
            String.format(
                "Invalid COCO RLE string: count %d at index %d (offset %d) is negative",
                x, m, start));
      }
      if (x > total) {
        throw new InvalidRleException(
            String.format(
                "Invalid COCO RLE string: count %d at index %d (offset %d) exceeds"
                    + " height*width = %d*%d = %d",
                x, m, start, height, width, total));
      }
      out[m++] = (int) x;
    }
    checkCounts(out, m, total, height, width);
    return new Rle(height, width, Arrays.copyOf(out, m));
  }

  /** Returns the compressed COCO counts string ({@code maskApi.c rleToString}); ASCII only. */
  public String toCocoString() {
    // A difference of two counts needs at most 33 bits with sign: 7 groups of 5 bits.
    byte[] buf = new byte[counts.length * 7];
    int p = 0;
    for (int i = 0; i < counts.length; i++) {
      long x = counts[i];
      if (i > 2) {
        x -= counts[i - 2];
      }
      boolean more = true;
      while (more) {
        int c = (int) (x & 0x1f);
        x >>= 5;
        more = (c & 0x10) != 0 ? x != -1 : x != 0;
        if (more) {
          c |= 0x20;
        }
        buf[p++] = (byte) (c + 48);
      }
    }
    return new String(buf, 0, p, StandardCharsets.ISO_8859_1);
  }

  /** Mask height in pixels (number of rows). */
  public int height() {
    return height;
  }

  /** Mask width in pixels (number of columns). */
  public int width() {
    return width;
  }

  /** Returns a copy of the uncompressed counts (column-major, first run counts zeros). */
  public int[] counts() {
    return counts.clone();
  }

  /** Number of runs, background and foreground. */
  public int runCount() {
    return counts.length;
  }

  /** Length of run {@code i}; even runs are background, odd runs foreground. */
  public int run(int i) {
    return counts[i];
  }

  /** Number of foreground pixels ({@code maskApi.c rleArea}). */
  public long area() {
    long area = 0;
    for (int i = 1; i < counts.length; i += 2) {
      area += counts[i];
    }
    return area;
  }

  /**
   * Bounding box of the foreground as {@code [x, y, w, h]} in pixels, where (x, y) is the top-left
   * pixel's column and row: the result of {@code maskApi.c rleToBbox}. All zeros for an empty mask.
   * (For counts with empty foreground runs in the middle, which no encoder produces, {@code
   * rleToBbox} would count a phantom pixel; this ignores empty runs.)
   */
  public double[] bboxXywh() {
    int xs = width;
    int ys = height;
    int xe = 0;
    int ye = 0;
    boolean any = false;
    long pos = 0;
    for (int i = 0; i < counts.length; i++) {
      int c = counts[i];
      if ((i & 1) == 1 && c > 0) {
        long end = pos + c - 1;
        int x0 = (int) (pos / height);
        int x1 = (int) (end / height);
        if (x1 > x0) {
          // The run wraps from the bottom of one column to the top of the next.
          ys = 0;
          ye = height - 1;
        } else {
          ys = Math.min(ys, (int) (pos - (long) x0 * height));
          ye = Math.max(ye, (int) (end - (long) x1 * height));
        }
        xs = Math.min(xs, x0);
        xe = Math.max(xe, x1);
        any = true;
      }
      pos += c;
    }
    if (!any) {
      return new double[4];
    }
    return new double[] {xs, ys, xe - xs + 1, ye - ys + 1};
  }

  /** Decodes to a new row-major mask ({@code mask[y * width + x]}), 1 for foreground, else 0. */
  public byte[] decodeRowMajor() {
    int n = height * width;
    byte[] out = new byte[n];
    // Row 0 gets the value at the top of each column; below it, mark where a column changes
    // from the row above, then accumulate the marks down the columns with XOR, row by row.
    long pos = 0;
    int last = counts.length - 1;
    for (int i = 0; i <= last; i++) {
      int c = counts[i];
      if ((i & 1) == 1 && c > 0) {
        int x0 = (int) ((pos + height - 1) / height);
        int x1 = (int) ((pos + c - 1) / height);
        for (int x = x0; x <= x1; x++) {
          out[x] = 1;
        }
      }
      pos += c;
      if (i < last && pos < n) {
        int x = (int) (pos / height);
        int y = (int) (pos - (long) x * height);
        if (y != 0) {
          out[y * width + x] ^= 1;
        }
      }
    }
    // Marks lie within the bounding box plus the row below it (where foreground ends).
    double[] box = bboxXywh();
    int xs = (int) box[0];
    int xe = xs + (int) box[2];
    int ys = (int) box[1];
    int ye = Math.min(height, ys + (int) box[3] + 1);
    for (int y = Math.max(ys, 1); y < ye; y++) {
      int row = y * width;
      int above = row - width;
      int x = xs;
      for (; x + 8 <= xe; x += 8) {
        long v = (long) LONGS.get(out, row + x) ^ (long) LONGS.get(out, above + x);
        LONGS.set(out, row + x, v);
      }
      for (; x < xe; x++) {
        out[row + x] ^= out[above + x];
      }
    }
    return out;
  }

  /** Decodes to a new column-major mask ({@code mask[x * height + y]}), 1 for foreground. */
  public byte[] decodeColumnMajor() {
    byte[] out = new byte[height * width];
    int pos = 0;
    for (int i = 0; i < counts.length; i++) {
      int c = counts[i];
      if ((i & 1) == 1) {
        Arrays.fill(out, pos, pos + c, (byte) 1);
      }
      pos += c;
    }
    return out;
  }

  /** Counts without copying, for {@link RleOps}. */
  int[] countsUnsafe() {
    return counts;
  }

  static Rle trusted(int height, int width, int[] counts) {
    return new Rle(height, width, counts);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Rle)) {
      return false;
    }
    Rle other = (Rle) o;
    return height == other.height && width == other.width && Arrays.equals(counts, other.counts);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * height + width) + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    return "Rle[height="
        + height
        + ", width="
        + width
        + ", runs="
        + counts.length
        + ", area="
        + area()
        + "]";
  }

  private static long checkSize(int height, int width) {
    if (height <= 0 || width <= 0) {
      throw new InvalidRleException(
          String.format(
              "Invalid RLE size: height=%d, width=%d; both must be positive", height, width));
    }
    long total = (long) height * width;
    if (total > Integer.MAX_VALUE) {
      throw new InvalidRleException(
          String.format(
              "Invalid RLE size: height*width = %d*%d = %d exceeds %d pixels",
              height, width, total, Integer.MAX_VALUE));
    }
    return total;
  }

  private static int checkMask(byte[] mask, int height, int width) {
    long total = checkSize(height, width);
    Objects.requireNonNull(mask, "mask");
    if (mask.length != total) {
      throw new InvalidRleException(
          String.format(
              "Invalid mask: length %d != height*width = %d*%d = %d",
              mask.length, height, width, total));
    }
    return (int) total;
  }

  private static void checkCounts(int[] counts, int m, long total, int height, int width) {
    long sum = 0;
    for (int i = 0; i < m; i++) {
      if (counts[i] < 0) {
        throw new InvalidRleException(
            String.format("Invalid RLE: count %d at index %d is negative", counts[i], i));
      }
      sum += counts[i];
    }
    if (sum != total) {
      throw new InvalidRleException(
          String.format(
              "Invalid RLE: %d counts sum to %d, expected height*width = %d*%d = %d",
              m, sum, height, width, total));
    }
  }

  private static String describe(char ch) {
    return ch >= 0x20 && ch < 0x7f
        ? String.format("'%c' (0x%02x)", ch, (int) ch)
        : String.format("0x%04x", (int) ch);
  }

  /** Records the pixels {@code x..x+7} of a row whose foreground differs from the row above. */
  private static void addChanges(
      byte[] mask, int row, int above, int x, IntList rowMajor, int[] perColumn) {
    long a = (long) LONGS.get(mask, row + x);
    long b = (long) LONGS.get(mask, above + x);
    if (a == b) {
      return;
    }
    long diff = zeroBytes(a) ^ zeroBytes(b);
    while (diff != 0) {
      int xx = x + (Long.numberOfTrailingZeros(diff) >>> 3);
      rowMajor.add(row + xx);
      perColumn[xx + 1]++;
      diff &= diff - 1;
    }
  }

  /** 0x80 in every byte of {@code v} that is zero, 0 elsewhere (exact, no false positives). */
  private static long zeroBytes(long v) {
    return ~(((v & LOW7) + LOW7) | v | LOW7);
  }

  private static int nextNonZero(byte[] m, int from, int n) {
    int i = from;
    // Skip background 32 bytes at a time.
    for (; i + 32 <= n; i += 32) {
      if (((long) LONGS.get(m, i)
              | (long) LONGS.get(m, i + 8)
              | (long) LONGS.get(m, i + 16)
              | (long) LONGS.get(m, i + 24))
          != 0) {
        break;
      }
    }
    for (; i + 8 <= n; i += 8) {
      long v = (long) LONGS.get(m, i);
      if (v != 0) {
        return i + (Long.numberOfTrailingZeros(v) >>> 3);
      }
    }
    for (; i < n; i++) {
      if (m[i] != 0) {
        return i;
      }
    }
    return n;
  }

  private static int nextZero(byte[] m, int from, int n) {
    int i = from;
    for (; i + 32 <= n; i += 32) {
      if ((zeroBytes((long) LONGS.get(m, i))
              | zeroBytes((long) LONGS.get(m, i + 8))
              | zeroBytes((long) LONGS.get(m, i + 16))
              | zeroBytes((long) LONGS.get(m, i + 24)))
          != 0) {
        break;
      }
    }
    for (; i + 8 <= n; i += 8) {
      long z = zeroBytes((long) LONGS.get(m, i));
      if (z != 0) {
        return i + (Long.numberOfTrailingZeros(z) >>> 3);
      }
    }
    for (; i < n; i++) {
      if (m[i] == 0) {
        return i;
      }
    }
    return n;
  }

  /** A growable int array. */
  static final class IntList {
    int[] values;
    int size;

    IntList(int capacity) {
      values = new int[Math.max(capacity, 4)];
    }

    void add(int v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size + (size >> 1) + 4);
      }
      values[size++] = v;
    }

    int[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
