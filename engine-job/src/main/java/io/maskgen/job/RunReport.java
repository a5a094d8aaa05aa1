package io.maskgen.job;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code _runs/<run_id>.json} records about one generation run.
 *
 * @param stageSeconds time per stage, summed over all tasks and threads (CPU-side view), plus the
 *     wall time of the two table writes
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RunReport(
    String runId,
    String started,
    String ended,
    double seconds,
    List<String> inputs,
    String output,
    String model,
    String clip,
    String generator,
    Map<String, Object> parameters,
    long images,
    long imagesOk,
    long imagesFailed,
    long masks,
    int tasks,
    Map<String, Double> stageSeconds,
    String sparkMaster,
    String sparkApplicationId) {

  /** The one line printed when a run ends. */
  public String summaryLine() {
    return String.format(
        Locale.ROOT,
        "maskgen: run %s done in %s: %d images (%d ok, %d failed), %d masks, %.2f images/s -> %s",
        runId,
        Progress.duration(seconds),
        images,
        imagesOk,
        imagesFailed,
        masks,
        seconds > 0 ? images / seconds : 0,
        output);
  }
}
