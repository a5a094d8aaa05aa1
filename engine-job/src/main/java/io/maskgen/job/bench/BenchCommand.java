package io.maskgen.job.bench;

import io.maskgen.amg.AmgParams;
import io.maskgen.image.ImageDecoder;
import io.maskgen.clip.MaskCrops.Background;
import io.maskgen.image.RgbImage;
import io.maskgen.job.GenerateConfig;
import io.maskgen.job.cli.UsageException;
import io.maskgen.model.ClipModel;
import io.maskgen.model.SegmentationModel;
import io.maskgen.model.djl.DeviceChoice;
import io.maskgen.model.djl.ModelPackages;
import io.maskgen.spark.ModelLocations;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code maskgen bench}: where the time and memory of the pipeline go, and how it scales. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    abbreviateSynopsis = true,
    description = {
      "Measures the pipeline on a set of images and writes a table (results.md, results.csv,"
          + " results.json) and a plot (bench.png) under --output.",
      "",
      "In-process part: the images are resized to each --sizes value and encoded as JPEG; then,"
          + " in this JVM without Spark, each image is decoded, its masks generated and embedded"
          + " and written as SA-1B JSON, --repeat times, after --warmup untimed runs. Reported per"
          + " case: images/s, masks/s, milliseconds per image by stage (decode_image,"
          + " preprocess, encode, decode_prompts, postprocess, clip, write; stages run on"
          + " several threads are summed over them), the post-processing share, the heap peak"
          + " (sum of the heap pools' peaks), the process's peak resident set (VmHWM) and the"
          + " native memory (resident set minus committed heap at the end of the case).",
      "",
      "Cases: the baseline (1 MP, 32 points per side, 0 crop layers, or the first listed value"
          + " where a list lacks it), then one parameter at a time over its list.",
      "",
      "Throughput part (--masters): the real generate job over --copies copies of each image at"
          + " the baseline size, once per master (e.g. local[1],local[2] or spark://host:7077),"
          + " reporting images/s, masks/s and the speed-up against the first master"
          + " (throughput.md). Cold by default: executor start, model loading and JIT warm-up"
          + " count; --warm first runs the job once untimed in the same Spark application, so the"
          + " timed run shows steady-state throughput.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  bin/maskgen bench --images ../shared/testdata/photos --sizes 0.25,1,2,4 \\",
      "      --points-per-side 16,32,64 --crop-n-layers 0,1,2 --output /tmp/bench",
      "  bin/maskgen bench --images notebooks/examples --sizes 3.375 --clip none \\",
      "      --encoder-delay-ms 120 --decoder-delay-ms 8 --output /tmp/bench-sam",
      "  bin/maskgen bench --images ../shared/testdata/photos --gpu-standin --parallelism 2 \\",
      "      --in-flight 1,2,3 --output /tmp/bench-gpu",
      "  bin/maskgen bench --images notebooks/examples --masters 'local[1],local[2]' \\",
      "      --copies 4 --output /tmp/bench-scaling",
    })
public final class BenchCommand implements Callable<Integer> {

  static final double BASE_MEGAPIXELS = 1;
  static final int BASE_POINTS_PER_SIDE = 32;
  static final int BASE_CROP_LAYERS = 0;

  @Option(names = "--images", required = true, arity = "1..*", split = ",", paramLabel = "PATH",
      description = "Image folders (not recursive; .jpg .jpeg .png .bmp) or image files.")
  List<Path> images = new ArrayList<>();

  @Option(names = "--output", defaultValue = "/tmp/maskgen-bench", paramLabel = "DIR",
      description = "Folder for the results; must be empty or new. Default: ${DEFAULT-VALUE}.")
  Path output;

  @Option(names = "--model", defaultValue = "tiny-sam", paramLabel = "DIR",
      description = "Segmentation model package or shipped name. Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(names = "--clip", defaultValue = "tiny-clip", paramLabel = "DIR|none",
      description = "CLIP package, shipped name, or none. Default: ${DEFAULT-VALUE}.")
  String clip;

  @Option(names = "--device", defaultValue = "cpu", paramLabel = "auto|cpu|gpu[:N]",
      description = "Where the models run. Default: ${DEFAULT-VALUE}.")
  String device;

  @Option(names = "--sizes", defaultValue = "1", split = ",", paramLabel = "MP",
      description = "Image sizes in megapixels (aspect ratio kept; 0: as the files are)."
          + " Default: ${DEFAULT-VALUE}.")
  List<Double> sizes = new ArrayList<>();

