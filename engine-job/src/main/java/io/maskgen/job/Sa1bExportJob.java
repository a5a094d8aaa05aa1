package io.maskgen.job;

import static org.apache.spark.sql.functions.col;

import io.maskgen.job.cli.UsageException;
import io.maskgen.job.query.DatasetDir;
import io.maskgen.schema.DatasetColumns;
import io.maskgen.schema.ImageRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The {@code export} job: writes one SA-1B JSON per image of a dataset, {@code OUT/<image_id>.json}
 * (an {@code image_id} with {@code /} gives sub-folders). The masks are grouped per image on the
 * executors and each task writes its images' files through the Hadoop file system, so it works the
 * same on a local folder and on {@code s3a://}. Failed images have no masks and are skipped (and
 * counted); the columns SA-1B has no field for ({@code clip_embedding}, {@code generator}, {@code
 * run_id}) are not written.
 */
public final class Sa1bExportJob {

  /**
   * What to export.
   *
   * @param imageIds only these images; all when empty
   * @param overwrite replace an earlier export at {@code output} (only .json files may be there)
   */
  public record Config(
      DatasetDir dataset,
      String output,
      List<String> imageIds,
      boolean overwrite,
      boolean progress) {
    public Config {
      imageIds = List.copyOf(imageIds);
    }
  }

  /**
   * What an export wrote.
   *
   * @param images JSON files written
   * @param masks annotations written
   * @param failedSkipped images with status failed, not exported
   * @param problems images that could not be exported (unsafe id, mask size), with the reason
   */
  public record Result(
      long images,
      long masks,
      long failedSkipped,
      List<String> problems,
      double seconds,
      String output) {

    /** The one line printed when the export ends. */
    public String summaryLine() {
      return String.format(
          Locale.ROOT,
          "maskgen: export done in %s: %d images, %d masks written as SA-1B JSON; %d failed"
              + " images skipped%s -> %s",
          Progress.duration(seconds),
          images,
          masks,
          failedSkipped,
          problems.isEmpty() ? "" : ", " + problems.size() + " images not exported",
          output);
    }
  }

  private final Config config;
  private final PrintWriter log;

  public Sa1bExportJob(Config config, PrintWriter log) {
    this.config = config;
    this.log = log;
  }

