package io.maskgen.job;

import io.maskgen.amg.AmgParams;
import io.maskgen.clip.MaskCrops.Background;
import java.util.List;
import java.util.Map;

/**
 * Everything a {@code generate} run needs, validated on the driver before Spark starts work.
 *
 * @param inputs the --input arguments, unexpanded
 * @param output dataset folder (local path or s3a://)
 * @param model segmentation model package folder or shipped model name
 * @param clip CLIP package folder or shipped name, or null when CLIP is off
 * @param clipBackground how mask crops hide the outside of the mask
 * @param device the --device choice, e.g. "auto", "gpu:1"
 * @param amg automatic mask generator parameters
 * @param maxImagePixels images over this many pixels fail as too large
 * @param filesPerShard most loose files per task
 * @param master Spark master, or null to use spark-submit's / local[*]
 * @param sparkConf extra Spark settings
 * @param runId the run's name, or null for a generated one
 * @param progress whether to print progress lines
 * @param retryFailed whether a refresh processes again the images that failed before
 * @param verifyContent whether a refresh reads and hashes every input to find what changed,
 *     instead of comparing the files' size and modification time with the dataset's record
 */
public record GenerateConfig(
    List<String> inputs,
    String output,
    String model,
    String clip,
    Background clipBackground,
    String device,
    AmgParams amg,
    long maxImagePixels,
    int filesPerShard,
    String master,
    Map<String, String> sparkConf,
    String runId,
    boolean progress,
    boolean retryFailed,
    boolean verifyContent) {

  /** A configuration whose refreshes trust the files' size and modification time. */
  public GenerateConfig(
      List<String> inputs,
      String output,
      String model,
      String clip,
      Background clipBackground,
      String device,
      AmgParams amg,
      long maxImagePixels,
      int filesPerShard,
      String master,
      Map<String, String> sparkConf,
      String runId,
      boolean progress,
      boolean retryFailed) {
    this(inputs, output, model, clip, clipBackground, device, amg, maxImagePixels, filesPerShard,
        master, sparkConf, runId, progress, retryFailed, false);
  }

  /** This configuration with {@code verifyContent} set. */
  public GenerateConfig withVerifyContent(boolean verify) {
    return new GenerateConfig(inputs, output, model, clip, clipBackground, device, amg,
        maxImagePixels, filesPerShard, master, sparkConf, runId, progress, retryFailed, verify);
  }
}
