package io.maskgen.job.query;

import io.maskgen.job.query.DatasetDir.RunInfo;
import io.maskgen.schema.DatasetColumns;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What {@code maskgen inspect} shows about a dataset: image and mask counts, masks per image, the
 * distributions of mask area, predicted IoU and stability score, failed images grouped by reason,
 * and the runs. Computed with Spark SQL on the {@code images} and {@code masks} views.
 *
 * @param root the dataset folder
 * @param images rows of {@code images}
 * @param imagesOk images with status ok
 * @param masks rows of {@code masks}
 * @param maskCountSum sum of {@code images.mask_count}; equals {@code masks} in a consistent
 *     dataset
 * @param perImage masks per ok image, or null when there is none
 * @param area histogram of {@code masks.area}, bins [1, 2), [2, 5), [5, 10), [10, 20), ...
 * @param predictedIou histogram of {@code masks.predicted_iou}, equal-width bins
 * @param stabilityScore histogram of {@code masks.stability_score}, equal-width bins
 * @param failures failed images grouped by {@link FailureReasons#key}, most frequent first
 * @param runs the runs, from {@code _runs/*.json} and the tables
 */
public record DatasetReport(
    String root,
    long images,
    long imagesOk,
    long masks,
    long maskCountSum,
    PerImage perImage,
    List<Bin> area,
    List<Bin> predictedIou,
    List<Bin> stabilityScore,
    List<FailureGroup> failures,
    List<RunRow> runs) {

  /** Width of the longest histogram bar, in characters. */
  static final int BAR = 40;

  /** Tolerance at bin edges, in bin widths. */
  private static final double EDGE = 1e-4;

  /** Failure groups listed; the rest are summed in one line. */
  static final int MAX_FAILURE_GROUPS = 20;

  /** Masks per image: min, median, mean, max. */
  public record PerImage(long min, double median, double mean, long max) {}

  /** One histogram bin: values in [low, high). */
  public record Bin(String low, String high, long count) {}

  /** Failed images with one reason, and one full error as an example. */
  public record FailureGroup(String reason, long count, String example) {}

  /**
   * One run; values from its {@code _runs} file, or counted in the tables when the file lacks them.
   * Null where neither knows.
   */
  public record RunRow(String runId, String started, Long images, Long masks, String generator) {}

  /** Computes the report; the views {@code images} and {@code masks} must be registered. */
  public static DatasetReport compute(SparkSession spark, DatasetDir dir) {
    Row counts =
        spark
            .sql(
                "SELECT count(*), count_if(status = 'ok'), coalesce(sum(mask_count), 0),"
                    + " min(IF(status = 'ok', mask_count, NULL)),"
                    + " percentile(IF(status = 'ok', mask_count, NULL), 0.5),"
                    + " avg(IF(status = 'ok', mask_count, NULL)),"
                    + " max(IF(status = 'ok', mask_count, NULL)) FROM images")
            .first();
    long images = counts.getLong(0);
    long ok = counts.getLong(1);
    PerImage perImage =
        counts.isNullAt(3)
            ? null
            : new PerImage(
                counts.getInt(3), counts.getDouble(4), counts.getDouble(5), counts.getInt(6));
    Row m =
        spark
            .sql(
                "SELECT count(*), min(predicted_iou), max(predicted_iou), min(stability_score),"
                    + " max(stability_score) FROM masks")
            .first();
    long masks = m.getLong(0);
    List<Bin> area = masks == 0 ? List.of() : areaHistogram(spark);
    List<Bin> iou =
        masks == 0
            ? List.of()
            : linearHistogram(spark, "predicted_iou", m.getFloat(1), m.getFloat(2));
    List<Bin> stability =
        masks == 0
            ? List.of()
            : linearHistogram(spark, "stability_score", m.getFloat(3), m.getFloat(4));
    return new DatasetReport(
        dir.root(),
        images,
        ok,
        masks,
        counts.getLong(2),
        perImage,
        area,
        iou,
        stability,
        failures(spark),
        runs(spark, dir));
  }

  /** Bins of 1-2-5 steps per decade, from the smallest area's bin to the largest's. */
  private static List<Bin> areaHistogram(SparkSession spark) {
    TreeMap<Integer, Long> counts = new TreeMap<>();
    List<Row> rows =
        spark
            .sql(
                "SELECT bin, count(*) FROM (SELECT CASE WHEN area <= 0 THEN -1 ELSE"
                    + " CAST(3 * floor(log10(area)) + CASE"
                    + " WHEN area / pow(10, floor(log10(area))) < 2 THEN 0"
                    + " WHEN area / pow(10, floor(log10(area))) < 5 THEN 1 ELSE 2 END AS INT)"
                    + " END AS bin FROM masks) GROUP BY bin")
            .collectAsList();
    for (Row r : rows) {
      counts.put(r.getInt(0), r.getLong(1));
    }
    List<Bin> bins = new ArrayList<>();
    if (counts.containsKey(-1)) {
      bins.add(new Bin("0", "1", counts.remove(-1)));
    }
    if (!counts.isEmpty()) {
      int[] steps = {1, 2, 5, 10};
      for (int b = counts.firstKey(); b <= counts.lastKey(); b++) {
        long scale = (long) Math.pow(10, b / 3);
        bins.add(
            new Bin(
                String.format(Locale.ROOT, "%,d", steps[b % 3] * scale),
                String.format(Locale.ROOT, "%,d", steps[b % 3 + 1] * scale),
                counts.getOrDefault(b, 0L)));
      }
    }
    return bins;
  }

  /** Equal bins of a round width (1, 2 or 5 times a power of ten), at most 12 of them. */
  private static List<Bin> linearHistogram(
      SparkSession spark, String column, float min, float max) {
    double width = niceWidth(min, max);
    // Floats are a hair off their decimal value (0.88f < 0.88): a small tolerance keeps a value
    // on a bin edge in the bin above it.
    double low = Math.floor(min / width + EDGE) * width;
    int decimals = Math.max(0, (int) Math.ceil(-Math.log10(width) - 1e-9));
    Map<Integer, Long> counts = new TreeMap<>();
    List<Row> rows =
        spark
            .sql(
                String.format(
                    Locale.ROOT,
                    "SELECT bin, count(*) FROM (SELECT greatest(0, CAST(floor((CAST(%s AS DOUBLE)"
                        + " - %s) / %s + %s) AS INT)) AS bin FROM masks WHERE NOT isnan(%s))"
                        + " GROUP BY bin",
                    column,
                    Double.toString(low),
                    Double.toString(width),
                    Double.toString(EDGE),
                    column))
            .collectAsList();
    int last = 0;
    for (Row r : rows) {
      counts.put(r.getInt(0), r.getLong(1));
      last = Math.max(last, r.getInt(0));
    }
    List<Bin> bins = new ArrayList<>();
    for (int b = 0; b <= last; b++) {
      bins.add(
          new Bin(
              String.format(Locale.ROOT, "%." + decimals + "f", low + b * width),
              String.format(Locale.ROOT, "%." + decimals + "f", low + (b + 1) * width),
              counts.getOrDefault(b, 0L)));
    }
    return bins;
  }

  /** The smallest width of 1, 2 or 5 times a power of ten that covers [min, max] in 12 bins. */
  static double niceWidth(double min, double max) {
    for (int exp = -4; exp <= 12; exp++) {
      for (int step : new int[] {1, 2, 5}) {
        double w = step * Math.pow(10, exp);
        double low = Math.floor(min / w + EDGE) * w;
        int bins = (int) Math.floor((max - low) / w + EDGE) + 1;
        // A single value gets one bin about a hundredth of its size wide.
        if (max == min ? w >= Math.abs(max) / 100 : bins <= 12) {
          return w;
        }
      }
    }
    return Math.pow(10, 13);
  }

  private static List<FailureGroup> failures(SparkSession spark) {
    Map<String, long[]> counts = new LinkedHashMap<>();
    Map<String, String> examples = new LinkedHashMap<>();
    List<Row> rows =
        spark
            .sql(
                "SELECT error, count(*) FROM images WHERE status = 'failed' GROUP BY error"
                    + " ORDER BY error")
            .collectAsList();
    for (Row r : rows) {
      String error = r.isNullAt(0) ? "" : r.getString(0);
      String key = FailureReasons.key(error);
      counts.computeIfAbsent(key, k -> new long[1])[0] += r.getLong(1);
      examples.putIfAbsent(key, error);
    }
    List<FailureGroup> groups = new ArrayList<>();
    counts.forEach((k, c) -> groups.add(new FailureGroup(k, c[0], examples.get(k))));
    groups.sort(
        Comparator.comparingLong(FailureGroup::count)
            .reversed()
            .thenComparing(FailureGroup::reason));
    return groups;
  }

  private static List<RunRow> runs(SparkSession spark, DatasetDir dir) {
    Map<String, RunRow> fromTables = new LinkedHashMap<>();
    for (Row r :
        spark
            .sql(
                "SELECT run_id, count(*), sum(mask_count), min(generator) FROM images"
                    + " GROUP BY run_id ORDER BY run_id")
            .collectAsList()) {
      fromTables.put(
          r.getString(0),
          new RunRow(r.getString(0), null, r.getLong(1), r.getLong(2), r.getString(3)));
    }
    List<RunRow> runs = new ArrayList<>();
    for (RunInfo f : dir.runs(spark.sparkContext().hadoopConfiguration())) {
      if (f.problem() != null) {
        runs.add(new RunRow(f.file(), "(unreadable: " + f.problem() + ")", null, null, null));
        continue;
      }
      RunRow t = f.runId() == null ? null : fromTables.remove(f.runId());
      runs.add(
          new RunRow(
              f.runId() == null ? f.file() : f.runId(),
              f.started(),
              f.images() != null ? f.images() : t == null ? null : t.images(),
              f.masks() != null ? f.masks() : t == null ? null : t.masks(),
              f.generator() != null ? f.generator() : t == null ? null : t.generator()));
    }
    // Runs that wrote rows but have no file.
    runs.addAll(fromTables.values());
    return runs;
  }

  /** The report as text for a terminal. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    sb.append("Dataset ").append(root).append("\n\n");
    sb.append(
        String.format(
            Locale.ROOT,
            "images  %,d (%,d ok, %,d failed)%nmasks   %,d%n",
            images,
            imagesOk,
            images - imagesOk,
            masks));
    if (maskCountSum != masks) {
      sb.append(
          String.format(
              Locale.ROOT,
              "        (the images table counts %,d masks: the tables disagree)%n",
              maskCountSum));
    }
    if (perImage != null) {
      sb.append(
          String.format(
              Locale.ROOT,
              "masks per image (ok images): min %,d, median %s, mean %.1f, max %,d%n",
              perImage.min(),
              number(perImage.median()),
              perImage.mean(),
              perImage.max()));
    }
    histogram(sb, "area (pixels)", area);
    histogram(sb, DatasetColumns.PREDICTED_IOU, predictedIou);
    histogram(sb, DatasetColumns.STABILITY_SCORE, stabilityScore);

    sb.append(String.format("%nfailed images by reason%n"));
    if (failures.isEmpty()) {
      sb.append("  none\n");
    }
    long others = 0;
    int otherGroups = 0;
    int countWidth =
        failures.isEmpty()
            ? 1
            : String.format(Locale.ROOT, "%,d", failures.get(0).count()).length();
    int reasonWidth = 1;
    for (int i = 0; i < Math.min(failures.size(), MAX_FAILURE_GROUPS); i++) {
      reasonWidth = Math.max(reasonWidth, failures.get(i).reason().length());
    }
    for (int i = 0; i < failures.size(); i++) {
      FailureGroup g = failures.get(i);
      if (i >= MAX_FAILURE_GROUPS) {
        others += g.count();
        otherGroups++;
        continue;
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "  %," + countWidth + "d  %-" + reasonWidth + "s  e.g. %s%n",
              g.count(),
              g.reason(),
              ResultPrinter.shorten(ResultPrinter.text(g.example()), 100)));
    }
    if (otherGroups > 0) {
      sb.append(String.format(Locale.ROOT, "  %,d  in %d other groups%n", others, otherGroups));
    }

    sb.append(String.format("%nruns%n"));
    if (runs.isEmpty()) {
      sb.append("  none\n");
    } else {
      List<String[]> cells = new ArrayList<>();
      cells.add(new String[] {"run_id", "started", "images", "masks", "generator"});
      for (RunRow r : runs) {
        cells.add(
            new String[] {
              r.runId(),
              r.started() == null ? "-" : r.started(),
              r.images() == null ? "-" : String.format(Locale.ROOT, "%,d", r.images()),
              r.masks() == null ? "-" : String.format(Locale.ROOT, "%,d", r.masks()),
              r.generator() == null ? "-" : r.generator()
            });
      }
      int[] w = new int[5];
      for (String[] c : cells) {
        for (int i = 0; i < 5; i++) {
          w[i] = Math.max(w[i], c[i].length());
        }
      }
      for (String[] c : cells) {
        sb.append(
            String.format(
                "  %-" + w[0] + "s  %-" + w[1] + "s  %" + w[2] + "s  %" + w[3] + "s  %s%n",
                (Object[]) c));
      }
    }
    return sb.toString();
  }

  private static void histogram(StringBuilder sb, String title, List<Bin> bins) {
    sb.append(String.format("%n%s%n", title));
    if (bins.isEmpty()) {
      sb.append("  no masks\n");
      return;
    }
    long max = 0;
    int lw = 0;
    int hw = 0;
    int cw = 0;
    for (Bin b : bins) {
      max = Math.max(max, b.count());
      lw = Math.max(lw, b.low().length());
      hw = Math.max(hw, b.high().length());
      cw = Math.max(cw, String.format(Locale.ROOT, "%,d", b.count()).length());
    }
    for (Bin b : bins) {
      int len = (int) Math.round((double) BAR * b.count() / max);
      if (b.count() > 0 && len == 0) {
        len = 1;
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "  %" + lw + "s .. %-" + hw + "s |%-" + BAR + "s| %," + cw + "d%n",
              b.low(),
              b.high(),
              "#".repeat(len),
              b.count()));
    }
  }

  private static String number(double v) {
    return v == Math.rint(v)
        ? String.format(Locale.ROOT, "%,d", (long) v)
        : String.format(Locale.ROOT, "%.1f", v);
  }
}