  @Option(names = {"--points-per-side", "--pps"}, defaultValue = "32", split = ",",
      paramLabel = "N", description = "Values of points_per_side. Default: ${DEFAULT-VALUE}.")
  List<Integer> pointsPerSide = new ArrayList<>();

  @Option(names = {"--crop-n-layers", "--crop-layers"}, defaultValue = "0", split = ",",
      paramLabel = "N", description = "Values of crop_n_layers. Default: ${DEFAULT-VALUE}.")
  List<Integer> cropLayers = new ArrayList<>();

  @Option(names = "--points-per-batch", defaultValue = "64", paramLabel = "N",
      description = "Prompts per decoder call. Default: ${DEFAULT-VALUE}.")
  int pointsPerBatch;

  @Option(names = "--repeat", defaultValue = "2", paramLabel = "N",
      description = "Timed runs of every image per case. Default: ${DEFAULT-VALUE}.")
  int repeat;

  @Option(names = "--warmup", defaultValue = "2", paramLabel = "N",
      description = "Untimed runs of the first image before each case. Default: ${DEFAULT-VALUE}.")
  int warmup;

  @Option(names = "--parallelism", defaultValue = "1", paramLabel = "N",
      description = "Threads per image for post-processing and for each ONNX Runtime model call,"
          + " as spark.task.cpus gives a task. Default: ${DEFAULT-VALUE}.")
  int parallelism;

  @Option(names = "--encoder-delay-ms", defaultValue = "0", paramLabel = "MS",
      description = "Extra wait in every image encoder call, standing in for a bigger model on"
          + " a GPU (the wait uses no CPU). SAM ViT-H on an A100: about 120. Default:"
          + " ${DEFAULT-VALUE}.")
  double encoderDelayMs;

  @Option(names = "--decoder-delay-ms", defaultValue = "0", paramLabel = "MS",
      description = "Extra wait in every prompt decoder call (one call per --points-per-batch"
          + " prompts). SAM ViT-H on an A100: about 8 for 64 prompts. Default: ${DEFAULT-VALUE}.")
  double decoderDelayMs;

  @Option(names = "--gpu-standin", negatable = false,
      description = "Instead of the in-process cases: record the real models' outputs on the"
          + " images (baseline case), then replay them through stand-in models whose calls hold"
          + " one simulated GPU for a fixed time without CPU, and report how busy the pipeline"
          + " keeps it (gpu.md).")
  boolean gpuStandin;

  @Option(names = "--in-flight", defaultValue = "1,2", split = ",", paramLabel = "N",
      description = "--gpu-standin: images in the pipeline at once, one run per value (1: one"
          + " image after another). Default: ${DEFAULT-VALUE}.")
  List<Integer> inFlight = new ArrayList<>();

  @Option(names = "--balance", defaultValue = "1.5", paramLabel = "X",
      description = "--gpu-standin: model time per image = X x (CPU work per image / --cores)."
          + " Default: ${DEFAULT-VALUE}.")
  double balance;

  @Option(names = "--cores", paramLabel = "N",
      description = "--gpu-standin: cores the CPU work is shared by. Default: this machine's.")
  int cores = Runtime.getRuntime().availableProcessors();

  @Option(names = "--model-ms-per-image", defaultValue = "0", paramLabel = "MS",
      description = "--gpu-standin: the simulated GPU's time per image, instead of --balance"
          + " (0: from --balance). Default: ${DEFAULT-VALUE}.")
  double modelMsPerImage;

  @Option(names = "--masters", split = ",", paramLabel = "URL",
      description = "Also run the generate job on each of these Spark masters and compare"
          + " throughput, e.g. local[1],local[2]. Default: none.")
  List<String> masters = new ArrayList<>();

  @Option(names = "--copies", defaultValue = "4", paramLabel = "N",
      description = "Copies of every image in the throughput input. Default: ${DEFAULT-VALUE}.")
  int copies;

  @Option(names = "--warm", negatable = false,
      description = "Throughput runs: run the job once untimed on each master first (same"
          + " executors), so model loading and JIT warm-up are not timed.")
  boolean warm;

  @Option(names = "--throughput-only", negatable = false,
      description = "Skip the in-process cases; only the --masters runs.")
  boolean throughputOnly;

  @Option(names = "--conf", paramLabel = "KEY=VALUE", split = ",",
      description = "Spark setting for the throughput runs, repeatable.")
  Map<String, String> sparkConf = new LinkedHashMap<>();

  private final PrintStream out;
  private final PrintStream log;

