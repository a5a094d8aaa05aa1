package io.maskgen.job;

import io.maskgen.job.input.Shard;
import io.maskgen.job.input.ShardReader;
import io.maskgen.pipeline.DecodedImage;
import io.maskgen.pipeline.ImagePipeline;
import io.maskgen.pipeline.ImageResult;
import io.maskgen.pipeline.InOrder;
import io.maskgen.spark.ExecutorPipelines;
import io.maskgen.spark.PipelineSpec;
import io.maskgen.spark.SparkSchemas;
import io.maskgen.schema.DatasetColumns;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The task of one shard: reads and decodes images on a prefetch thread, runs the model and
 * post-processing on up to {@value #IN_FLIGHT_CONF} images at once (so the model never waits for
 * another image's post-processing, CLIP crops or write), and yields one row per image (with its
 * masks) in input order.
 * Rows are produced lazily, so a tar of thousands of images never sits in memory at once.
 */
final class GenerateFunction implements FlatMapFunction<Iterator<Integer>, Row> {

  /** Decoded images waiting for the model; bounds the memory held by prefetching. */
  static final int PREFETCH = 2;

  /** Spark setting: images a task works on at once (1: one after another). */
  static final String IN_FLIGHT_CONF = "spark.maskgen.imagesInFlight";

  static final int DEFAULT_IN_FLIGHT = 2;

  private final List<Shard> shards;
  private final PipelineSpec spec;
  private final SerializableHadoopConf conf;
  private final JobMetrics metrics;
  private final HashMap<String, String> done;

  /**
   * The shard plan and the images already done travel inside the function (Java-serialised once
   * per stage with the task binary); the RDD itself holds only shard indices.
   *
   * @param done image id to sha256 (null when it was unreadable) of the images the dataset already
   *     holds for this generator: an input with the same id and content becomes a row with status
   *     {@value #STATUS_SKIPPED}, without decoding or running the model
   */
  GenerateFunction(
      List<Shard> shards,
      PipelineSpec spec,
      SerializableHadoopConf conf,
      JobMetrics metrics,
      Map<String, String> done) {
    this.shards = List.copyOf(shards);
    this.spec = spec;
    this.conf = conf;
    this.metrics = metrics;
    this.done = new HashMap<>(done);
  }

  /** Status of the rows of skipped images; they never reach the tables. */
  static final String STATUS_SKIPPED = "skipped";

