package io.maskgen.job.bench;

import com.sun.management.OperatingSystemMXBean;
import io.maskgen.amg.AmgParams;
import io.maskgen.clip.MaskCrops;
import io.maskgen.image.ImageDecoder;
import io.maskgen.model.ClipModel;
import io.maskgen.model.SegmentationModel;
import io.maskgen.model.standin.ModelTape;
import io.maskgen.model.standin.SimulatedDevice;
import io.maskgen.pipeline.DecodedImage;
import io.maskgen.pipeline.ImagePipeline;
import io.maskgen.pipeline.ImageResult;
import io.maskgen.pipeline.InOrder;
import io.maskgen.schema.ImageRecord;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The pipeline against a simulated GPU: how busy the pipeline keeps one accelerator, and how close
 * it comes to the model-bound limit of 1 / (model time per image).
 *
 * <ol>
 *   <li>Record: every image runs once through the real models, whose outputs a {@link ModelTape}
 *       keeps (these rows are the expected output).
 *   <li>Calibrate: the images run one after another on one thread with the stand-in models
 *       replaying the tape without any wait; the process CPU time per image is this machine's
 *       CPU work per image W (decode, preprocessing, post-processing, mask crops, write).
 *   <li>The model time per image is {@code balance x W / cores} (or given), split among the
 *       encoder, decoder and CLIP calls of an image in the proportion of their published times
 *       on an A100 ({@link #ENCODER_MS}, {@link #DECODER_MS_PER_PROMPT}, {@link
 *       #CLIP_MS_PER_CROP}).
 *   <li>Runs: for each number of images in flight, the images stream through the pipeline ({@link
 *       InOrder}) with the stand-ins holding one {@link SimulatedDevice} for their calls, and the
 *       caller writing each image's SA-1B JSON as its result comes; reported: images/s, the
 *       limit, the device's busy fraction, and whether every row equals the recorded run's.
 * </ol>
 */
final class StandInBench {

  /** SAM ViT-H image encoder, one 1024 x 1024 input, A100. */
  static final double ENCODER_MS = 120;

  /** SAM prompt encoder and mask decoder per prompt, from 8 ms per batch of 64 on an A100. */
  static final double DECODER_MS_PER_PROMPT = 8.0 / 64;

  /** CLIP ViT-B/32 image encoder per 224 x 224 crop, from ~2500 crops/s on an A100. */
  static final double CLIP_MS_PER_CROP = 0.4;

  /** What the runs share. */
  record Settings(
      AmgParams params,
      MaskCrops.Background background,
      int parallelism,
      List<Integer> inFlight,
      double balance,
      int cores,
      double modelMsPerImage,
      int warmup,
      int repeat,
      Path writeDir) {}

  /** One run's result. */
  record Result(
      String run,
      int inFlight,
      int parallelism,
      int images,
      double wallSeconds,
      double cpuMsPerImage,
      double modelMsPerImage,
      double busyFraction,
      double gcFraction,
      boolean identical) {

    double imagesPerSecond() {
      return images / wallSeconds;
    }

    Map<String, Object> columns() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("run", run);
      m.put("in_flight", inFlight);
      m.put("parallelism", parallelism);
      m.put("images", images);
      m.put("wall_s", wallSeconds);
      m.put("images_per_s", imagesPerSecond());
      m.put("cpu_ms_per_image", cpuMsPerImage);
      m.put("cores_used", cpuMsPerImage * imagesPerSecond() / 1000);
      boolean model = modelMsPerImage > 0;
      m.put("model_ms_per_image", model ? modelMsPerImage : "-");
      m.put("model_bound_images_per_s", model ? 1000 / modelMsPerImage : "-");
      m.put("of_limit", model ? imagesPerSecond() * modelMsPerImage / 1000 : "-");
      m.put("gpu_busy", model ? busyFraction : "-");
      m.put("gc_share", gcFraction);
      m.put("identical", identical);
      return m;
    }
  }

  private final Settings settings;
  private boolean withClip;
  private final PrintStream log;
  private final OperatingSystemMXBean os =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  StandInBench(Settings settings, PrintStream log) {
    this.settings = settings;
    this.log = log;
  }

  /** Records, calibrates and runs; the models are borrowed. */
  List<Result> run(SegmentationModel segmenter, ClipModel clip, List<BenchImage> images) {
    ModelTape tape = new ModelTape();
    List<ImageResult> expected = new ArrayList<>();
    try (ImagePipeline p =
        pipeline(
            tape.recording(segmenter),
            clip == null ? null : tape.recordingClip(clip),
            settings.parallelism())) {
      for (BenchImage image : images) {
        expected.add(process(p, image));
      }
    }
    int n = images.size();
    ModelTape.Counts c = tape.counts();
    log.printf(
        Locale.ROOT,
        "maskgen bench: recorded %d images: per image %.1f encoder calls, %.1f decoder calls"
            + " (%.0f prompts), %.1f CLIP crops%n",
        n,
        (double) c.encoderCalls() / n,
        (double) c.decoderCalls() / n,
        (double) c.prompts() / n,
        (double) c.clipCrops() / n);

    withClip = clip != null;
    SimulatedDevice device = new SimulatedDevice();
    List<Result> results = new ArrayList<>();
    Result calibration =
        stream("calibration", tape, ModelTape.Timing.NONE, 0, device, images, expected, 1, 1);
    results.add(calibration);
    double modelMs =
        settings.modelMsPerImage() > 0
            ? settings.modelMsPerImage()
            : settings.balance() * calibration.cpuMsPerImage() / settings.cores();
    double published =
        (ENCODER_MS * c.encoderCalls()
                + DECODER_MS_PER_PROMPT * c.prompts()
                + CLIP_MS_PER_CROP * c.clipCrops())
            / n;
    double scale = modelMs / published;
    ModelTape.Timing timing =
        new ModelTape.Timing(
            nanos(ENCODER_MS * scale),
            nanos(DECODER_MS_PER_PROMPT * scale),
            nanos(CLIP_MS_PER_CROP * scale));
    log.printf(
        Locale.ROOT,
        "maskgen bench: CPU work %.0f ms/image; model time %.0f ms/image (%.2fx the A100 times"
            + " of %.0f ms: encoder %.1f ms/call, decoder %.3f ms/prompt, CLIP %.2f ms/crop)%n",
        calibration.cpuMsPerImage(),
        modelMs,
        scale,
        published,
        timing.encodeNanos() / 1e6,
        timing.decodeNanosPerPrompt() / 1e6,
        timing.clipNanosPerCrop() / 1e6);
    for (int depth : settings.inFlight()) {
      String name = depth == 1 ? "sequential" : "pipelined";
      results.add(
          stream(
              name, tape, timing, modelMs, device, images, expected, depth,
              settings.parallelism()));
    }
    return results;
  }

  private Result stream(
      String name,
      ModelTape tape,
      ModelTape.Timing timing,
      double modelMs,
      SimulatedDevice device,
      List<BenchImage> images,
      List<ImageResult> expected,
      int depth,
      int parallelism) {
    SegmentationModel seg = tape.replaying(device, timing);
    ClipModel clip = withClip ? tape.replayingClip(device, timing) : null;
    List<BenchImage> work = new ArrayList<>();
    for (int r = 0; r < settings.repeat(); r++) {
      work.addAll(images);
    }
    Path dir = settings.writeDir().resolve(name + "-" + depth);
    try (ImagePipeline p = pipeline(seg, clip, parallelism)) {
      for (int i = 0; i < settings.warmup(); i++) {
        for (BenchImage image : images) {
          process(p, image);
        }
      }
      boolean identical = true;
      device.reset();
      long cpu0 = os.getProcessCpuTime();
      long gc0 = gcMillis();
      long t0 = System.nanoTime();
      try (InOrder<BenchImage, ImageResult> results =
          new InOrder<>(work.iterator(), image -> process(p, image), depth)) {
        for (int i = 0; results.hasNext(); i++) {
          ImageResult r = results.next();
          identical &= sameRows(r, expected.get(i % images.size()));
          PipelineBench.writeSa1b(dir, work.get(i), r.masks());
        }
      }
      long wall = System.nanoTime() - t0;
      long cpu = os.getProcessCpuTime() - cpu0;
      double gc = (gcMillis() - gc0) * 1e6 / wall;
      double busy = (double) device.busyNanos() / wall;
      Result result =
          new Result(
              name, depth, parallelism, work.size(), wall / 1e9, cpu / 1e6 / work.size(), modelMs,
              busy, gc, identical);
      log.printf(
          Locale.ROOT,
          "maskgen bench: %s, %d in flight, parallelism %d: %.3f images/s%s, CPU %.0f ms/image"
              + " (%.2f cores), GC %.1f%% of the time, rows %s%n",
          name,
          depth,
          parallelism,
          result.imagesPerSecond(),
          modelMs > 0
              ? String.format(
                  Locale.ROOT, " (limit %.3f), GPU busy %.1f%%", 1000 / modelMs, 100 * busy)
              : "",
          result.cpuMsPerImage(),
          result.cpuMsPerImage() * result.imagesPerSecond() / 1000,
          100 * gc,
          identical ? "identical" : "DIFFERENT");
      return result;
    }
  }

  private ImagePipeline pipeline(SegmentationModel seg, ClipModel clip, int parallelism) {
    return new ImagePipeline(
        seg,
        clip,
        settings.params(),
        settings.background(),
        ImageDecoder.MAX_SUPPORTED_PIXELS,
        "bench",
        "bench",
        parallelism);
  }

  private static ImageResult process(ImagePipeline p, BenchImage image) {
    DecodedImage d =
        p.decode(image.name(), image.name() + ".jpg", image.jpeg(), null, System.nanoTime());
    if (!d.ok()) {
      throw new IllegalStateException("Benchmark image " + image.name() + " failed: " + d.error());
    }
    return p.process(d);
  }

  /** The same rows: masks equal, image rows equal but for the time they took. */
  static boolean sameRows(ImageResult a, ImageResult b) {
    return a.masks().equals(b.masks()) && fields(a.image()).equals(fields(b.image()));
  }

  private static List<Object> fields(ImageRecord r) {
    return Arrays.asList(
        r.imageId(), r.source(), r.sha256(), r.width(), r.height(), r.status(), r.error(),
        r.maskCount(), r.generator(), r.runId());
  }

  /** Time the collectors report, in milliseconds (for G1 the pauses, not concurrent work). */
  private static long gcMillis() {
    long sum = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, b.getCollectionTime());
    }
    return sum;
  }

  private static long nanos(double millis) {
    return Math.round(millis * 1e6);
  }
}
