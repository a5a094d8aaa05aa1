package io.maskgen.amg;

import io.maskgen.schema.rle.Rle;
import java.util.Arrays;

/**
 * segment-anything's {@code remove_small_regions}: fills holes or removes islands smaller than an
 * area, with 8-connected components like OpenCV's {@code connectedComponentsWithStats(mask, 8)}.
 *
 * <p>Works on the runs of the RLE (each column's runs are segments; segments in neighbouring
 * columns whose rows touch, diagonals included, are connected), so its cost grows with the number
 * of runs, not with the image size. Components are numbered like OpenCV's, in raster order of their
 * first pixel; this only matters to pick the largest island when every island is small and two
 * largest ones have the same size (the first wins, as {@code numpy.argmax} picks).
 */
public final class SmallRegions {

  /** Which regions to remove. */
  public enum Mode {
    /** Fill background components (the outside included) smaller than the area. */
    HOLES,
    /** Remove foreground components smaller than the area; keep the largest if all are. */
    ISLANDS
  }

  /**
   * A result of {@link #removeSmallRegions}.
   *
   * @param mask the new mask, or the input itself when unchanged
   * @param changed whether any region was smaller than the area (the reference's flag)
   */
  public record Result(Rle mask, boolean changed) {}

  private SmallRegions() {}

  /**
   * Removes regions of {@code mode} with fewer than {@code areaThresh} pixels.
   *
   * @return the new mask and whether a small region was found (then the mask may still be equal,
   *     e.g. when the only island is small and kept as the largest; the reference reports it as
   *     changed too)
   */
  public static Result removeSmallRegions(Rle mask, int areaThresh, Mode mode) {
    int h = mask.height();
    Segments fg = new Segments();
    Segments bg = new Segments();
    split(mask, fg, bg);
    Segments work = mode == Mode.HOLES ? bg : fg;
    int[] comp = label(work, mask.width());
    int nComp = 0;
    for (int c : comp) {
      nComp = Math.max(nComp, c + 1);
    }
    long[] size = new long[nComp];
    long[] first = new long[nComp];
    Arrays.fill(first, Long.MAX_VALUE);
    for (int s = 0; s < work.n; s++) {
      int c = comp[s];
      size[c] += work.y1[s] - work.y0[s];
      first[c] = Math.min(first[c], (long) work.y0[s] * mask.width() + work.x[s]);
    }
    boolean anySmall = false;
    boolean anyLarge = false;
    for (int c = 0; c < nComp; c++) {
      if (size[c] < areaThresh) {
        anySmall = true;
      } else {
        anyLarge = true;
      }
    }
    if (!anySmall) {
      return new Result(mask, false);
    }
    boolean[] selected = new boolean[nComp];
    if (mode == Mode.HOLES) {
      for (int c = 0; c < nComp; c++) {
        selected[c] = size[c] < areaThresh;
      }
    } else if (anyLarge) {
      for (int c = 0; c < nComp; c++) {
        selected[c] = size[c] >= areaThresh;
      }
    } else {
      int best = 0;
      for (int c = 1; c < nComp; c++) {
        if (size[c] > size[best] || (size[c] == size[best] && first[c] < first[best])) {
          best = c;
        }
      }
      selected[best] = true;
    }
    RunWriter out = new RunWriter(h, mask.width());
    if (mode == Mode.HOLES) {
      // Foreground plus the small background segments, merged in column-major order.
      int i = 0;
      int j = 0;
      while (i < fg.n || j < bg.n) {
        boolean takeFg = j >= bg.n || (i < fg.n && fg.start(i, h) < bg.start(j, h));
        if (takeFg) {
          out.add(fg.start(i, h), fg.y1[i] - fg.y0[i]);
          i++;
        } else {
          if (selected[comp[j]]) {
            out.add(bg.start(j, h), bg.y1[j] - bg.y0[j]);
          }
          j++;
        }
      }
    } else {
      for (int s = 0; s < fg.n; s++) {
        if (selected[comp[s]]) {
          out.add(fg.start(s, h), fg.y1[s] - fg.y0[s]);
        }
      }
    }
    return new Result(out.finish(), true);
  }