  public BenchCommand() {
    this(System.out, System.err);
  }

  BenchCommand(PrintStream out, PrintStream log) {
    this.out = out;
    this.log = log;
  }

  @Override
  public Integer call() throws IOException {
    validate();
    AmgParams base = AmgParams.defaults().withPointsPerBatch(pointsPerBatch);
    String clipLocation = "none".equalsIgnoreCase(clip) ? null : clip;
    Configuration hadoop = new Configuration();
    for (int pps : pointsPerSide) {
      for (int layers : cropLayers) {
        try {
          ModelLocations.resolveOnDriver(
              model, clipLocation, base.withPointsPerSide(pps).withCropNLayers(layers),
              Background.GRAY, hadoop);
        } catch (IllegalArgumentException e) {
          throw new UsageException(e.getMessage());
        }
      }
    }
    List<Path> files = BenchImage.list(images);
    List<RgbImage> decoded = new ArrayList<>();
    for (Path f : files) {
      decoded.add(BenchImage.decode(f));
    }
    Files.createDirectories(output);
    List<BenchCase> cases = cases();

    List<BenchRow> rows = List.of();
    List<Map<String, Object>> gpu = List.of();
    if (gpuStandin) {
      gpu = standIn(cases.get(0), files, decoded, base, clipLocation, hadoop);
      BenchOutput.writeText(output.resolve("gpu.md"), BenchOutput.markdown(gpu));
      out.print(BenchOutput.markdown(gpu));
    } else if (!throughputOnly) {
      rows = inProcess(cases, files, decoded, base, clipLocation, hadoop);
      List<Map<String, Object>> table = rows.stream().map(BenchRow::columns).toList();
      BenchOutput.writeText(output.resolve("results.md"), BenchOutput.markdown(table));
      BenchOutput.writeText(output.resolve("results.csv"), BenchOutput.csv(table));
      BenchOutput.writePlot(output.resolve("bench.png"), panels(rows));
      out.print(BenchOutput.markdown(table));
    }
    List<Map<String, Object>> throughput = List.of();
    if (!masters.isEmpty()) {
      Path inputDir = output.resolve("inputs");
      writeThroughputInputs(inputDir, sized(files, decoded, cases.get(0).megapixels()));
      GenerateConfig config =
          new GenerateConfig(
              List.of(inputDir.toString()), null, model, clipLocation, Background.GRAY, device,
              base.withPointsPerSide(cases.get(0).pointsPerSide())
                  .withCropNLayers(cases.get(0).cropNLayers()),
              ImageDecoder.MAX_SUPPORTED_PIXELS, 32, null, Map.copyOf(sparkConf), null, false, false);
      throughput =
          ThroughputBench.columns(
              ThroughputBench.run(
                  config, masters, sparkConf, warm, output.resolve("throughput"), log));
      BenchOutput.writeText(output.resolve("throughput.md"), BenchOutput.markdown(throughput));
      out.println();
      out.print(BenchOutput.markdown(throughput));
    }
    BenchOutput.writeJson(
        output.resolve("results.json"), BenchOutput.json(settings(), rows, throughput, gpu));
    log.println("maskgen bench: results in " + output.toAbsolutePath());
    return 0;
  }

  private List<BenchRow> inProcess(
      List<BenchCase> cases,
      List<Path> files,
      List<RgbImage> decoded,
      AmgParams base,
      String clipLocation,
      Configuration hadoop)
      throws IOException {
    List<BenchRow> rows = new ArrayList<>();
    DeviceChoice dev = DeviceChoice.parse(device);
    try (SegmentationModel loaded =
            ModelPackages.loadSegmenter(ModelLocations.local(model, hadoop), dev, parallelism);
        ClipModel clipModel =
            clipLocation == null
                ? null
                : ModelPackages.loadClip(
                    ModelLocations.local(clipLocation, hadoop), dev, parallelism)) {
      SegmentationModel segmenter =
          encoderDelayMs > 0 || decoderDelayMs > 0
              ? new DelayedSegmentationModel(loaded, encoderDelayMs, decoderDelayMs)
              : loaded;
      PipelineBench bench =
          new PipelineBench(
              segmenter,
              clipModel,
              new PipelineBench.Settings(
                  base, Background.GRAY, parallelism, warmup, repeat, output.resolve("sa1b")),
              log);
      Map<Double, List<BenchImage>> bySize = new LinkedHashMap<>();
      for (BenchCase c : cases) {
        List<BenchImage> inputs =
            bySize.computeIfAbsent(c.megapixels(), mp -> sized(files, decoded, mp));
        rows.add(bench.run(c, inputs));
      }
      BenchOutput.writeText(
          output.resolve("per-image.csv"), String.join("\n", bench.perImageCsv()) + "\n");
    }
    return rows;
  }

