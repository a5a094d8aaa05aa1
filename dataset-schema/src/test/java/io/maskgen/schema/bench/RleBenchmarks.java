package io.maskgen.schema.bench;

import io.maskgen.schema.rle.Rle;
import io.maskgen.schema.rle.RleOps;
import java.util.Collection;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH benchmarks of the COCO RLE codec on SAM-like masks of an SA-1B-sized image (1500 rows x 2250
 * columns, 3.375 megapixels): a few smooth blobs with wobbly outlines.
 *
 * <p>Run with {@code main} (see dataset-schema/README.md), which prints JMH's table and then each
 * operation's time per megapixel and mask throughput. Any arguments are passed to JMH's own command
 * line instead (e.g. {@code -h}, {@code -f 2}, a regexp of benchmark names).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public class RleBenchmarks {
  static final int HEIGHT = 1500;
  static final int WIDTH = 2250;

  /**
   * {@code blobs}: three large blobs (about 20% of the image, a typical "whole object" mask);
   * {@code small}: one small object (about 1%, the most common SAM mask).
   */
  @Param({"blobs", "small"})
  public String scene;

  byte[] rowMajor;
  byte[] colMajor;
  Rle rle;
  Rle other;
  String cocoString;

  @Setup(Level.Trial)
  public void setUp() {
    Random random = new Random(2023);
    int blobs = scene.equals("small") ? 1 : 3;
    double radius = scene.equals("small") ? 110 : 330;
    rowMajor = blobMask(random, HEIGHT, WIDTH, blobs, radius);
    byte[] second = blobMask(random, HEIGHT, WIDTH, blobs, radius);
    // The second mask overlaps the first: the same picture shifted by a few pixels, plus its own.
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH - 7; x++) {
        second[y * WIDTH + x] |= rowMajor[y * WIDTH + x + 7];
      }
    }
    rle = Rle.encodeRowMajor(rowMajor, HEIGHT, WIDTH);
    other = Rle.encodeRowMajor(second, HEIGHT, WIDTH);
    colMajor = rle.decodeColumnMajor();
    cocoString = rle.toCocoString();
  }

  /** Blobs: star-shaped regions whose radius varies smoothly with the angle. */
  static byte[] blobMask(Random random, int h, int w, int blobs, double radius) {
    byte[] m = new byte[h * w];
    for (int b = 0; b < blobs; b++) {
      double cx = radius + random.nextDouble() * (w - 2 * radius);
      double cy = radius + random.nextDouble() * (h - 2 * radius);
      double r = radius * (0.7 + 0.6 * random.nextDouble());
      double[] amp = {0.15 * random.nextDouble(), 0.1 * random.nextDouble(), 0.05};
      double[] phase = {random.nextDouble() * 6.3, random.nextDouble() * 6.3, 0};
      int y0 = Math.max(0, (int) (cy - 1.4 * r));
      int y1 = Math.min(h, (int) (cy + 1.4 * r));
      int x0 = Math.max(0, (int) (cx - 1.4 * r));
      int x1 = Math.min(w, (int) (cx + 1.4 * r));
      for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++) {
          double dx = x - cx;
          double dy = y - cy;
          double t = Math.atan2(dy, dx);
          double limit =
              r
                  * (1
                      + amp[0] * Math.sin(3 * t + phase[0])
                      + amp[1] * Math.sin(5 * t + phase[1])
                      + amp[2] * Math.sin(17 * t));
          if (dx * dx + dy * dy < limit * limit) {
            m[y * w + x] = 1;
          }
        }
      }
    }
    return m;
  }

  @Benchmark
  public Rle encodeRowMajor() {
    return Rle.encodeRowMajor(rowMajor, HEIGHT, WIDTH);
  }

  @Benchmark
  public Rle encodeColumnMajor() {
    return Rle.encodeColumnMajor(colMajor, HEIGHT, WIDTH);
  }

  @Benchmark
  public byte[] decodeRowMajor() {
    return rle.decodeRowMajor();
  }

  @Benchmark
  public byte[] decodeColumnMajor() {
    return rle.decodeColumnMajor();
  }

  @Benchmark
  public String toCocoString() {
    return rle.toCocoString();
  }

  @Benchmark
  public Rle fromCocoString() {
    return Rle.fromCocoString(cocoString, HEIGHT, WIDTH);
  }

  @Benchmark
  public long area() {
    return rle.area();
  }

  @Benchmark
  public double[] bbox() {
    return rle.bboxXywh();
  }

  @Benchmark
  public double iou() {
    return RleOps.iou(rle, other);
  }

  @Benchmark
  public Rle union() {
    return RleOps.union(rle, other);
  }

  /** Runs every benchmark, then prints ms per megapixel and MB/s of mask (1 byte per pixel). */
  public static void main(String[] args) throws Exception {
    if (args.length > 0) {
      org.openjdk.jmh.Main.main(args);
      return;
    }
    Options options = new OptionsBuilder().include(RleBenchmarks.class.getName() + "\\.").build();
    Collection<RunResult> results = new Runner(options).run();
    printSummary(results);
  }

  private static void printSummary(Collection<RunResult> results) throws RunnerException {
    double megapixels = HEIGHT * (double) WIDTH / 1e6;
    System.out.printf(
        Locale.ROOT,
        "%n%d x %d mask (%.3f MP), %s, %s%n",
        HEIGHT,
        WIDTH,
        megapixels,
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"));
    System.out.printf(
        Locale.ROOT,
        "%-20s %-6s %12s %12s %12s%n",
        "benchmark",
        "scene",
        "us/op",
        "ms/MP",
        "MB/s mask");
    for (RunResult r : results) {
      String label = r.getParams().getBenchmark();
      String name = label.substring(label.lastIndexOf('.') + 1);
      double us = r.getPrimaryResult().getScore();
      System.out.printf(
          Locale.ROOT,
          "%-20s %-6s %12.1f %12.4f %12.0f%n",
          name,
          r.getParams().getParam("scene"),
          us,
          us / 1000 / megapixels,
          megapixels / us * 1e6);
    }
  }
}
