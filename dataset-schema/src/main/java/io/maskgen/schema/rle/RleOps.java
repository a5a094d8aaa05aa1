package io.maskgen.schema.rle;

/**
 * Set operations on COCO RLEs of the same size, computed on the runs without decoding: the
 * equivalents of {@code maskApi.c rleIou} (non-crowd) and {@code rleMerge}.
 */
public final class RleOps {
  private RleOps() {}

  /**
   * Intersection over union of two masks, in [0, 1]; 0 when they do not intersect (including two
   * empty masks), like {@code rleIou} with {@code iscrowd = 0}.
   *
   * @throws InvalidRleException if the sizes differ
   */
  public static double iou(Rle a, Rle b) {
    checkSameSize(a, b, "IoU");
    int[] ca = a.countsUnsafe();
    int[] cb = b.countsUnsafe();
    int ia = 0;
    int ib = 0;
    int ra = ca[0];
    int rb = cb[0];
    boolean va = false;
    boolean vb = false;
    long remaining = (long) a.height() * a.width();
    long inter = 0;
    long union = 0;
    // Walk both run lists in lockstep; each step covers the pixels up to the next boundary.
    while (remaining > 0) {
      while (ra == 0) {
        ra = ca[++ia];
        va = !va;
      }
      while (rb == 0) {
        rb = cb[++ib];
        vb = !vb;
      }
      int c = Math.min(ra, rb);
      if (va | vb) {
        union += c;
        if (va & vb) {
          inter += c;
        }
      }
      ra -= c;
      rb -= c;
      remaining -= c;
    }
    return inter == 0 ? 0.0 : (double) inter / (double) union;
  }

  /**
   * Pixels in either mask ({@code rleMerge} with {@code intersect = 0}).
   *
   * @throws InvalidRleException if the sizes differ
   */
  public static Rle union(Rle a, Rle b) {
    checkSameSize(a, b, "union");
    return merge(a, b, false);
  }

  /**
   * Pixels in both masks ({@code rleMerge} with {@code intersect = 1}).
   *
   * @throws InvalidRleException if the sizes differ
   */
  public static Rle intersection(Rle a, Rle b) {
    checkSameSize(a, b, "intersection");
    return merge(a, b, true);
  }

  private static Rle merge(Rle a, Rle b, boolean intersect) {
    int[] ca = a.countsUnsafe();
    int[] cb = b.countsUnsafe();
    Rle.IntList out = new Rle.IntList(ca.length + cb.length);
    int ia = 0;
    int ib = 0;
    int ra = ca[0];
    int rb = cb[0];
    boolean va = false;
    boolean vb = false;
    boolean v = false;
    int run = 0;
    long remaining = (long) a.height() * a.width();
    while (remaining > 0) {
      while (ra == 0) {
        ra = ca[++ia];
        va = !va;
      }
      while (rb == 0) {
        rb = cb[++ib];
        vb = !vb;
      }
      int c = Math.min(ra, rb);
      boolean nv = intersect ? va & vb : va | vb;
      if (nv != v) {
        out.add(run);
        run = 0;
        v = nv;
      }
      run += c;
      ra -= c;
      rb -= c;
      remaining -= c;
    }
    out.add(run);
    return Rle.trusted(a.height(), a.width(), out.toArray());
  }

  private static void checkSameSize(Rle a, Rle b, String op) {
    if (a.height() != b.height() || a.width() != b.width()) {
      throw new InvalidRleException(
          String.format(
              "Cannot compute the %s of RLEs of different sizes: %dx%d vs %dx%d (height x width)",
              op, a.height(), a.width(), b.height(), b.width()));
    }
  }
}
