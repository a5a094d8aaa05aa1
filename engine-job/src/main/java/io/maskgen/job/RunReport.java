package io.maskgen.job;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code _runs/<run_id>.json} records about one generation run.
 *
 * @param images images processed (ok + failed); skipped ones are not among them
 * @param imagesSkipped images the dataset already held with the same content and generator (found
 *     by the listing or by content)
 * @param retryFailed whether images that had failed before were processed again
 * @param snapshot the number of the dataset's snapshot after the run: a new one when it processed
 *     images, the previous one when there was nothing to do
 * @param stageSeconds time per stage, summed over all tasks and threads (CPU-side view), plus the
 *     wall time of the driver's steps: {@code spark_start_wall} (when the job started Spark),
 *     {@code list_inputs_wall}, {@code resolve_models_wall}, {@code lock_and_check_tables_wall},
 *     {@code refresh_plan_wall} (deciding what to read), {@code generate_and_write_images_wall}
 *     (the tasks) and {@code write_masks_wall} (the table commits and the snapshot)
 * @param refresh how a refresh found what changed; null for runs that are no refresh
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
    long imagesSkipped,
    long masks,
    int tasks,
    boolean retryFailed,
    Long snapshot,
    Map<String, Double> stageSeconds,
    String sparkMaster,
    String sparkApplicationId,
    Refresh refresh) {

  /**
   * How a run found what to skip.
   *
   * @param verifyContent whether every input was read and hashed ({@code --verify-content})
   * @param files files listed: loose images and tar shards
   * @param filesUnchanged files whose size and modification time were those recorded; not opened
   * @param imagesUnread images in {@code filesUnchanged}
   * @param imagesSameContent images read and found with the recorded sha256
   * @param imagesRestamped of those, the ones whose file moved: the new state was recorded
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Refresh(
      boolean verifyContent,
      long files,
      long filesUnchanged,
      long imagesUnread,
      long imagesSameContent,
      long imagesRestamped) {}

  /** The one line printed when a run ends. */
  public String summaryLine() {
    return String.format(
        Locale.ROOT,
        "maskgen: run %s done in %s: %d images processed (%d ok, %d failed), %d skipped,"
            + " %d masks, %.2f images/s -> %s",
        runId,
        Progress.duration(seconds),
        images,
        imagesOk,
        imagesFailed,
        imagesSkipped,
        masks,
        seconds > 0 ? images / seconds : 0,
        output);
  }
}
