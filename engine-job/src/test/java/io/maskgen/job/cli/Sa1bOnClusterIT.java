package io.maskgen.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskgen.job.Main;
import io.maskgen.job.TestSessions;
import io.maskgen.job.cluster.StandaloneCluster.SubmitResult;
import io.maskgen.job.cluster.StandaloneClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export} and {@code import-sa1b} submitted through spark-submit's main class to a
 * standalone cluster of a master and two workers on loopback: the executors (other JVMs) write the
 * JSON files and read them back, and the round trip keeps every column SA-1B carries.
 */
class Sa1bOnClusterIT {

  @RegisterExtension
  static final StandaloneClusterExtension CLUSTER = new StandaloneClusterExtension(2);

  private static final Path SHARED =
      Path.of(System.getProperty("maskgen.shared.dir", "../../shared"));

  @TempDir Path tmp;

  @Test
  void exportAndImportOnAClusterRoundTrip() throws Exception {
    SparkSession spark = TestSessions.local();
    try {
      TestDataset data = new TestDataset(spark, tmp.resolve("dataset"), SHARED);
      Path exported = tmp.resolve("export");
      Path back = tmp.resolve("back");
      String master = CLUSTER.cluster().masterUrl();

      SubmitResult export =
          submit(
              "export", "--dataset", data.root.toString(), "--output", exported.toString(),
              "--master", master, "--no-progress");
      assertThat(export.output()).contains(": 4 images, " + data.maskCount() + " masks");
      try (Stream<Path> files = Files.walk(exported)) {
        assertThat(files.filter(Files::isRegularFile).count()).isEqualTo(4);
      }

      SubmitResult imported =
          submit(
              "import-sa1b", "--input", exported.toString(), "--output", back.toString(),
              "--master", master, "--files-per-shard", "1", "--no-progress");
      assertThat(imported.output())
          .contains(": 4 images processed (4 ok, 0 failed), 0 skipped, " + data.maskCount() + " masks");

      String[] columns = {
        "image_id", "mask_id", "height", "width", "rle", "bbox", "area", "predicted_iou",
        "stability_score", "point_coords", "crop_box"
      };
      Dataset<Row> before =
          spark.read().parquet(data.root.resolve("masks").toString()).selectExpr(columns);
      Dataset<Row> after = spark.read().parquet(back.resolve("masks").toString()).selectExpr(columns);
      assertThat(after.count()).isEqualTo(data.maskCount());
      assertThat(before.exceptAll(after).count()).isZero();
      assertThat(after.exceptAll(before).count()).isZero();
    } finally {
      spark.stop();
    }
  }

  private static SubmitResult submit(String... args) throws Exception {
    SubmitResult r =
        CLUSTER.cluster().submit(Main.class.getName(), List.of(args), Map.of(),
            Duration.ofMinutes(4));
    assertThat(r.exitCode()).as(() -> "spark-submit output:\n" + r.output()).isZero();
    return r;
  }
}