  private List<Map<String, Object>> standIn(
      BenchCase c,
      List<Path> files,
      List<RgbImage> decoded,
      AmgParams base,
      String clipLocation,
      Configuration hadoop) {
    DeviceChoice dev = DeviceChoice.parse(device);
    try (SegmentationModel segmenter =
            ModelPackages.loadSegmenter(ModelLocations.local(model, hadoop), dev, parallelism);
        ClipModel clipModel =
            clipLocation == null
                ? null
                : ModelPackages.loadClip(
                    ModelLocations.local(clipLocation, hadoop), dev, parallelism)) {
      StandInBench bench =
          new StandInBench(
              new StandInBench.Settings(
                  base.withPointsPerSide(c.pointsPerSide()).withCropNLayers(c.cropNLayers()),
                  Background.GRAY,
                  parallelism,
                  inFlight,
                  balance,
                  cores,
                  modelMsPerImage,
                  warmup,
                  repeat,
                  output.resolve("sa1b")),
              log);
      return bench.run(segmenter, clipModel, sized(files, decoded, c.megapixels())).stream()
          .map(StandInBench.Result::columns)
          .toList();
    }
  }

  private void validate() {
    if (inFlight.isEmpty() || inFlight.stream().anyMatch(d -> d < 1)) {
      throw new UsageException("Invalid --in-flight: " + inFlight + " (each >= 1)");
    }
    if (!(balance > 0) || cores < 1 || !(modelMsPerImage >= 0)) {
      throw new UsageException(
          "Invalid --balance / --cores / --model-ms-per-image: " + balance + " / " + cores
              + " / " + modelMsPerImage + " (must be > 0, >= 1, >= 0)");
    }
    if (gpuStandin && (throughputOnly || !masters.isEmpty())) {
      throw new UsageException("--gpu-standin runs alone: leave out --masters/--throughput-only");
    }
    if (sizes.isEmpty() || sizes.stream().anyMatch(s -> !(s >= 0) || s > 100)) {
      throw new UsageException("Invalid --sizes: " + sizes + " (megapixels, 0 to 100)");
    }
    if (pointsPerSide.isEmpty() || pointsPerSide.stream().anyMatch(p -> p < 1)) {
      throw new UsageException("Invalid --points-per-side: " + pointsPerSide + " (each >= 1)");
    }
    if (cropLayers.isEmpty() || cropLayers.stream().anyMatch(p -> p < 0)) {
      throw new UsageException("Invalid --crop-n-layers: " + cropLayers + " (each >= 0)");
    }
    if (repeat < 1) {
      throw new UsageException("Invalid --repeat: " + repeat + " (must be >= 1)");
    }
    if (warmup < 0) {
      throw new UsageException("Invalid --warmup: " + warmup + " (must be >= 0)");
    }
    if (parallelism < 1) {
      throw new UsageException("Invalid --parallelism: " + parallelism + " (must be >= 1)");
    }
    if (throughputOnly && masters.isEmpty()) {
      throw new UsageException("--throughput-only needs --masters");
    }
    if (copies < 1) {
      throw new UsageException("Invalid --copies: " + copies + " (must be >= 1)");
    }
    if (!(encoderDelayMs >= 0) || !(decoderDelayMs >= 0)) {
      throw new UsageException(
          "Invalid --encoder-delay-ms / --decoder-delay-ms: " + encoderDelayMs + " / "
              + decoderDelayMs + " (must be >= 0)");
    }
    try {
      DeviceChoice.parse(device);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (Files.exists(output)) {
      try (Stream<Path> s = Files.list(output)) {
        if (s.findAny().isPresent()) {
          throw new UsageException("Invalid --output: " + output + " is not empty");
        }
      } catch (IOException e) {
        throw new UsageException("Invalid --output: " + output + ": " + e.getMessage());
      }
    }
    for (Path p : images) {
      if (!Files.exists(p)) {
        throw new UsageException("Invalid --images: " + p + " does not exist");
      }
    }
  }

  /** The baseline first, then each list's other values with the rest at the baseline. */
  List<BenchCase> cases() {
    double mp = sizes.contains(BASE_MEGAPIXELS) ? BASE_MEGAPIXELS : sizes.get(0);
    int pps = pointsPerSide.contains(BASE_POINTS_PER_SIDE) ? BASE_POINTS_PER_SIDE
        : pointsPerSide.get(0);
    int layers = cropLayers.contains(BASE_CROP_LAYERS) ? BASE_CROP_LAYERS : cropLayers.get(0);
    List<BenchCase> cases = new ArrayList<>();
    cases.add(new BenchCase(mp, pps, layers));
    sizes.stream().distinct().filter(s -> s != mp).forEach(s -> cases.add(new BenchCase(s, pps, layers)));
    pointsPerSide.stream().distinct().filter(p -> p != pps)
        .forEach(p -> cases.add(new BenchCase(mp, p, layers)));
    cropLayers.stream().distinct().filter(l -> l != layers)
        .forEach(l -> cases.add(new BenchCase(mp, pps, l)));
    return cases;
  }

  private static List<BenchImage> sized(List<Path> files, List<RgbImage> decoded, double mp) {
    List<BenchImage> out = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      String name = files.get(i).getFileName().toString().replaceFirst("\\.[^.]*$", "");
      out.add(BenchImage.of(name, decoded.get(i), mp));
    }
    return out;
  }

