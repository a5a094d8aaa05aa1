package io.maskgen.job.cli;

import static io.maskgen.job.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.maskgen.image.ImageDecoder;
import io.maskgen.image.RgbImage;
import io.maskgen.job.TestSessions;
import io.maskgen.schema.rle.Rle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The commands a user runs on the real photos of the shared test data: {@code generate} on the
 * folder (shipped models, {@code local[2]}), then {@code render} of each image. The overlay must
 * have the photo's size, change every pixel that a mask covers, and leave the others as they are.
 */
class PhotosRenderIT {

  private static final Path PHOTOS =
      Path.of(System.getProperty("maskgen.shared.dir", "../../shared"), "testdata", "photos");

  @TempDir static Path tmp;
  private static Path dataset;
  private static SparkSession spark;

  @BeforeAll
  static void generate() {
    dataset = tmp.resolve("photos-dataset");
    // Fewer prompt points than the default keep the test short; the path is the same.
    CliRun r =
        run(
            "generate", "--input", PHOTOS.toString(), "--output", dataset.toString(),
            "--master", "local[2]", "--points-per-side", "12", "--run-id", "photos",
            "--no-progress");
    assertThat(r.code()).as(r.err()).isZero();
    spark =
        TestSessions.local();
  }

  @AfterAll
  static void stop() {
    TestSessions.stop(spark);
  }

  @ParameterizedTest
  @ValueSource(strings = {"dog", "groceries", "truck"})
  void renderDrawsTheGeneratedMasksOverThePhoto(String id) throws Exception {
    Path png = tmp.resolve("renders/" + id + ".png");
    CliRun r =
        run(
            "render", "--dataset", dataset.toString(), "--image", id, "--output",
            png.toString(), "--master", "local[2]");
    assertThat(r.code()).as(r.err()).isZero();

    Path photoFile = PHOTOS.resolve(id + ".jpg");
    RgbImage photo =
        new ImageDecoder().decode(Files.readAllBytes(photoFile), photoFile.toString());
    RgbImage drawn = new ImageDecoder().decode(Files.readAllBytes(png), png.toString());
    assertThat(drawn.width()).isEqualTo(photo.width());
    assertThat(drawn.height()).isEqualTo(photo.height());

    List<Row> masks =
        spark
            .read()
            .parquet(dataset.resolve("masks").toString())
            .where(org.apache.spark.sql.functions.col("image_id").equalTo(id))
            .select("rle", "height", "width")
            .collectAsList();
    assertThat(masks).as("masks of %s", id).isNotEmpty();
    assertThat(r.out()).contains(masks.size() + " masks over " + id);
    int w = photo.width();
    int h = photo.height();
    boolean[] covered = new boolean[w * h];
    for (Row m : masks) {
      byte[] pixels = Rle.fromCocoString(m.getString(0), m.getInt(1), m.getInt(2)).decodeRowMajor();
      for (int p = 0; p < pixels.length; p++) {
        covered[p] |= pixels[p] != 0;
      }
    }
    long inside = 0;
    long changedInside = 0;
    byte[] a = photo.rgb();
    byte[] b = drawn.rgb();
    for (int p = 0; p < w * h; p++) {
      boolean same = a[3 * p] == b[3 * p] && a[3 * p + 1] == b[3 * p + 1]
          && a[3 * p + 2] == b[3 * p + 2];
      if (covered[p]) {
        inside++;
        changedInside += same ? 0 : 1;
      } else {
        assertThat(same).as("%s: pixel (%d, %d) outside every mask", id, p % w, p / w).isTrue();
      }
    }
    assertThat(inside).isPositive();
    // Tinting at alpha 0.5 leaves a pixel as it was only where it already has the mask's colour.
    assertThat((double) changedInside / inside).as(id).isGreaterThan(0.95);
  }
}
