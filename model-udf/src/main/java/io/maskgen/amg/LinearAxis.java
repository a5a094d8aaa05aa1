package io.maskgen.amg;

import java.util.Arrays;

/**
 * One axis of a resampling operator as sparse weights: output {@code o} is {@code sum_k weight(o,
 * k) * input[start(o) + k]} for {@code k < length(o)}.
 *
 * <p>{@link #torchBilinear} reproduces PyTorch's {@code upsample_bilinear2d} source indices and
 * lambdas ({@code align_corners=False}, no scale factor, no antialias) as its CPU kernel computes
 * them; {@link #then} composes two axes so that two resizes in a row become one operator without
 * materialising the intermediate.
 */
final class LinearAxis {
  private final int inputLength;
  private final int[] start;
  private final int[] length;
  private final double[] weights;
  private final int stride;

  private LinearAxis(int inputLength, int[] start, int[] length, double[] weights, int stride) {
    this.inputLength = inputLength;
    this.start = start;
    this.length = length;
    this.weights = weights;
    this.stride = stride;
  }

  /**
   * PyTorch's bilinear weights from {@code in} to {@code out} samples ({@code upsample_bilinear2d},
   * CPU, as of torch 1.13): scale {@code (float) in / out} in float32, the source index in double,
   * {@code src = max(scale * (o + 0.5) - 0.5, 0)}, {@code i0 = (long) src}, {@code i1 = i0 + (i0 <
   * in - 1 ? 1 : 0)}, {@code lambda1 = (float) (src - i0)}, {@code lambda0 = (float) (1 -
   * lambda1)}; the identity when {@code in == out}.
   */
  static LinearAxis torchBilinear(int in, int out) {
    int[] start = new int[out];
    int[] length = new int[out];
    double[] weights = new double[out * 2];
    if (in == out) {
      for (int o = 0; o < out; o++) {
        start[o] = o;
        length[o] = 1;
        weights[2 * o] = 1;
      }
      return new LinearAxis(in, start, length, weights, 2);
    }
    double scale = (float) in / out;
    for (int o = 0; o < out; o++) {
      double src = Math.max(scale * (o + 0.5) - 0.5, 0);
      int i0 = (int) src;
      int i1 = i0 + (i0 < in - 1 ? 1 : 0);
      float lambda1 = (float) (src - i0);
      float lambda0 = (float) (1.0 - lambda1);
      start[o] = i0;
      if (i1 == i0) {
        length[o] = 1;
        weights[2 * o] = (double) lambda0 + lambda1;
      } else {
        length[o] = 2;
        weights[2 * o] = lambda0;
        weights[2 * o + 1] = lambda1;
      }
    }
    return new LinearAxis(in, start, length, weights, 2);
  }

  /**
   * The composition "this, keep the first {@code next.inputLength()} outputs, then {@code next}":
   * output {@code o} of the result is output {@code o} of {@code next} applied to the outputs of
   * this axis. Weights are multiplied in double; taps with zero weight at either end are dropped.
   */
  LinearAxis then(LinearAxis next) {
    if (next.inputLength > outputLength()) {
      throw new IllegalArgumentException(
          "Cannot cut " + next.inputLength + " samples from an axis of " + outputLength());
    }
    int out = next.outputLength();
    int[][] taps = new int[out][];
    double[][] tapWeights = new double[out][];
    int maxLen = 1;
    for (int o = 0; o < out; o++) {
      int lo = Integer.MAX_VALUE;
      int hi = Integer.MIN_VALUE;
      for (int a = 0; a < next.length[o]; a++) {
        int m = next.start[o] + a;
        lo = Math.min(lo, start[m]);
        hi = Math.max(hi, start[m] + length[m] - 1);
      }
      double[] acc = new double[hi - lo + 1];
      for (int a = 0; a < next.length[o]; a++) {
        int m = next.start[o] + a;
        double wa = next.weights[o * next.stride + a];
        for (int b = 0; b < length[m]; b++) {
          acc[start[m] + b - lo] += wa * weights[m * stride + b];
        }
      }
      int first = 0;
      int last = acc.length - 1;
      while (first < last && acc[first] == 0) {
        first++;
      }
      while (last > first && acc[last] == 0) {
        last--;
      }
      taps[o] = new int[] {lo + first, last - first + 1};
      tapWeights[o] = Arrays.copyOfRange(acc, first, last + 1);
      maxLen = Math.max(maxLen, last - first + 1);
    }
    int[] s = new int[out];
    int[] len = new int[out];
    double[] w = new double[out * maxLen];
    for (int o = 0; o < out; o++) {
      s[o] = taps[o][0];
      len[o] = taps[o][1];
      System.arraycopy(tapWeights[o], 0, w, o * maxLen, len[o]);
    }
    return new LinearAxis(inputLength, s, len, w, maxLen);
  }

  int inputLength() {
    return inputLength;
  }

  int outputLength() {
    return start.length;
  }

  int start(int o) {
    return start[o];
  }

  int length(int o) {
    return length[o];
  }

  double weight(int o, int k) {
    return weights[o * stride + k];
  }

  /** Lowest input index any output reads. */
  int minInput() {
    int m = Integer.MAX_VALUE;
    for (int s : start) {
      m = Math.min(m, s);
    }
    return m;
  }

  /** Highest input index any output reads. */
  int maxInput() {
    int m = Integer.MIN_VALUE;
    for (int o = 0; o < start.length; o++) {
      m = Math.max(m, start[o] + length[o] - 1);
    }
    return m;
  }
}
