package io.maskgen.job;

import io.maskgen.job.input.FileState;
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
import io.maskgen.schema.ImageRecord;
import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
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
 *
 * <p>Each task gets its shard's index and what the dataset holds of that shard's images (a
 * {@link ShardWork}, joined on the executors); an image whose id and content the dataset holds
 * becomes a row with status {@value #STATUS_SKIPPED}, or {@value #STATUS_RESTAMP} when its file's
 * size or modification time moved since it was recorded, without decoding or running the model.
 */
final class GenerateFunction implements FlatMapFunction<Iterator<GenerateFunction.ShardWork>, Row> {

  /** Decoded images waiting for the model; bounds the memory held by prefetching. */
  static final int PREFETCH = 2;

  /** Spark setting: images a task works on at once (1: one after another). */
  static final String IN_FLIGHT_CONF = "spark.maskgen.imagesInFlight";

  static final int DEFAULT_IN_FLIGHT = 2;

  private final List<Shard> shards;
  private final PipelineSpec spec;
  private final SerializableHadoopConf conf;
  private final JobMetrics metrics;

  /**
   * The shard plan travels inside the function (Java-serialised once per stage with the task
   * binary); the RDD holds the shard indices and what the dataset knows of each shard's images.
   */
  GenerateFunction(
      List<Shard> shards, PipelineSpec spec, SerializableHadoopConf conf, JobMetrics metrics) {
    this.shards = List.copyOf(shards);
    this.spec = spec;
    this.conf = conf;
    this.metrics = metrics;
  }

  /**
   * What the dataset holds of an image for this run's generator (only those a refresh may skip).
   *
   * @param sha256 the content hash recorded, null when the bytes were unreadable
   * @param file the recorded input file, or null (rows written before it was recorded)
   * @param size the recorded size of {@code file}, or null
   * @param modified the recorded modification time of {@code file}, or null
   * @param etag the recorded entity tag of {@code file}, or null
   */
  record Known(String sha256, String file, Long size, Long modified, String etag)
      implements Serializable {

    /** Whether {@code item}'s file is recorded as it is listed now. */
    boolean sameFile(ShardReader.Item item) {
      return item.state() != null
          && item.file().equals(file)
          && item.state().matches(size, modified, etag);
    }
  }

  /**
   * One task's work: the index of its shard in the plan and, by image id, what the dataset holds
   * of the images that the shard may contain.
   */
  record ShardWork(int shard, HashMap<String, Known> known) implements Serializable {}

  /** Status of the rows of skipped images; they never reach the tables. */
  static final String STATUS_SKIPPED = "skipped";

  /**
   * Status of the rows of skipped images whose file moved (new modification time, same bytes):
   * the driver records the file's new state on their {@code images} rows.
   */
  static final String STATUS_RESTAMP = "restamp";

  @Override
  public Iterator<Row> call(Iterator<ShardWork> work) {
    ImagePipeline pipeline = ExecutorPipelines.open(spec);
    Iterator<ShardWork> mine = work;
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
            items,
            o -> o instanceof Read p ? new Done(p, pipeline.process(p.decoded())) : o,
            imagesInFlight());
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
        Done d = (Done) o;
        Read p = d.read();
        ImageResult r = d.result();
        metrics.record(r);
        ImageRecord image = r.image();
        if (p.state() != null) {
          image =
              image.withInput(p.file(), p.state().size(), p.state().modified(), p.state().etag());
        }
        return SparkSchemas.imageWithMasksRow(image, r.masks());
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

  /** A decoded image and the file it came from. */
  private record Read(DecodedImage decoded, String file, FileState state) {}

  /** A read image and what the pipeline made of it. */
  private record Done(Read read, ImageResult result) {}

  private record Skipped(ShardReader.Item item, String sha256, boolean restamp) {}

  private Row skippedRow(Skipped k) {
    ShardReader.Item item = k.item();
    Object[] values = new Object[DatasetColumns.IMAGES_COLUMNS.size() + 1];
    values[DatasetColumns.IMAGES_COLUMNS.indexOf(DatasetColumns.IMAGE_ID)] = item.imageId();
    values[DatasetColumns.IMAGES_COLUMNS.indexOf(DatasetColumns.SOURCE)] = item.source();
    values[DatasetColumns.IMAGES_COLUMNS.indexOf(DatasetColumns.SHA256)] = k.sha256();
    values[DatasetColumns.IMAGES_COLUMNS.indexOf(DatasetColumns.STATUS)] =
        k.restamp() ? STATUS_RESTAMP : STATUS_SKIPPED;
    values[DatasetColumns.IMAGES_COLUMNS.indexOf(DatasetColumns.MASK_COUNT)] = 0;
    if (item.state() != null) {
      values[DatasetColumns.IMAGES_COLUMNS.indexOf(DatasetColumns.INPUT_FILE)] = item.file();
      values[DatasetColumns.IMAGES_COLUMNS.indexOf(DatasetColumns.INPUT_SIZE)] =
          item.state().size();
      values[DatasetColumns.IMAGES_COLUMNS.indexOf(DatasetColumns.INPUT_MODIFIED)] =
          item.state().modified();
      values[DatasetColumns.IMAGES_COLUMNS.indexOf(DatasetColumns.INPUT_ETAG)] =
          item.state().etag();
    }
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

    Prefetcher(Iterator<ShardWork> work, ImagePipeline pipeline) {
      thread =
          new Thread(
              () -> {
                try {
                  while (work.hasNext()) {
                    ShardWork w = work.next();
                    Shard shard = shards.get(w.shard());
                    try (ShardReader reader = new ShardReader(shard, conf.get())) {
                      while (reader.hasNext()) {
                        ShardReader.Item item = reader.next();
                        Known known = w.known().get(item.imageId());
                        if (known != null) {
                          String sha = item.bytes() == null ? null : sha256(item.bytes());
                          if (Objects.equals(sha, known.sha256())) {
                            queue.put(new Skipped(
                                item, sha, item.state() != null && !known.sameFile(item)));
                            continue;
                          }
                        }
                        DecodedImage d =
                            pipeline.decode(
                                item.imageId(),
                                item.source(),
                                item.bytes(),
                                item.error(),
                                item.startNanos());
                        queue.put(new Read(d, item.file(), item.state()));
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
