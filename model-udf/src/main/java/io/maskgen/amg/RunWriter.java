package io.maskgen.amg;

import io.maskgen.schema.rle.Rle;
import java.util.Arrays;

/**
 * Builds an RLE from foreground spans given in increasing column-major order; touching spans merge
 * into one run, so callers may pass a run piece by piece (e.g. one column at a time).
 */
final class RunWriter {
  private final int height;
  private final int width;
  private int[] counts = new int[16];
  private int n;
  private long end;

  RunWriter(int height, int width) {
    this.height = height;
    this.width = width;
  }

  /** Adds the foreground pixels [start, start + length) (column-major indices). */
  void add(long start, int length) {
    if (length <= 0) {
      return;
    }
    if (start < end) {
      throw new IllegalStateException("Spans out of order: " + start + " < " + end);
    }
    if (n > 0 && start == end) {
      counts[n - 1] += length;
    } else {
      push((int) (start - end));
      push(length);
    }
    end = start + length;
  }

  Rle finish() {
    long total = (long) height * width;
    // Like the encoders of the reference, no empty trailing run (but an empty mask is one run).
    if (end < total || n == 0) {
      push((int) (total - end));
    }
    return Rle.of(height, width, Arrays.copyOf(counts, n));
  }

  private void push(int v) {
    if (n == counts.length) {
      counts = Arrays.copyOf(counts, n * 2);
    }
    counts[n++] = v;
  }
}
