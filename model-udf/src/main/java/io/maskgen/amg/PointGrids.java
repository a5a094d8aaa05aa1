package io.maskgen.amg;

import java.util.ArrayList;
import java.util.List;

/** Prompt point grids, as segment-anything's {@code build_point_grid} builds them. */
public final class PointGrids {

  private PointGrids() {}

  /**
   * An n x n grid of points at cell centres in [0, 1]: point {@code k} is {@code [xs[k % n], xs[k /
   * n]]} (x varies fastest) with {@code xs = numpy.linspace(1/(2n), 1 - 1/(2n), n)}, reproduced to
   * the last bit ({@code start + i * step}, the last value exactly {@code 1 - 1/(2n)}).
   *
   * @return n*n points {@code [x, y]}
   */
  public static double[][] buildPointGrid(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("Invalid points per side: " + n + " (must be >= 1)");
    }
    double offset = 1.0 / (2 * n);
    double[] side = linspace(offset, 1 - offset, n);
    double[][] points = new double[n * n][];
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        points[y * n + x] = new double[] {side[x], side[y]};
      }
    }
    return points;
  }

  /** Points per side of crop layer {@code layer}: {@code int(n / factor^layer)} as in Python. */
  public static int pointsPerSideOfLayer(int n, int layer, int factor) {
    return (int) (n / Math.pow(factor, layer));
  }

  /** One grid per layer 0..nLayers, layer i with {@code int(n / factor^i)} points per side. */
  public static List<double[][]> buildAllLayerPointGrids(int n, int nLayers, int factor) {
    List<double[][]> grids = new ArrayList<>(nLayers + 1);
    for (int i = 0; i <= nLayers; i++) {
      grids.add(buildPointGrid(pointsPerSideOfLayer(n, i, factor)));
    }
    return grids;
  }

  /** {@code numpy.linspace(start, stop, num)} with its rounding: {@code start + i * step}. */
  static double[] linspace(double start, double stop, int num) {
    double[] out = new double[num];
    if (num == 1) {
      out[0] = start;
      return out;
    }
    double step = (stop - start) / (num - 1);
    for (int i = 0; i < num; i++) {
      out[i] = i * step + start;
    }
    out[num - 1] = stop;
    return out;
  }
}
