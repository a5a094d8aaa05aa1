package io.maskgen.job.cli;

import io.maskgen.amg.AmgParams;
import io.maskgen.clip.MaskCrops.Background;
import io.maskgen.job.GenerateConfig;
import io.maskgen.model.djl.DeviceChoice;
import io.maskgen.job.GenerateJob;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code maskgen generate}: image shards in, mask dataset out. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    abbreviateSynopsis = true,
    description = {
      "Runs the automatic mask generator over images and writes the masks and images tables"
          + " (Parquet) under --output.",
      "",
      "Inputs may be folders (searched recursively for .jpg .jpeg .png .bmp .gif .tif), single"
          + " image files, globs (quote them), list files (.txt/.lst/.list: one path per line) and"
          + " SA-1B-style tar shards (.tar; side files such as .json are ignored), on the local"
          + " disk or s3a://. Credentials for s3a come from the standard Hadoop AWS providers.",
      "",
      "Options may also come from --config FILE (YAML or JSON, keys as the long option names"
          + " without dashes); a flag on the command line wins over the file.",
      "",
      "An --output that holds a dataset is refreshed: files whose path, size and modification"
          + " time (ETag on S3) match what the dataset recorded are skipped without being opened,"
          + " tar shards as a whole; new and changed files are read, images with an unchanged"
          + " sha256 are skipped, and the rest replace their old rows. A refresh with nothing new"
          + " changes nothing. --verify-content reads and hashes every input instead.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  bin/maskgen generate --input notebooks/examples --output /tmp/masks",
      "  bin/maskgen generate --input 's3a://bucket/sa1b/sa_00000*.tar' --output s3a://bucket/out \\",
      "      --crop-n-layers 1 --min-mask-region-area 100 --master spark://host:7077",
      "  bin/maskgen generate --input notebooks/examples --output /tmp/masks --verify-content",
    })
public final class GenerateCommand implements Callable<Integer> {

  // --- data ---
  @Option(
      names = "--input",
      required = true,
      arity = "1..*",
      split = ",",
      paramLabel = "PATH",
      description = "Image folders, files, globs, list files or .tar shards (local or s3a://).")
  List<String> inputs = new ArrayList<>();

