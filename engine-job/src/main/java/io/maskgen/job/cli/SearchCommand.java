package io.maskgen.job.cli;

import static org.apache.spark.sql.functions.col;

import io.maskgen.image.ImageDecoder;
import io.maskgen.image.RgbImage;
import io.maskgen.job.query.DatasetClip;
import io.maskgen.job.query.DatasetDir;
import io.maskgen.job.query.ImageSources;
import io.maskgen.job.query.LocalSpark;
import io.maskgen.job.query.MaskSearch;
import io.maskgen.job.query.ResultPrinter;
import io.maskgen.job.query.ResultPrinter.Format;
import io.maskgen.render.Overlay;
import io.maskgen.schema.DatasetColumns;
import io.maskgen.schema.ImageRecord;
import io.maskgen.schema.rle.Rle;
import io.maskgen.spark.ClipTextEmbedder;
import io.maskgen.synth.WriteExamples;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code maskgen search}: the masks that best match a text, by their CLIP embeddings. */
@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    versionProvider = MaskgenCommand.Version.class,
    description = {
      "Finds the masks that best match a text: the text is embedded once with the dataset's CLIP"
          + " model and every mask's clip_embedding is scored by cosine similarity; prints the"
          + " best, best first (image_id, mask_id, score, bbox as [x, y, w, h]).",
      "Example: maskgen search --dataset /tmp/maskgen-demo --text red --top 5"
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:the search ran (also when nothing matched)",
      "1:the search or the rendering failed",
      "2:bad options, no dataset at --dataset, no such image, or no CLIP model or embeddings"
    })
public final class SearchCommand implements Callable<Integer> {

  /** Most hits one search returns. */
  static final int MAX_TOP = 100_000;

  /** Most hits drawn by --render. */
  static final int MAX_RENDER = 1_000;

  @Spec CommandSpec spec;

  @Option(
      names = "--dataset",
      required = true,
      paramLabel = "DIR",
      description = "The dataset folder (images/, masks/, _runs/), a local path or a Hadoop URI.")
  String dataset;

  @Option(
      names = "--text",
      required = true,
      paramLabel = "TEXT",
      description = "What to look for, e.g. \"a wheel\" (quote several words).")
  String text;

  @Option(
      names = "--top",
      defaultValue = "10",
      paramLabel = "K",
      description = "How many masks to print, best first (default: ${DEFAULT-VALUE}).")
  int top;

  @Option(
      names = "--image",
      paramLabel = "ID",
      description = "Search only the masks of this image (its image_id); default: all images.")
  String imageId;

  @Option(
      names = "--min-score",
      paramLabel = "F",
      description = "Only masks whose cosine score is at least F (-1..1); default: no limit.")
  Double minScore;

  @Option(
      names = "--format",
      defaultValue = "table",
      paramLabel = "FORMAT",
      description = "table, csv or json (JSON lines); default: ${DEFAULT-VALUE}.")
  Format format;

  @Option(
      names = "--render",
      paramLabel = "OUT.png",
      description = {
        "Also draw the found masks over their images as PNG: OUT.png when they are all in one"
            + " image; otherwise one file per image, OUT-<rank>-<image_id>.png (rank of the"
            + " image's best mask; '/' and other odd characters of the id become '_').",
        "Each file shows only that image's found masks (at most " + MAX_RENDER + ")."
      })
  Path render;

  @Option(
      names = "--clip-model",
      paramLabel = "NAME|DIR",
      description =
          "The CLIP model that embeds the text: a shipped name (tiny-clip), a folder or a"
              + " Hadoop URI; default: the model of the dataset's newest run (_runs/*.json).")
  String clipModel;

  @Option(
      names = "--generator",
      paramLabel = "NAME",
      description = "Use this generator's rows (default: the most recently run one).")
  String generator;

  @Mixin SparkOptions sparkOptions;

  @Override
  public Integer call() {
    if (top < 1 || top > MAX_TOP) {
      throw new UsageException("Invalid --top: " + top + ", expected 1.." + MAX_TOP);
    }
    if (minScore != null && !(minScore >= -1 && minScore <= 1)) {
      throw new UsageException("Invalid --min-score: " + minScore + ", expected -1..1");
    }
    if (text.isBlank()) {
      throw new UsageException("Invalid --text: it is empty");
    }
    if (render != null && !render.getFileName().toString().toLowerCase().endsWith(".png")) {
      throw new UsageException("Invalid --render: " + render + ", expected a file name ending in .png");
    }
    DatasetDir dir = DatasetDir.of(dataset).withGenerator(generator);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (LocalSpark local =
        LocalSpark.open(sparkOptions.master, sparkOptions.conf, sparkOptions.verbose)) {
      try {
        SparkSession spark = local.session();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        dir.check(hadoop);
        String location = DatasetClip.location(dir, clipModel, hadoop);
        if (imageId != null) {
          checkImage(spark, dir);
        }
        float[] query = embed(location);
        MaskSearch.Result result =
            MaskSearch.search(dir.masks(spark), query, top, imageId, minScore);
        if (result.scanned() > 0 && result.embedded() == 0) {
          throw new UsageException(
              "No CLIP embeddings in "
                  + dir.root()
                  + "/masks"
                  + (imageId == null ? "" : " for image '" + imageId + "'")
                  + ": clip_embedding is null in all "
                  + result.scanned()
                  + " masks (generated with --clip none?)");
        }
        print(result.hits(), out);
        if (render != null && !result.hits().isEmpty()) {
          render(spark, dir, result.hits(), out);
        } else if (render != null) {
          err.println("maskgen search: nothing found, so nothing rendered");
        }
        out.flush();
        err.flush();
        return 0;
      } catch (UsageException e) {
        throw e;
      } catch (Exception e) {
        return CommandFailures.report("search", e, sparkOptions.verbose, out, err);
      }
    }
  }

