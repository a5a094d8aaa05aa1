package io.maskgen.job.query;

import io.maskgen.job.cli.UsageException;
import io.maskgen.job.query.DatasetDir.RunInfo;
import io.maskgen.spark.ClipTextEmbedder;
import io.maskgen.spark.MaskgenFunctions;
import io.maskgen.spark.ModelLocations;
import io.maskgen.spark.TextEmbedder;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * The CLIP model that embeds text queries for a dataset: the one named by {@code --clip-model}, or
 * else the {@code clip} of the dataset's newest run report ({@code _runs/*.json}, newest by {@code
 * started}, then by file name), so that texts land in the space of {@code masks.clip_embedding}.
 */
public final class DatasetClip {

  private DatasetClip() {}

  /**
   * The CLIP package location for {@code dir}.
   *
   * @param override the {@code --clip-model} value, or null
   * @throws UsageException if there is no CLIP model (no run report names one, or the newest run
   *     was made with {@code --clip none}), or if {@code override} is not a shipped model or folder
   */
  public static String location(DatasetDir dir, String override, Configuration conf) {
    if (override != null) {
      try {
        ModelLocations.local(override, conf);
      } catch (IllegalArgumentException | UncheckedIOException e) {
        throw new UsageException("Invalid --clip-model: " + e.getMessage());
      }
      return override;
    }
    List<RunInfo> runs =
        dir.runs(conf).stream().filter(r -> r.problem() == null).toList();
    if (runs.isEmpty()) {
      throw new UsageException(
          "No CLIP model for "
              + dir.root()
              + ": it has no readable run report in _runs/ to name the model its masks were"
              + " embedded with; pass --clip-model NAME|DIR (e.g. tiny-clip)");
    }
    RunInfo newest =
        runs.stream()
            .max(
                Comparator.comparing(
                        (RunInfo r) -> r.started() == null ? "" : r.started())
                    .thenComparing(RunInfo::file))
            .orElseThrow();
    if (newest.clip() == null) {
      throw new UsageException(
          "No CLIP model for "
              + dir.root()
              + ": its newest run ("
              + "_runs/"
              + newest.file()
              + ") was generated without one (--clip none), so its masks have no"
              + " clip_embedding; pass --clip-model NAME|DIR to embed texts anyway");
    }
    return newest.clip();
  }

  /**
   * The {@code clip_text} embedder for {@code dir}: the model of {@link #location}, loaded on first
   * use; or, when there is no model, one that fails with the reason, so that queries without {@code
   * clip_text} still run.
   *
   * @throws UsageException if {@code override} is given and is not a model
   */
  public static TextEmbedder embedder(DatasetDir dir, String override, Configuration conf) {
    String location;
    try {
      location = location(dir, override, conf);
    } catch (UsageException e) {
      if (override != null) {
        throw e;
      }
      String reason = MaskgenFunctions.CLIP_TEXT + ": " + e.getMessage();
      return text -> {
        throw new IllegalStateException(reason);
      };
    }
    return new ClipTextEmbedder(location);
  }
}
