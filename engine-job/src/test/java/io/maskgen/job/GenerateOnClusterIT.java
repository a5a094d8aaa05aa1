package io.maskgen.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskgen.job.cluster.StandaloneCluster.SubmitResult;
import io.maskgen.job.cluster.StandaloneClusterExtension;
import io.maskgen.job.query.DatasetDir;
import io.maskgen.job.table.DeltaSessions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generation job submitted through spark-submit's main class to a standalone cluster of a
 * master and two workers on loopback gives the same tables as the same job on local Spark.
 */
class GenerateOnClusterIT {

  @RegisterExtension
  static final StandaloneClusterExtension CLUSTER = new StandaloneClusterExtension(2);

  @TempDir Path tmp;

  @Test
  void clusterRunThroughSparkSubmitEqualsLocalRun() throws Exception {
    Path in = tmp.resolve("in");
    new TestInputs().write(in);
    Path clusterOut = tmp.resolve("cluster");
    Path localOut = tmp.resolve("local");

    SubmitResult result =
        CLUSTER
            .cluster()
            .submit(
                Main.class.getName(),
                List.of(
                    "generate", "--input", in.toString(), "--output", clusterOut.toString(),
                    "--points-per-side", "16", "--device", "cpu", "--run-id", "cluster",
                    "--no-progress", "--files-per-shard", "2"),
                Map.of(),
                Duration.ofMinutes(6));
    assertThat(result.exitCode()).as(() -> "spark-submit output:\n" + result.output()).isZero();
    assertThat(result.output()).contains("maskgen: run cluster done");

    SparkSession spark =
        DeltaSessions.configure(SparkSession.builder())
            .master("local[2]")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    try {
      new GenerateJob(
              GenerateJobIT.config(List.of(in.toString()), localOut.toString(), "tiny-sam"))
          .run(spark);
      for (String table : List.of("images", "masks")) {
        Set<String> local = rows(spark, localOut, table);
        Set<String> cluster = rows(spark, clusterOut, table);
        assertThat(cluster).as(table).isNotEmpty().isEqualTo(local);
      }
    } finally {
      spark.stop();
    }
  }

  /** Every row as text, without the columns that differ between runs (run id, timings). */
  static Set<String> rows(SparkSession spark, Path dataset, String table) {
    DatasetDir dir = DatasetDir.of(dataset.toString());
    List<Row> rows =
        (table.equals("images") ? dir.images(spark) : dir.masks(spark))
            .drop("run_id", "seconds")
            .collectAsList();
    Set<String> out = rows.stream().map(Row::toString).collect(Collectors.toSet());
    assertThat(out).as("duplicate rows in " + dataset + "/" + table).hasSize(rows.size());
    return out;
  }
}