  private float[] embed(String location) {
    try {
      return new ClipTextEmbedder(location).embed(text);
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      throw new UsageException(
          (clipModel != null ? "Invalid --clip-model: " : "Cannot load the dataset's CLIP model '"
                  + location + "' (from its newest run report; pass --clip-model NAME|DIR): ")
              + e.getMessage());
    }
  }

  private void checkImage(SparkSession spark, DatasetDir dir) {
    List<Row> found =
        dir.images(spark)
            .where(col(DatasetColumns.IMAGE_ID).equalTo(imageId))
            .select(DatasetColumns.STATUS, DatasetColumns.ERROR)
            .collectAsList();
    if (found.isEmpty()) {
      throw new UsageException(
          "Invalid --image: no image '" + imageId + "' in " + dir.root() + "/images");
    }
    if (!ImageRecord.STATUS_OK.equals(found.get(0).getString(0))) {
      throw new UsageException(
          "Invalid --image: image '"
              + imageId
              + "' failed during generation and has no masks: "
              + found.get(0).getString(1));
    }
  }

  private static final StructType COLUMNS =
      new StructType()
          .add(DatasetColumns.IMAGE_ID, DataTypes.StringType)
          .add(DatasetColumns.MASK_ID, DataTypes.IntegerType)
          .add("score", DataTypes.DoubleType)
          .add(DatasetColumns.BBOX, DataTypes.createArrayType(DataTypes.DoubleType));

  private void print(List<MaskSearch.Hit> hits, PrintWriter out) {
    List<Row> rows = new ArrayList<>();
    for (MaskSearch.Hit h : hits) {
      List<Double> box = new ArrayList<>();
      if (h.bboxXywh() != null) {
        for (double v : h.bboxXywh()) {
          box.add(v);
        }
      }
      rows.add(
          RowFactory.create(
              h.imageId(),
              h.maskId(),
              h.score(),
              h.bboxXywh() == null
                  ? null
                  : scala.jdk.javaapi.CollectionConverters.asScala(box).toSeq()));
    }
    ResultPrinter.print(COLUMNS, rows.iterator(), format, false, 60, out);
  }

  /** Draws each image's hits; one file, or one per image (see --render). */
  private void render(SparkSession spark, DatasetDir dir, List<MaskSearch.Hit> hits, PrintWriter out)
      throws Exception {
    Map<String, List<MaskSearch.Hit>> byImage = new LinkedHashMap<>();
    for (MaskSearch.Hit h : hits.subList(0, Math.min(hits.size(), MAX_RENDER))) {
      byImage.computeIfAbsent(h.imageId(), k -> new ArrayList<>()).add(h);
    }
    List<String> ids = new ArrayList<>(byImage.keySet());
    Map<String, String> sources = new LinkedHashMap<>();
    for (Row r :
        dir.images(spark)
            .where(col(DatasetColumns.IMAGE_ID).isin(ids.toArray()))
            .select(DatasetColumns.IMAGE_ID, DatasetColumns.SOURCE)
            .collectAsList()) {
      sources.put(r.getString(0), r.getString(1));
    }
    Map<String, Rle> rles = new LinkedHashMap<>();
    for (Row r :
        dir.masks(spark)
            .where(col(DatasetColumns.IMAGE_ID).isin(ids.toArray()))
            .select(
                DatasetColumns.IMAGE_ID,
                DatasetColumns.MASK_ID,
                DatasetColumns.HEIGHT,
                DatasetColumns.WIDTH,
                DatasetColumns.RLE)
            .collectAsList()) {
      String key = r.getString(0) + "\u0000" + r.getInt(1);
      rles.put(key, Rle.fromCocoString(r.getString(4), r.getInt(2), r.getInt(3)));
    }
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      String source = sources.get(id);
      if (source == null) {
        throw new IllegalStateException("image '" + id + "' has masks but no row in images");
      }
      RgbImage picture = new ImageDecoder().decode(ImageSources.read(source, hadoop), source);
      List<Overlay.Layer> layers = new ArrayList<>();
      for (MaskSearch.Hit h : byImage.get(id)) {
        Rle rle = rles.get(h.imageId() + "\u0000" + h.maskId());
        layers.add(new Overlay.Layer(rle, Overlay.colour(h.maskId())));
      }
      RgbImage drawn =
          Overlay.draw(
              picture,
              layers,
              Overlay.DEFAULT_ALPHA,
              Overlay.defaultOutlineWidth(picture.width(), picture.height()));
      Path file = ids.size() == 1 ? render : renderFile(render, i + 1, id);
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      ImageIO.write(WriteExamples.toBufferedImage(drawn), "png", file.toFile());
      out.printf(
          "Wrote %s: %d found masks over %s (%dx%d)%n",
          file, layers.size(), id, picture.width(), picture.height());
    }
  }

  /** {@code OUT.png} to {@code OUT-<rank>-<image id, odd characters as _>.png}. */
  static Path renderFile(Path render, int rank, String imageId) {
    String name = render.getFileName().toString();
    String stem = name.substring(0, name.length() - ".png".length());
    String safe = imageId.replaceAll("[^A-Za-z0-9._-]", "_");
    return render.resolveSibling(stem + "-" + rank + "-" + safe + ".png");
  }
}
