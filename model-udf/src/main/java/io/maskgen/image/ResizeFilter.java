package io.maskgen.image;

/** The resampling filters of {@link Preprocessing}: PIL's, antialiased when shrinking. */
public enum ResizeFilter {
  /** PIL {@code Image.BICUBIC}: cubic convolution, a = -0.5, support 2. */
  BICUBIC(2.0),
  /** PIL {@code Image.BILINEAR}: triangle filter, support 1. */
  BILINEAR(1.0);

  final double support;

  ResizeFilter(double support) {
    this.support = support;
  }

  double weight(double x) {
    x = Math.abs(x);
    if (this == BILINEAR) {
      return x < 1 ? 1 - x : 0;
    }
    final double a = -0.5;
    if (x < 1) {
      return ((a + 2) * x - (a + 3)) * x * x + 1;
    }
    if (x < 2) {
      return (((x - 5) * x + 8) * x - 4) * a;
    }
    return 0;
  }
}
