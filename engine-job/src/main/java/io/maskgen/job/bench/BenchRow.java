package io.maskgen.job.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of one {@link BenchCase}: means per measured image run, and memory over the case.
 *
 * @param width width of the first image at this size
 * @param height height of the first image at this size
 * @param runs measured image runs (images x repeats)
 * @param masksPerImage masks per image run
 * @param wallSeconds wall time of all measured runs
 * @param stageMillis mean milliseconds per image run of each stage (decode_image, preprocess,
 *     encode, decode_prompts, postprocess, clip, write) and total; stages that run on several
 *     threads are summed over them
 * @param heapPeakMb peak heap use during the case, MiB
 * @param rssPeakMb peak resident set of the process during the case, MiB
 * @param nativeMb resident set minus committed heap at the end of the case, MiB
 */
record BenchRow(
    BenchCase benchCase,
    int width,
    int height,
    int runs,
    double masksPerImage,
    double wallSeconds,
    Map<String, Double> stageMillis,
    double heapPeakMb,
    double rssPeakMb,
    double nativeMb) {

  static final String[] STAGES = {
    "decode_image", "preprocess", "encode", "decode_prompts", "postprocess", "clip", "write"
  };

  double imagesPerSecond() {
    return runs / wallSeconds;
  }

  double masksPerSecond() {
    return runs * masksPerImage / wallSeconds;
  }

  /** Post-processing as a share of the time per image. */
  double postprocessShare() {
    return stageMillis.get("postprocess") / stageMillis.get("total");
  }

  /** The row as ordered columns for the table, CSV and JSON. */
  Map<String, Object> columns() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("megapixels", benchCase.megapixels());
    m.put("size", width + "x" + height);
    m.put("points_per_side", benchCase.pointsPerSide());
    m.put("crop_n_layers", benchCase.cropNLayers());
    m.put("runs", runs);
    m.put("masks_per_image", masksPerImage);
    m.put("images_per_s", imagesPerSecond());
    m.put("masks_per_s", masksPerSecond());
    for (String s : STAGES) {
      m.put(s + "_ms", stageMillis.get(s));
    }
    m.put("total_ms", stageMillis.get("total"));
    m.put("postprocess_share", postprocessShare());
    m.put("heap_peak_mb", heapPeakMb);
    m.put("rss_peak_mb", rssPeakMb);
    m.put("native_mb", nativeMb);
    return m;
  }
}
