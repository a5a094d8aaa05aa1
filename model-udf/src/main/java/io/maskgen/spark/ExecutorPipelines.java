package io.maskgen.spark;

import io.maskgen.model.ClipModel;
import io.maskgen.model.SegmentationModel;
import io.maskgen.model.djl.DeviceChoice;
import io.maskgen.model.djl.ModelPackages;
import io.maskgen.pipeline.ImagePipeline;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The executor side of the generation job: one loaded model per JVM, location and device, shared
 * by every task of the executor; a fresh {@link ImagePipeline} (cheap: parameters and threads)
 * per task. Models are closed when the JVM exits.
 */
public final class ExecutorPipelines {

  private static final Map<String, SegmentationModel> SEGMENTERS = new ConcurrentHashMap<>();
  private static final Map<String, ClipModel> CLIPS = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  SEGMENTERS.values().forEach(SegmentationModel::close);
                  CLIPS.values().forEach(ClipModel::close);
                },
                "maskgen-close-models"));
  }

  private ExecutorPipelines() {}

  /** The pipeline for the current task, on the device Spark assigned it (if any). */
  public static ImagePipeline open(PipelineSpec spec) {
    DeviceChoice device = taskDevice(DeviceChoice.parse(spec.device()));
    Configuration conf = new Configuration();
    // A task's model calls use its own cores (spark.task.cpus), not every core of the machine.
    int threads = spec.parallelism();
    SegmentationModel seg =
        SEGMENTERS.computeIfAbsent(
            spec.model() + "|" + device + "|" + threads,
            k ->
                ModelPackages.loadSegmenter(
                    ModelLocations.local(spec.model(), conf), device, threads));
    ClipModel clip = spec.clip() == null ? null : clip(spec.clip(), device, threads);
    return new ImagePipeline(
        seg,
        clip,
        spec.amg(),
        spec.clipBackground(),
        spec.maxImagePixels(),
        spec.generator(),
        spec.runId(),
        spec.parallelism());
  }

  /**
   * The CLIP model at {@code location} (see {@link ModelLocations}) on {@code device}, loaded once
   * per JVM and shared; closed when the JVM exits.
   */
  public static ClipModel clip(String location, DeviceChoice device) {
    return clip(location, device, 0);
  }

  /** {@link #clip(String, DeviceChoice)} computing each call on at most {@code cpuThreads}. */
  static ClipModel clip(String location, DeviceChoice device, int cpuThreads) {
    return CLIPS.computeIfAbsent(
        location + "|" + device + "|" + cpuThreads,
        k ->
            ModelPackages.loadClip(
                ModelLocations.local(location, new Configuration()), device, cpuThreads));
  }

  /**
   * The device of this task: the GPU Spark assigned to it when the executor has GPU resources
   * and the user did not ask for the CPU; otherwise the user's choice.
   */
  static DeviceChoice taskDevice(DeviceChoice requested) {
    TaskContext ctx = TaskContext.get();
    if (ctx == null || requested.isCpu()) {
      return requested;
    }
    ResourceInformation gpus = ctx.resourcesJMap().get("gpu");
    if (gpus == null || gpus.addresses().length == 0) {
      return requested;
    }
    return DeviceChoice.parse("gpu:" + gpus.addresses()[0]);
  }
}
