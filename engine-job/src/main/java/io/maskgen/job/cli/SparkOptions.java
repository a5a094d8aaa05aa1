package io.maskgen.job.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options of the commands that run a local Spark session over a dataset. */
public final class SparkOptions {

  @Option(
      names = "--master",
      defaultValue = "local[*]",
      paramLabel = "URL",
      description = "Spark master (default: ${DEFAULT-VALUE}).")
  String master;

  @Option(
      names = "--conf",
      paramLabel = "KEY=VALUE",
      description = "A Spark property, e.g. spark.sql.shuffle.partitions=8; repeatable.")
  Map<String, String> conf = new LinkedHashMap<>();

  @Option(
      names = "--verbose",
      description = "Print stack traces of errors and Spark's logs of failed tasks.")
  boolean verbose;
}
