package io.maskgen.job.cli;

import static org.apache.spark.sql.functions.col;

import io.maskgen.image.ImageDecoder;
import io.maskgen.image.RgbImage;
import io.maskgen.job.query.DatasetDir;
import io.maskgen.job.query.ImageSources;
import io.maskgen.job.query.LocalSpark;
import io.maskgen.render.Overlay;
import io.maskgen.schema.DatasetColumns;
import io.maskgen.schema.ImageRecord;
import io.maskgen.schema.rle.Rle;
import io.maskgen.synth.WriteExamples;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code maskgen render}: the masks of one image drawn over it, as a PNG file. */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    versionProvider = MaskgenCommand.Version.class,
    description = {
      "Draws the masks of one image over it and writes a PNG file.",
      "As Segment Anything's notebooks show masks: a colour per mask (the same for a mask id"
          + " every time), larger masks first so that smaller ones stay visible, outlines in the"
          + " mask's colour."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:the file was written",
      "1:the image could not be read or drawn",
      "2:bad options, no dataset at --dataset, or no such image"
    })
public final class RenderCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--dataset", required = true, paramLabel = "DIR", description = "The dataset.")
  String dataset;

  @Option(
      names = "--image",
      required = true,
      paramLabel = "ID",
      description = "The image's image_id.")
  String imageId;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "FILE",
      description = "The PNG file to write.")
  Path output;

  @Option(
      names = "--alpha",
      defaultValue = "0.5",
      paramLabel = "A",
      description = "Opacity of the mask colours, 0..1 (default: ${DEFAULT-VALUE}).")
  double alpha;

  @Option(
      names = "--outline",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Draw each mask's outline (default: on; --no-outline turns it off).")
  boolean outline;

  @Option(
      names = "--outline-width",
      paramLabel = "PX",
      description = "Outline thickness in pixels (default: 1, or 2 for images of 1500 px or more).")
  Integer outlineWidth;

  @Mixin SparkOptions sparkOptions;

  @Option(
      names = "--generator",
      paramLabel = "NAME",
      description = "Show this generator's rows (default: the most recently run one).")
  String generator;

  @Override
  public Integer call() {
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new UsageException("Invalid --alpha: " + alpha + ", expected 0..1");
    }
    if (outlineWidth != null && (outlineWidth < 1 || outlineWidth > 64)) {
      throw new UsageException("Invalid --outline-width: " + outlineWidth + ", expected 1..64");
    }
    DatasetDir dir = DatasetDir.of(dataset).withGenerator(generator);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (LocalSpark local =
        LocalSpark.open(sparkOptions.master, sparkOptions.conf, sparkOptions.verbose)) {
      try {
        SparkSession spark = local.session();
        dir.check(spark.sparkContext().hadoopConfiguration());
        List<Row> found =
            dir.images(spark)
                .where(col(DatasetColumns.IMAGE_ID).equalTo(imageId))
                .select(DatasetColumns.SOURCE, DatasetColumns.STATUS, DatasetColumns.ERROR)
                .collectAsList();
        if (found.isEmpty()) {
          throw new UsageException(
              "Invalid --image: no image '" + imageId + "' in " + dir.root() + "/images");
        }
        Row image = found.get(0);
        if (!ImageRecord.STATUS_OK.equals(image.getString(1))) {
          err.println(
              "maskgen render: image '"
                  + imageId
                  + "' failed during generation and has no masks: "
                  + image.getString(2));
          return 1;
        }
        String source = image.getString(0);
        List<Row> masks =
            dir.masks(spark)
                .where(col(DatasetColumns.IMAGE_ID).equalTo(imageId))
                .select(
                    DatasetColumns.MASK_ID,
                    DatasetColumns.HEIGHT,
                    DatasetColumns.WIDTH,
                    DatasetColumns.RLE)
                .collectAsList();
        RgbImage picture =
            new ImageDecoder()
                .decode(
                    ImageSources.read(source, spark.sparkContext().hadoopConfiguration()), source);
        List<Overlay.Layer> layers = new ArrayList<>();
        for (Row m : masks) {
          Rle rle = Rle.fromCocoString(m.getString(3), m.getInt(1), m.getInt(2));
          layers.add(new Overlay.Layer(rle, Overlay.colour(m.getInt(0))));
        }
        int width =
            !outline
                ? 0
                : outlineWidth != null
                    ? outlineWidth
                    : Overlay.defaultOutlineWidth(picture.width(), picture.height());
        RgbImage drawn = Overlay.draw(picture, layers, alpha, width);
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        ImageIO.write(WriteExamples.toBufferedImage(drawn), "png", output.toFile());
        out.printf(
            "Wrote %s: %d masks over %s (%dx%d)%n",
            output, layers.size(), imageId, picture.width(), picture.height());
        out.flush();
        return 0;
      } catch (UsageException e) {
        throw e;
      } catch (Exception e) {
        return CommandFailures.report("render", e, sparkOptions.verbose, out, err);
      }
    }
  }
}