  @Option(
      names = "--output",
      required = true,
      paramLabel = "DIR",
      description = "Dataset folder: masks/, images/ and _runs/ are written there.")
  String output;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "YAML or JSON file with option values (keys: long option names).")
  String config;

  // --- models ---
  @Option(
      names = "--model",
      defaultValue = "tiny-sam",
      paramLabel = "DIR",
      description =
          "Segmentation model package (a folder with model.json), or the name of a shipped model:"
              + " tiny-sam, tiny-sam-torchscript. Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(
      names = "--clip",
      defaultValue = "tiny-clip",
      paramLabel = "DIR|none",
      description =
          "CLIP package (a folder with clip.json), a shipped one (tiny-clip,"
              + " tiny-clip-torchscript), or 'none' to skip mask embeddings. Default:"
              + " ${DEFAULT-VALUE}.")
  String clip;

  @Option(
      names = "--clip-background",
      defaultValue = "gray",
      paramLabel = "blur|gray",
      description =
          "How the outside of a mask is suppressed in its CLIP crop: gray (CLIP mean colour) or"
              + " blur. Default: ${DEFAULT-VALUE}.")
  String clipBackground;

  @Option(
      names = "--device",
      defaultValue = "auto",
      paramLabel = "auto|cpu|gpu[:N]",
      description =
          "Where the models run. auto: a GPU if the engine sees one, else the CPU. On Spark"
              + " executors with GPU resources, each task uses the GPU address Spark assigned"
              + " it. Default: ${DEFAULT-VALUE}.")
  String device;

  // --- automatic mask generator, names and defaults of the reference generator ---
  @Option(names = "--points-per-side", defaultValue = "32", paramLabel = "N",
      description = "Grid of N x N prompt points on the whole image. Default: ${DEFAULT-VALUE}.")
  int pointsPerSide;

  @Option(names = "--points-per-batch", defaultValue = "64", paramLabel = "N",
      description = "Prompts decoded together. Default: ${DEFAULT-VALUE}.")
  int pointsPerBatch;

  @Option(names = "--pred-iou-thresh", defaultValue = "0.88", paramLabel = "F",
      description = "Keep masks whose predicted IoU is above F. Default: ${DEFAULT-VALUE}.")
  double predIouThresh;

  @Option(names = "--stability-score-thresh", defaultValue = "0.95", paramLabel = "F",
      description = "Keep masks whose stability score is at least F. Default: ${DEFAULT-VALUE}.")
  double stabilityScoreThresh;

  @Option(names = "--stability-score-offset", defaultValue = "1.0", paramLabel = "F",
      description = "Logit offset of the stability score. Default: ${DEFAULT-VALUE}.")
  double stabilityScoreOffset;

  @Option(names = "--box-nms-thresh", defaultValue = "0.7", paramLabel = "F",
      description = "Box IoU for non-maximum suppression inside a crop. Default: ${DEFAULT-VALUE}.")
  double boxNmsThresh;

  @Option(names = "--crop-n-layers", defaultValue = "0", paramLabel = "N",
      description = "Extra layers of zoomed crops; layer i has (2^i)^2 crops. Default: ${DEFAULT-VALUE}.")
  int cropNLayers;

  @Option(names = "--crop-nms-thresh", defaultValue = "0.7", paramLabel = "F",
      description = "Box IoU for non-maximum suppression across crops. Default: ${DEFAULT-VALUE}.")
  double cropNmsThresh;

  @Option(names = "--crop-overlap-ratio", defaultValue = "0.3413333333333333", paramLabel = "F",
      description = "Crop overlap as a fraction of the short image side (512/1500). Default: ${DEFAULT-VALUE}.")
  double cropOverlapRatio;

  @Option(names = "--crop-n-points-downscale-factor", defaultValue = "1", paramLabel = "N",
      description = "Layer i uses points-per-side / N^i points per side. Default: ${DEFAULT-VALUE}.")
  int cropNPointsDownscaleFactor;

  @Option(names = "--min-mask-region-area", defaultValue = "0", paramLabel = "PX",
      description = "If > 0, remove holes and islands smaller than PX pixels, then NMS again. Default: ${DEFAULT-VALUE}.")
  int minMaskRegionArea;

  @Option(names = "--multimask-output", defaultValue = "true", paramLabel = "true|false", arity = "1",
      description = "Decode 3 masks per point (false: the first mask only). Default: ${DEFAULT-VALUE}.")
  boolean multimaskOutput;

  @Option(names = "--use-m2m", defaultValue = "false", paramLabel = "true|false", arity = "0..1",
      fallbackValue = "true",
      description = "Refine each kept mask once with its own logits as mask prompt (SAM 2); needs a"
          + " decoder with mask_input. Default: ${DEFAULT-VALUE}.")
  boolean useM2m;

  // --- execution ---
  @Option(names = "--max-image-pixels", defaultValue = "178956970", paramLabel = "N",
      description = "Images with more pixels fail with 'too large' before decoding. Default: ${DEFAULT-VALUE}.")
  long maxImagePixels;

  @Option(names = "--files-per-shard", defaultValue = "32", paramLabel = "N",
      description = "Most loose files per Spark task (each tar is one task). Default: ${DEFAULT-VALUE}.")
  int filesPerShard;

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master. Default: local[*] from bin/maskgen; under spark-submit, its --master.")
  String master;

  @Option(names = "--conf", paramLabel = "KEY=VALUE", split = ",",
      description = "Spark setting, repeatable (e.g. --conf spark.executor.memory=8g).")
  Map<String, String> sparkConf = new LinkedHashMap<>();

  @Option(names = "--run-id", paramLabel = "ID",
      description = "Name of this run (default: a timestamp and random suffix).")
  String runId;

  @Option(names = "--no-progress", negatable = false,
      description = "Do not print progress lines while running.")
  boolean noProgress;

  @Option(names = "--retry-failed", negatable = false,
      description = "On a refresh, process again the images whose earlier status was failed"
          + " (they are skipped otherwise while their content is unchanged).")
  boolean retryFailed;

  @Option(names = "--verify-content", negatable = false,
      description = "On a refresh, read and hash every input to find what changed. By default a"
          + " file (an image or a whole tar shard) whose path, size and modification time (ETag"
          + " on S3) are the ones the dataset recorded is taken as unchanged and not opened.")
  boolean verifyContent;

  @Override
  public Integer call() {
    GenerateConfig config = toConfig();
    return new GenerateJob(config).run();
  }

  /** Validates every option; throws {@link UsageException} naming the option, value and rule. */
  public GenerateConfig toConfig() {
    if (inputs.isEmpty()) {
      throw new UsageException("Missing --input: name at least one image folder, file, glob or tar");
    }
    AmgParams amg;
    try {
      amg = amgParams();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    Background background = parseBackground(clipBackground);
    if (maxImagePixels <= 0) {
      throw new UsageException("Invalid --max-image-pixels: " + maxImagePixels + " (must be > 0)");
    }
    if (filesPerShard <= 0) {
      throw new UsageException("Invalid --files-per-shard: " + filesPerShard + " (must be >= 1)");
    }
    return new GenerateConfig(
        List.copyOf(inputs),
        output,
        model,
        "none".equalsIgnoreCase(clip) ? null : clip,
        background,
        checkDevice(device),
        amg,
        maxImagePixels,
        filesPerShard,
        master,
        Map.copyOf(sparkConf),
        runId,
        !noProgress,
        retryFailed,
        verifyContent);
  }

  private static String checkDevice(String value) {
    try {
      DeviceChoice.parse(value);
      return value;
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static Background parseBackground(String value) {
    return switch (value.toLowerCase(java.util.Locale.ROOT)) {
      case "gray", "grey" -> Background.GRAY;
      case "blur" -> Background.BLUR;
      default -> throw new UsageException(
          "Invalid --clip-background: '" + value + "' (allowed: blur, gray)");
    };
  }

  private AmgParams amgParams() {
    return AmgParams.builder()
        .pointsPerSide(pointsPerSide)
        .pointsPerBatch(pointsPerBatch)
        .predIouThresh(predIouThresh)
        .stabilityScoreThresh(stabilityScoreThresh)
        .stabilityScoreOffset(stabilityScoreOffset)
        .boxNmsThresh(boxNmsThresh)
        .cropNLayers(cropNLayers)
        .cropNmsThresh(cropNmsThresh)
        .cropOverlapRatio(cropOverlapRatio)
        .cropNPointsDownscaleFactor(cropNPointsDownscaleFactor)
        .minMaskRegionArea(minMaskRegionArea)
        .multimaskOutput(multimaskOutput)
        .useM2m(useM2m)
        .build()
        .validate();
  }
}
