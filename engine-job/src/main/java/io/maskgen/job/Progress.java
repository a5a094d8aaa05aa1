package io.maskgen.job;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Prints a progress line every few seconds while a run works: images done / total, masks,
 * images per second and the time left. With tar shards the image total is unknown up front, so
 * the estimate comes from the shards done instead.
 */
final class Progress implements AutoCloseable {

  private final Consumer<String> out;
  private final long totalImages;
  private final int totalShards;
  private final LongSupplier images;
  private final LongSupplier masks;
  private final LongSupplier shardsDone;
  private final long start = System.nanoTime();
  private final Thread thread;

  /**
   * @param totalImages images known up front (loose files), or -1 when tars make it unknown
   */
  Progress(PrintStream out, long totalImages, int totalShards, LongSupplier images,
      LongSupplier masks, LongSupplier shardsDone, long periodMillis) {
    this(out::println, totalImages, totalShards, images, masks, shardsDone, periodMillis);
  }

  /** The same, printing each line with {@code out}. */
  Progress(Consumer<String> out, long totalImages, int totalShards, LongSupplier images,
      LongSupplier masks, LongSupplier shardsDone, long periodMillis) {
    this.out = out;
    this.totalImages = totalImages;
    this.totalShards = totalShards;
    this.images = images;
    this.masks = masks;
    this.shardsDone = shardsDone;
    this.thread =
        new Thread(
            () -> {
              try {
                while (true) {
                  Thread.sleep(periodMillis);
                  out.accept(line());
                }
              } catch (InterruptedException e) {
                // closed
              }
            },
            "maskgen-progress");
    thread.setDaemon(true);
  }

  Progress start() {
    thread.start();
    return this;
  }

  String line() {
    double secs = (System.nanoTime() - start) / 1e9;
    long done = images.getAsLong();
    double rate = secs > 0 ? done / secs : 0;
    StringBuilder sb = new StringBuilder("maskgen: ");
    double fraction;
    if (totalImages >= 0) {
      sb.append(String.format(Locale.ROOT, "%d/%d images (%.0f%%)", done, totalImages,
          totalImages == 0 ? 100.0 : 100.0 * done / totalImages));
      fraction = totalImages == 0 ? 1 : (double) done / totalImages;
    } else {
      long shards = shardsDone.getAsLong();
      sb.append(String.format(Locale.ROOT, "%d images, %d/%d shards", done, shards, totalShards));
      fraction = totalShards == 0 ? 1 : (double) shards / totalShards;
    }
    sb.append(String.format(Locale.ROOT, ", %d masks, %.2f images/s", masks.getAsLong(), rate));
    if (fraction > 0 && fraction < 1) {
      sb.append(", ETA ").append(duration(secs * (1 - fraction) / fraction));
    }
    sb.append(", elapsed ").append(duration(secs));
    return sb.toString();
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  @Override
  public void close() {
    thread.interrupt();
  }
}
