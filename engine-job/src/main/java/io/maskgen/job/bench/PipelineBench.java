package io.maskgen.job.bench;

import io.maskgen.amg.AmgParams;
import io.maskgen.image.ImageDecoder;
import io.maskgen.clip.MaskCrops;
import io.maskgen.model.ClipModel;
import io.maskgen.model.SegmentationModel;
import io.maskgen.pipeline.DecodedImage;
import io.maskgen.pipeline.ImagePipeline;
import io.maskgen.pipeline.ImageResult;
import io.maskgen.pipeline.StageTimes;
import io.maskgen.schema.MaskRecord;
import io.maskgen.schema.sa1b.Sa1bAnnotation;
import io.maskgen.schema.sa1b.Sa1bFile;
import io.maskgen.schema.sa1b.Sa1bImage;
import io.maskgen.schema.sa1b.Sa1bJson;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs {@link ImagePipeline} in this JVM over benchmark images, one {@link BenchCase} at a time:
 * per image run decode, generate, embed, then write its masks as an SA-1B JSON file (the "write"
 * stage); times per stage from the pipeline's {@link StageTimes}, memory from {@link MemoryProbe}.
 */
final class PipelineBench {

  /** What every case shares. */
  record Settings(
      AmgParams baseParams,
      MaskCrops.Background background,
      int parallelism,
      int warmup,
      int repeat,
      Path writeDir) {}

  private final SegmentationModel segmenter;
  private final ClipModel clip;
  private final Settings settings;
  private final PrintStream log;
  private final MemoryProbe memory = new MemoryProbe();
  private final List<String> perImageCsv = new ArrayList<>();

  PipelineBench(SegmentationModel segmenter, ClipModel clip, Settings settings, PrintStream log) {
    this.segmenter = segmenter;
    this.clip = clip;
    this.settings = settings;
    this.log = log;
    perImageCsv.add(
        "megapixels,points_per_side,crop_n_layers,run,image,masks,total_ms,heap_used_mb,rss_mb");
  }

  /** Lines of a CSV with one row per measured image run (memory after it). */
  List<String> perImageCsv() {
    return perImageCsv;
  }

  BenchRow run(BenchCase c, List<BenchImage> images) {
    AmgParams params =
        settings.baseParams().withPointsPerSide(c.pointsPerSide()).withCropNLayers(c.cropNLayers());
    try (ImagePipeline pipeline =
        new ImagePipeline(
            segmenter,
            clip,
            params,
            settings.background(),
            ImageDecoder.MAX_SUPPORTED_PIXELS,
            "bench",
            "bench",
            settings.parallelism())) {
      for (int i = 0; i < settings.warmup(); i++) {
        runOne(pipeline, images.get(0));
      }
      System.gc();
      memory.reset();
      Map<String, Double> sums = new LinkedHashMap<>();
      long masks = 0;
      long wall = 0;
      int runs = 0;
      for (int r = 0; r < settings.repeat(); r++) {
        for (BenchImage image : images) {
          Run one = runOne(pipeline, image);
          runs++;
          masks += one.masks;
          wall += one.wallNanos;
          one.stageNanos.forEach((k, v) -> sums.merge(k, v / 1e6, Double::sum));
          perImageCsv.add(
              String.format(
                  Locale.ROOT,
                  "%s,%d,%d,%d,%s,%d,%.1f,%.1f,%.1f",
                  c.megapixels(),
                  c.pointsPerSide(),
                  c.cropNLayers(),
                  runs,
                  image.name(),
                  one.masks,
                  one.wallNanos / 1e6,
                  memory.heapUsedBytes() / 1048576.0,
                  memory.rssBytes() / 1048576.0));
        }
      }
      Map<String, Double> means = new LinkedHashMap<>();
      for (String s : BenchRow.STAGES) {
        means.put(s, sums.getOrDefault(s, 0.0) / runs);
      }
      means.put("total", wall / 1e6 / runs);
      BenchImage first = images.get(0);
      BenchRow row =
          new BenchRow(
              c,
              first.width(),
              first.height(),
              runs,
              (double) masks / runs,
              wall / 1e9,
              means,
              memory.heapPeakBytes() / 1048576.0,
              memory.rssPeakBytes() / 1048576.0,
              memory.nativeBytes() / 1048576.0);
      log.printf(
          Locale.ROOT,
          "maskgen bench: %.2f MP (%dx%d) points-per-side %d crop-n-layers %d: %.0f ms/image"
              + " (post-processing %.0f ms), %.1f masks/image, heap peak %.0f MiB%n",
          c.megapixels(),
          first.width(),
          first.height(),
          c.pointsPerSide(),
          c.cropNLayers(),
          means.get("total"),
          means.get("postprocess"),
          row.masksPerImage(),
          row.heapPeakMb());
      return row;
    }
  }

  private record Run(long wallNanos, int masks, Map<String, Long> stageNanos) {}

  private Run runOne(ImagePipeline pipeline, BenchImage image) {
    long t0 = System.nanoTime();
    DecodedImage d = pipeline.decode(image.name(), image.name() + ".jpg", image.jpeg(), null, t0);
    ImageResult result = pipeline.process(d);
    if (!d.ok()) {
      throw new IllegalStateException("Benchmark image " + image.name() + " failed: " + d.error());
    }
    long w0 = System.nanoTime();
    writeSa1b(settings.writeDir(), image, result.masks());
    long end = System.nanoTime();
    StageTimes t = result.times();
    Map<String, Long> stages = new LinkedHashMap<>();
    stages.put("decode_image", t.decodeImage());
    stages.put("preprocess", t.preprocess());
    stages.put("encode", t.encode());
    stages.put("decode_prompts", t.decodePrompts());
    stages.put("postprocess", t.postprocess());
    stages.put("clip", t.clip());
    stages.put("write", end - w0);
    return new Run(end - t0, result.masks().size(), stages);
  }

  /** Writes the masks of {@code image} as {@code dir/<name>.json} in the SA-1B format. */
  static void writeSa1b(Path dir, BenchImage image, List<MaskRecord> masks) {
    List<Sa1bAnnotation> annotations = new ArrayList<>(masks.size());
    for (MaskRecord m : masks) {
      annotations.add(Sa1bAnnotation.fromMaskRecord(m));
    }
    Sa1bFile file =
        new Sa1bFile(
            new Sa1bImage(0, image.width(), image.height(), image.name() + ".jpg"), annotations);
    try {
      Files.createDirectories(dir);
      Sa1bJson.write(file, dir.resolve(image.name() + ".json"));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + dir + ": " + e.getMessage(), e);
    }
  }
}