  /** Splits the runs into per-column segments of foreground and background, column-major. */
  private static void split(Rle mask, Segments fg, Segments bg) {
    int h = mask.height();
    long pos = 0;
    for (int i = 0; i < mask.runCount(); i++) {
      int c = mask.run(i);
      Segments target = (i & 1) == 1 ? fg : bg;
      while (c > 0) {
        int x = (int) (pos / h);
        int y = (int) (pos - (long) x * h);
        int len = Math.min(c, h - y);
        target.add(x, y, y + len);
        pos += len;
        c -= len;
      }
    }
  }

  /**
   * Labels the 8-connected components of column segments (sorted column-major) with union-find;
   * returns each segment's component, numbered 0.. in raster order of the component's first pixel.
   */
  private static int[] label(Segments s, int width) {
    int[] parent = new int[s.n];
    for (int i = 0; i < s.n; i++) {
      parent[i] = i;
    }
    // Two-pointer sweep over neighbouring columns: segments touch when their row ranges, widened by
    // one for the diagonals, overlap: max(y0) <= min(y1) with exclusive ends.
    int prevStart = 0;
    int i = 0;
    while (i < s.n) {
      int x = s.x[i];
      int colStart = i;
      while (i < s.n && s.x[i] == x) {
        i++;
      }
      int colEnd = i;
      // The previous column's segments are [prevStart, colStart) if that column is x - 1.
      if (colStart > 0 && s.x[colStart - 1] == x - 1) {
        int a = prevStart;
        int b = colStart;
        while (a < colStart && b < colEnd) {
          if (Math.max(s.y0[a], s.y0[b]) <= Math.min(s.y1[a], s.y1[b])) {
            union(parent, a, b);
          }
          // Advance the segment that ends first.
          if (s.y1[a] < s.y1[b]) {
            a++;
          } else {
            b++;
          }
        }
      }
      prevStart = colStart;
    }
    // Number the roots by their first pixel in raster (row-major) order.
    long[] firstOfRoot = new long[s.n];
    Arrays.fill(firstOfRoot, Long.MAX_VALUE);
    int[] root = new int[s.n];
    for (int k = 0; k < s.n; k++) {
      root[k] = find(parent, k);
      firstOfRoot[root[k]] = Math.min(firstOfRoot[root[k]], (long) s.y0[k] * width + s.x[k]);
    }
    int roots = 0;
    for (int k = 0; k < s.n; k++) {
      if (root[k] == k) {
        roots++;
      }
    }
    long[] keyed = new long[roots];
    int[] rootIds = new int[roots];
    int r = 0;
    for (int k = 0; k < s.n; k++) {
      if (root[k] == k) {
        rootIds[r++] = k;
      }
    }
    Integer[] order = new Integer[roots];
    for (int k = 0; k < roots; k++) {
      order[k] = k;
      keyed[k] = firstOfRoot[rootIds[k]];
    }
    Arrays.sort(order, (p, q) -> Long.compare(keyed[p], keyed[q]));
    int[] labelOfRoot = new int[s.n];
    for (int k = 0; k < roots; k++) {
      labelOfRoot[rootIds[order[k]]] = k;
    }
    int[] comp = new int[s.n];
    for (int k = 0; k < s.n; k++) {
      comp[k] = labelOfRoot[root[k]];
    }
    return comp;
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  private static void union(int[] parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra != rb) {
      parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }

  /** Column segments [y0, y1) of column x, in column-major order. */
  private static final class Segments {
    int[] x = new int[16];
    int[] y0 = new int[16];
    int[] y1 = new int[16];
    int n;

    void add(int cx, int a, int b) {
      if (n == x.length) {
        int cap = n * 2;
        x = Arrays.copyOf(x, cap);
        y0 = Arrays.copyOf(y0, cap);
        y1 = Arrays.copyOf(y1, cap);
      }
      x[n] = cx;
      y0[n] = a;
      y1[n] = b;
      n++;
    }

    long start(int i, int h) {
      return (long) x[i] * h + y0[i];
    }
  }
}