  private void writeThroughputInputs(Path dir, List<BenchImage> inputs) {
    try {
      Files.createDirectories(dir);
      for (BenchImage image : inputs) {
        for (int k = 1; k <= copies; k++) {
          Files.write(dir.resolve(image.name() + "-" + k + ".jpg"), image.jpeg());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + dir + ": " + e.getMessage(), e);
    }
  }

  private List<BenchOutput.Panel> panels(List<BenchRow> rows) {
    BenchCase b = rows.get(0).benchCase();
    List<BenchOutput.Panel> panels = new ArrayList<>();
    List<BenchRow> bySize = rows.stream()
        .filter(r -> r.benchCase().pointsPerSide() == b.pointsPerSide()
            && r.benchCase().cropNLayers() == b.cropNLayers())
        .sorted(Comparator.comparingDouble(r -> r.benchCase().megapixels())).toList();
    List<BenchRow> byPps = rows.stream()
        .filter(r -> r.benchCase().megapixels() == b.megapixels()
            && r.benchCase().cropNLayers() == b.cropNLayers())
        .sorted(Comparator.comparingInt(r -> r.benchCase().pointsPerSide())).toList();
    List<BenchRow> byCrops = rows.stream()
        .filter(r -> r.benchCase().megapixels() == b.megapixels()
            && r.benchCase().pointsPerSide() == b.pointsPerSide())
        .sorted(Comparator.comparingInt(r -> r.benchCase().cropNLayers())).toList();
    String base = String.format(Locale.ROOT, "%s MP, %d pts/side, %d crop layers",
        trim(b.megapixels()), b.pointsPerSide(), b.cropNLayers());
    if (bySize.size() > 1 || (byPps.size() <= 1 && byCrops.size() <= 1)) {
      panels.add(new BenchOutput.Panel("Image size (" + base + ")", "megapixels", bySize,
          r -> r.benchCase().megapixels()));
    }
    if (byPps.size() > 1) {
      panels.add(new BenchOutput.Panel("Points per side", "points_per_side", byPps,
          r -> r.benchCase().pointsPerSide()));
    }
    if (byCrops.size() > 1) {
      panels.add(new BenchOutput.Panel("Crop layers", "crop_n_layers", byCrops,
          r -> r.benchCase().cropNLayers()));
    }
    return panels;
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  private Map<String, Object> settings() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("images", images.stream().map(Path::toString).toList());
    m.put("model", model);
    m.put("clip", clip);
    m.put("device", device);
    m.put("points_per_batch", pointsPerBatch);
    m.put("repeat", repeat);
    m.put("warmup", warmup);
    m.put("parallelism", parallelism);
    m.put("encoder_delay_ms", encoderDelayMs);
    m.put("decoder_delay_ms", decoderDelayMs);
    m.put("available_processors", Runtime.getRuntime().availableProcessors());
    m.put("max_heap_mb", Runtime.getRuntime().maxMemory() / 1048576);
    m.put("java", System.getProperty("java.version"));
    m.put("gpu_standin", gpuStandin);
    m.put("in_flight", inFlight);
    m.put("balance", balance);
    m.put("cores", cores);
    m.put("model_ms_per_image", modelMsPerImage);
    m.put("masters", masters);
    m.put("copies", copies);
    m.put("warm", warm);
    return m;
  }
}
