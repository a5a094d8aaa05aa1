package io.maskgen.job.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * A tiny Spark application for {@link StandaloneClusterIT}'s spark-submit test: sums 1..1000 over
 * four partitions and writes {@code sum=<sum>} and {@code executors=<distinct executor count>} to
 * the file named by its only argument.
 */
public final class ClusterProbeApp {

  private ClusterProbeApp() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("Usage: ClusterProbeApp <output file>");
    }
    try (SparkSession spark = SparkSession.builder().getOrCreate()) {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      List<String> partitions =
          jsc.parallelize(IntStream.rangeClosed(1, 1000).boxed().toList(), 4)
              .mapPartitions(ClusterProbeApp::sumOnExecutor)
              .collect();
      long sum = partitions.stream().mapToLong(p -> Long.parseLong(p.split(" ")[1])).sum();
      long executors = partitions.stream().map(p -> p.split(" ")[0]).distinct().count();
      Files.write(Path.of(args[0]), List.of("sum=" + sum, "executors=" + executors));
    }
  }

  private static Iterator<String> sumOnExecutor(Iterator<Integer> values) {
    long sum = 0;
    while (values.hasNext()) {
      sum += values.next();
    }
    return List.of(SparkEnv.get().executorId() + " " + sum).iterator();
  }
}