  /** Runs the export on {@code spark} (which stays open). */
  public Result run(SparkSession spark) {
    long t0 = System.nanoTime();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    config.dataset().check(hadoop);
    Path out = new Path(config.output());
    prepareOutput(hadoop, out, config.overwrite());

    Dataset<Row> images = config.dataset().images(spark);
    Dataset<Row> masks = config.dataset().masks(spark);
    if (!config.imageIds().isEmpty()) {
      Column wanted = col(DatasetColumns.IMAGE_ID).isin(config.imageIds().toArray());
      images = images.where(wanted);
      masks = masks.where(wanted);
      checkAllFound(images);
    }
    long ok = 0;
    long failed = 0;
    for (Row r : images.groupBy(DatasetColumns.STATUS).count().collectAsList()) {
      if (ImageRecord.STATUS_OK.equals(r.getString(0))) {
        ok = r.getLong(1);
      } else {
        failed += r.getLong(1);
      }
    }

    // One row per ok image with its masks as an array; files are written where the rows are.
    Dataset<Row> grouped =
        masks
            .groupBy(DatasetColumns.IMAGE_ID)
            .agg(
                functions
                    .collect_list(
                        functions.struct(
                            col(DatasetColumns.MASK_ID),
                            col(DatasetColumns.HEIGHT),
                            col(DatasetColumns.WIDTH),
                            col(DatasetColumns.RLE),
                            col(DatasetColumns.BBOX),
                            col(DatasetColumns.AREA),
                            col(DatasetColumns.PREDICTED_IOU),
                            col(DatasetColumns.STABILITY_SCORE),
                            col(DatasetColumns.POINT_COORDS),
                            col(DatasetColumns.CROP_BOX)))
                    .as(Sa1bExportFunction.MASKS));
    Dataset<Row> rows =
        images
            .where(col(DatasetColumns.STATUS).equalTo(ImageRecord.STATUS_OK))
            .select(
                DatasetColumns.IMAGE_ID,
                DatasetColumns.WIDTH,
                DatasetColumns.HEIGHT,
                DatasetColumns.SOURCE)
            .join(grouped, scala.jdk.javaapi.CollectionConverters.asScala(
                    List.of(DatasetColumns.IMAGE_ID)).toSeq(), "left_outer");

    JobMetrics metrics = new JobMetrics(spark.sparkContext());
    JobMetrics.LIVE_IMAGES.set(0);
    JobMetrics.LIVE_MASKS.set(0);
    boolean local = spark.sparkContext().isLocal();
    Progress progress =
        new Progress(
            line -> {
              log.println(line);
              log.flush();
            },
            ok,
            0,
            () -> local ? JobMetrics.LIVE_IMAGES.get() : metrics.imagesOk.value(),
            () -> local ? JobMetrics.LIVE_MASKS.get() : metrics.masks.value(),
            () -> metrics.shards.value(),
            5000);
    if (config.progress()) {
      progress.start();
    }
    List<String> problems = new ArrayList<>();
    try {
      spark.sparkContext().setJobDescription("maskgen export: SA-1B JSON files");
      Sa1bExportFunction write =
          new Sa1bExportFunction(
              out.getFileSystem(hadoop).makeQualified(out).toString(),
              new SerializableHadoopConf(hadoop),
              metrics);
      for (List<String> p : rows.javaRDD().mapPartitions(write).collect()) {
        problems.addAll(p);
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot use --output " + out + ": " + e.getMessage(), e);
    } finally {
      progress.close();
      spark.sparkContext().setJobDescription(null);
    }
    return new Result(
        metrics.imagesOk.value(),
        metrics.masks.value(),
        failed,
        problems,
        (System.nanoTime() - t0) / 1e9,
        config.output());
  }

  private void checkAllFound(Dataset<Row> images) {
    Set<String> found = new LinkedHashSet<>();
    for (Row r : images.select(DatasetColumns.IMAGE_ID).collectAsList()) {
      found.add(r.getString(0));
    }
    List<String> missing = new ArrayList<>();
    for (String id : config.imageIds()) {
      if (!found.contains(id)) {
        missing.add(id);
      }
    }
    if (!missing.isEmpty()) {
      throw new UsageException(
          "Invalid --image: no image "
              + String.join(", ", missing.subList(0, Math.min(5, missing.size())))
              + (missing.size() > 5 ? " (and " + (missing.size() - 5) + " more)" : "")
              + " in "
              + config.dataset().root()
              + "/images");
    }
  }

  /**
   * Checks that {@code out} is missing or empty; with {@code overwrite}, empties a folder that
   * holds nothing but .json files (an earlier export), and refuses anything else so that a wrong
   * {@code --output} never deletes other data.
   */
  static void prepareOutput(Configuration hadoop, Path out, boolean overwrite) {
    try {
      FileSystem fs = out.getFileSystem(hadoop);
      FileStatus status;
      try {
        status = fs.getFileStatus(out);
      } catch (java.io.FileNotFoundException e) {
        return;
      }
      if (!status.isDirectory()) {
        throw new UsageException("Invalid --output: " + out + " is a file, expected a folder");
      }
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(out, true);
      if (!files.hasNext() && fs.listStatus(out).length == 0) {
        return;
      }
      if (!overwrite) {
        throw new UsageException(
            "Output "
                + out
                + " is not empty; choose another --output, or add --overwrite to replace an"
                + " earlier export there");
      }
      while (files.hasNext()) {
        Path f = files.next().getPath();
        if (!f.getName().endsWith(".json")) {
          throw new UsageException(
              "Refusing to --overwrite "
                  + out
                  + ": it holds "
                  + f
                  + ", which is not an SA-1B .json file (an export folder holds only .json"
                  + " files)");
        }
      }
      if (!fs.delete(out, true)) {
        throw new UsageException("Cannot empty --output " + out);
      }
    } catch (IOException e) {
      throw new UsageException("Cannot use --output " + out + ": " + e.getMessage());
    }
  }
}
