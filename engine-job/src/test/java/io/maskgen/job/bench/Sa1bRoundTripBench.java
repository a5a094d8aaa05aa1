package io.maskgen.job.bench;

import io.maskgen.job.cli.MaskgenCommand;
import io.maskgen.schema.ImageRecord;
import io.maskgen.schema.MaskRecord;
import io.maskgen.schema.rle.Rle;
import io.maskgen.spark.SparkSchemas;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Times {@code export} and {@code import-sa1b} on a synthetic dataset: IMAGES images of HxW pixels
 * with MASKS elliptical masks each, on local Spark. Usage: {@code Sa1bRoundTripBench IMAGES MASKS H
 * W MASTER}. Prints the commands' summary lines and images/s and masks/s of each step.
 */
public final class Sa1bRoundTripBench {

  private Sa1bRoundTripBench() {}

  public static void main(String[] args) throws Exception {
    int images = Integer.parseInt(args[0]);
    int masksPer = Integer.parseInt(args[1]);
    int h = Integer.parseInt(args[2]);
    int w = Integer.parseInt(args[3]);
    String master = args[4];
    Path root = Files.createTempDirectory("sa1b-bench");
    SparkSession spark =
        SparkSession.builder()
            .master(master)
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    SplittableRandom rnd = new SplittableRandom(7);
    List<Row> imageRows = new ArrayList<>();
    List<Row> maskRows = new ArrayList<>();
    byte[] mask = new byte[h * w];
    for (int i = 0; i < images; i++) {
      String id = "shard_" + (i / 100) + "/sa_" + i;
      for (int m = 0; m < masksPer; m++) {
        java.util.Arrays.fill(mask, (byte) 0);
        double cx = rnd.nextDouble() * w;
        double cy = rnd.nextDouble() * h;
        double rx = 5 + rnd.nextDouble() * w / 4;
        double ry = 5 + rnd.nextDouble() * h / 4;
        for (int y = Math.max(0, (int) (cy - ry)); y < Math.min(h, (int) (cy + ry) + 1); y++) {
          for (int x = Math.max(0, (int) (cx - rx)); x < Math.min(w, (int) (cx + rx) + 1); x++) {
            double u = (x + 0.5 - cx) / rx;
            double v = (y + 0.5 - cy) / ry;
            if (u * u + v * v <= 1) {
              mask[y * w + x] = 1;
            }
          }
        }
        Rle rle = Rle.encodeRowMajor(mask, h, w);
        double[] box = rle.bboxXywh();
        maskRows.add(
            SparkSchemas.maskRow(
                MaskRecord.of(
                    id, m, rle, (float) (0.88 + 0.12 * rnd.nextDouble()),
                    (float) (0.95 + 0.05 * rnd.nextDouble()),
                    new double[][] {{box[0] + box[2] / 2, box[1] + box[3] / 2}},
                    new int[] {0, 0, w, h}, null, "bench", "bench")));
      }
      imageRows.add(
          SparkSchemas.imageRow(
              ImageRecord.ok(id, "file:/data/" + id + ".jpg", "0".repeat(64), w, h, masksPer,
                  "bench", "bench", 1.0)));
    }
    Path dataset = root.resolve("dataset");
    spark.createDataFrame(imageRows, SparkSchemas.images()).write()
        .parquet(dataset.resolve("images").toString());
    spark.createDataFrame(maskRows, SparkSchemas.masks()).repartition(4).write()
        .parquet(dataset.resolve("masks").toString());
    long total = (long) images * masksPer;
    System.out.printf(Locale.ROOT, "dataset: %d images x %d masks of %dx%d in %s%n",
        images, masksPer, h, w, dataset);

    long t0 = System.nanoTime();
    int code = MaskgenCommand.commandLine().execute("export", "--dataset", dataset.toString(),
        "--output", root.resolve("export").toString(), "--no-progress", "--master", master);
    double export = (System.nanoTime() - t0) / 1e9;
    t0 = System.nanoTime();
    int code2 = MaskgenCommand.commandLine().execute("import-sa1b", "--input",
        root.resolve("export").toString(), "--output", root.resolve("back").toString(),
        "--no-progress", "--master", master);
    double imp = (System.nanoTime() - t0) / 1e9;
    long back = spark.read().parquet(root.resolve("back/masks").toString()).count();
    System.out.printf(Locale.ROOT,
        "export: exit %d, %.1f s, %.0f images/s, %.0f masks/s%n"
            + "import-sa1b: exit %d, %.1f s, %.0f images/s, %.0f masks/s (%d masks back)%n",
        code, export, images / export, total / export, code2, imp, images / imp, total / imp,
        back);
    spark.stop();
  }
}
