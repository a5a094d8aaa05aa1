package io.maskgen.job;

import io.maskgen.pipeline.ImageResult;
import io.maskgen.pipeline.StageTimes;
import java.io.Serializable;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * Counters of a generation run. Spark accumulators carry them to the driver for the run report
 * (updated when tasks end); in local mode the executors share the driver's JVM, so the static
 * live counters also give progress while tasks run.
 */
final class JobMetrics implements Serializable {

  /** Live counters of the tasks running in this JVM (local mode). */
  static final AtomicLong LIVE_IMAGES = new AtomicLong();

  static final AtomicLong LIVE_MASKS = new AtomicLong();

  final LongAccumulator imagesOk;
  final LongAccumulator imagesFailed;
  final LongAccumulator masks;
  final LongAccumulator shards;
  final LongAccumulator decodeImageNanos;
  final LongAccumulator preprocessNanos;
  final LongAccumulator encodeNanos;
  final LongAccumulator decodePromptsNanos;
  final LongAccumulator postprocessNanos;
  final LongAccumulator clipNanos;

  JobMetrics(SparkContext sc) {
    imagesOk = sc.longAccumulator("maskgen.images.ok");
    imagesFailed = sc.longAccumulator("maskgen.images.failed");
    masks = sc.longAccumulator("maskgen.masks");
    shards = sc.longAccumulator("maskgen.shards");
    decodeImageNanos = sc.longAccumulator("maskgen.nanos.decode_image");
    preprocessNanos = sc.longAccumulator("maskgen.nanos.preprocess");
    encodeNanos = sc.longAccumulator("maskgen.nanos.encode");
    decodePromptsNanos = sc.longAccumulator("maskgen.nanos.decode_prompts");
    postprocessNanos = sc.longAccumulator("maskgen.nanos.postprocess");
    clipNanos = sc.longAccumulator("maskgen.nanos.clip");
  }

  void record(ImageResult r) {
    if (r.image().isOk()) {
      imagesOk.add(1);
    } else {
      imagesFailed.add(1);
    }
    masks.add(r.masks().size());
    StageTimes t = r.times();
    decodeImageNanos.add(t.decodeImage());
    preprocessNanos.add(t.preprocess());
    encodeNanos.add(t.encode());
    decodePromptsNanos.add(t.decodePrompts());
    postprocessNanos.add(t.postprocess());
    clipNanos.add(t.clip());
    LIVE_IMAGES.incrementAndGet();
    LIVE_MASKS.addAndGet(r.masks().size());
  }

  StageTimes stageTimes() {
    return new StageTimes(
        decodeImageNanos.value(),
        preprocessNanos.value(),
        encodeNanos.value(),
        decodePromptsNanos.value(),
        postprocessNanos.value(),
        clipNanos.value());
  }
}