  @Override
  public Iterator<Row> call(Iterator<Integer> indices) {
    ImagePipeline pipeline = ExecutorPipelines.open(spec);
    Iterator<Shard> mine =
        new Iterator<>() {
          @Override
          public boolean hasNext() {
            return indices.hasNext();
          }

          @Override
          public Shard next() {
            return shards.get(indices.next());
          }
        };
    Prefetcher prefetcher = new Prefetcher(mine, pipeline);
    Iterator<Object> items =
        new Iterator<>() {
          private Object next;
          private boolean ended;

          @Override
          public boolean hasNext() {
            if (next == null && !ended) {
              next = prefetcher.take();
              ended = next == null;
            }
            return next != null;
          }

          @Override
          public Object next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            Object o = next;
            next = null;
            return o;
          }
        };
    // The model and post-processing work on up to imagesInFlight images at once; rows come back
    // in input order and Spark writes each on this thread while the next images are in the works.
    InOrder<Object, Object> results =
        new InOrder<>(
            items, o -> o instanceof DecodedImage d ? pipeline.process(d) : o, imagesInFlight());
    TaskContext ctx = TaskContext.get();
    if (ctx != null) {
      ctx.addTaskCompletionListener(
          (TaskContext c) -> {
            prefetcher.stop();
            results.close();
            pipeline.close();
          });
    }
    return new Iterator<>() {
      private boolean counted;

      @Override
      public boolean hasNext() {
        boolean more = results.hasNext();
        if (!more && !counted) {
          counted = true;
          metrics.shards.add(1);
        }
        return more;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Object o = results.next();
        if (o instanceof Skipped k) {
          return skippedRow(k);
        }
        ImageResult r = (ImageResult) o;
        metrics.record(r);
        return SparkSchemas.imageWithMasksRow(r.image(), r.masks());
      }
    };
  }

  /**
   * Images a task keeps in the pipeline at once: {@value #IN_FLIGHT_CONF} from the session's
   * runtime settings (which reach the tasks as local properties) or the application's, default
   * {@value #DEFAULT_IN_FLIGHT}.
   */
  static int imagesInFlight() {
    TaskContext ctx = TaskContext.get();
    String v = ctx == null ? null : ctx.getLocalProperty(IN_FLIGHT_CONF);
    SparkEnv env = SparkEnv.get();
    if (v == null && env != null) {
      v = env.conf().get(IN_FLIGHT_CONF, null);
    }
    if (v == null) {
      return DEFAULT_IN_FLIGHT;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new IllegalArgumentException(
        "Invalid " + IN_FLIGHT_CONF + ": " + v + " (a whole number >= 1)");
  }

  private record Skipped(String imageId, String source, String sha256) {}

  private Row skippedRow(Skipped k) {
    Object[] values = new Object[DatasetColumns.IMAGES_COLUMNS.size() + 1];
    values[DatasetColumns.IMAGES_COLUMNS.indexOf(DatasetColumns.IMAGE_ID)] = k.imageId();
    values[DatasetColumns.IMAGES_COLUMNS.indexOf(DatasetColumns.SOURCE)] = k.source();
    values[DatasetColumns.IMAGES_COLUMNS.indexOf(DatasetColumns.SHA256)] = k.sha256();
    values[DatasetColumns.IMAGES_COLUMNS.indexOf(DatasetColumns.STATUS)] = STATUS_SKIPPED;
    values[DatasetColumns.IMAGES_COLUMNS.indexOf(DatasetColumns.MASK_COUNT)] = 0;
    values[values.length - 1] = scala.jdk.javaapi.CollectionConverters.asScala(List.<Row>of()).toSeq();
    return RowFactory.create(values);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /** Reads and decodes ahead on its own thread; errors are handed to the consumer. */
  private final class Prefetcher {
    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(PREFETCH);
    private final Thread thread;
    private boolean ended;

    Prefetcher(Iterator<Shard> shards, ImagePipeline pipeline) {
      thread =
          new Thread(
              () -> {
                try {
                  while (shards.hasNext()) {
                    try (ShardReader reader = new ShardReader(shards.next(), conf.get())) {
                      while (reader.hasNext()) {
                        ShardReader.Item item = reader.next();
                        if (done.containsKey(item.imageId())) {
                          String sha = item.bytes() == null ? null : sha256(item.bytes());
                          if (Objects.equals(sha, done.get(item.imageId()))) {
                            queue.put(new Skipped(item.imageId(), item.source(), sha));
                            continue;
                          }
                        }
                        queue.put(
                            pipeline.decode(
                                item.imageId(),
                                item.source(),
                                item.bytes(),
                                item.error(),
                                item.startNanos()));
                      }
                    }
                  }
                  queue.put(END);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } catch (Exception | Error e) {
                  queue.clear();
                  queue.offer(e);
                }
              },
              "maskgen-prefetch");
      thread.setDaemon(true);
      thread.start();
    }

    /** The next decoded image or {@link Skipped} marker; null at the end. */
    Object take() {
      if (ended) {
        return null;
      }
      Object o;
      try {
        o = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for the next image", e);
      }
      if (o == END) {
        ended = true;
        return null;
      }
      if (o instanceof RuntimeException e) {
        throw e;
      }
      if (o instanceof Error e) {
        throw e;
      }
      if (o instanceof Exception e) {
        throw new IllegalStateException("Reading shard failed: " + e.getMessage(), e);
      }
      return o;
    }

    void stop() {
      thread.interrupt();
    }
  }
}
