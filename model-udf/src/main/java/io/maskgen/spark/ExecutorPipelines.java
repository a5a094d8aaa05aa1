package io.maskgen.spark;

import io.maskgen.model.ClipModel;
import io.maskgen.model.SegmentationModel;
import io.maskgen.model.djl.DeviceChoice;
import io.maskgen.model.djl.ModelPackages;
import io.maskgen.model.standin.ModelTape;
import io.maskgen.model.standin.SimulatedDevice;
import io.maskgen.model.standin.StandInSetting;
import io.maskgen.pipeline.ImagePipeline;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The executor side of the generation job: one loaded model per JVM, location and device, shared
 * by every task of the executor; a fresh {@link ImagePipeline} (cheap: parameters and threads)
 * per task. Models are closed when the JVM exits. With {@link StandInSetting#CONF} set, the models
 * are stand-ins for a benchmark (see there).
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

  // Benchmarks only (StandInSetting): one simulated GPU per executor, one tape per model pair.
  private static final SimulatedDevice DEVICE = new SimulatedDevice();
  private static final Map<String, ModelTape> TAPES = new ConcurrentHashMap<>();

  private ExecutorPipelines() {}

  /** A setting from the session (local properties of the task) or the application, or null. */
  private static String setting(String key) {
    TaskContext ctx = TaskContext.get();
    String v = ctx == null ? null : ctx.getLocalProperty(key);
    SparkEnv env = SparkEnv.get();
    if (v == null && env != null) {
      v = env.conf().get(key, null);
    }
    return v;
  }

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
    String standIn = setting(StandInSetting.CONF);
    if (standIn != null) {
      ModelTape.Timing timing = StandInSetting.parse(standIn);
      ModelTape tape = TAPES.computeIfAbsent(spec.model() + "|" + spec.clip(), k -> new ModelTape());
      seg = tape.replayingOrRecording(seg, DEVICE, timing);
      clip = clip == null ? null : tape.replayingOrRecordingClip(clip, DEVICE, timing);
    }
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
