package io.maskgen.job;

import io.maskgen.job.input.Shard;
import io.maskgen.job.input.ShardReader;
import io.maskgen.pipeline.DecodedImage;
import io.maskgen.pipeline.ImagePipeline;
import io.maskgen.pipeline.ImageResult;
import io.maskgen.spark.ExecutorPipelines;
import io.maskgen.spark.PipelineSpec;
import io.maskgen.spark.SparkSchemas;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;

/**
 * The task of one shard: reads and decodes images on a prefetch thread while the model and
 * post-processing work on the previous image, and yields one row per image (with its masks).
 * Rows are produced lazily, so a tar of thousands of images never sits in memory at once.
 */
final class GenerateFunction implements FlatMapFunction<Iterator<Integer>, Row> {

  /** Decoded images waiting for the model; bounds the memory held by prefetching. */
  static final int PREFETCH = 2;

  private final List<Shard> shards;
  private final PipelineSpec spec;
  private final SerializableHadoopConf conf;
  private final JobMetrics metrics;

  /**
   * The shard plan travels inside the function (Java-serialised once per stage with the task
   * binary); the RDD itself holds only shard indices.
   */
  GenerateFunction(
      List<Shard> shards, PipelineSpec spec, SerializableHadoopConf conf, JobMetrics metrics) {
    this.shards = List.copyOf(shards);
    this.spec = spec;
    this.conf = conf;
    this.metrics = metrics;
  }

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
    TaskContext ctx = TaskContext.get();
    if (ctx != null) {
      ctx.addTaskCompletionListener(
          (TaskContext c) -> {
            prefetcher.stop();
            pipeline.close();
          });
    }
    return new Iterator<>() {
      private DecodedImage next;
      private boolean done;

      @Override
      public boolean hasNext() {
        if (next == null && !done) {
          next = prefetcher.take();
          if (next == null) {
            done = true;
            metrics.shards.add(1);
          }
        }
        return next != null;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        DecodedImage d = next;
        next = null;
        ImageResult r = pipeline.process(d);
        metrics.record(r);
        return SparkSchemas.imageWithMasksRow(r.image(), r.masks());
      }
    };
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

    DecodedImage take() {
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
      return (DecodedImage) o;
    }

    void stop() {
      thread.interrupt();
    }
  }
}
