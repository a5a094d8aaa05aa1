package io.maskgen.job.cluster;

import io.maskgen.job.cli.MaskgenCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Throughput on a standalone cluster of one, then two Workers on loopback (one executor of one
 * core each, see {@link StandaloneCluster}): runs {@code maskgen bench --throughput-only} against
 * each cluster with the given bench options and writes the results under {@code OUT/workers-N}.
 * Not a test; a harness (see the README's Performance section for the command):
 *
 * <pre>
 * java -cp TEST_CLASSPATH io.maskgen.job.cluster.ClusterScalingBench OUT [bench options...]
 * </pre>
 */
public final class ClusterScalingBench {

  private ClusterScalingBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: ClusterScalingBench OUT_DIR [maskgen bench options]");
      System.exit(2);
    }
    Path out = Path.of(args[0]).toAbsolutePath();
    Files.createDirectories(out);
    List<String> benchOptions = List.of(args).subList(1, args.length);
    for (int workers = 1; workers <= 2; workers++) {
      try (StandaloneCluster cluster =
          StandaloneCluster.start(Files.createTempDirectory("maskgen-scaling-"), workers)) {
        List<String> cmd = new ArrayList<>();
        cmd.add("bench");
        cmd.addAll(benchOptions);
        cmd.addAll(List.of("--throughput-only", "--masters", cluster.masterUrl()));
        cmd.addAll(List.of("--output", out.resolve("workers-" + workers).toString()));
        for (Map.Entry<String, String> e : cluster.driverConf().entrySet()) {
          cmd.add("--conf");
          cmd.add(e.getKey() + "=" + e.getValue());
        }
        String[] a = cmd.toArray(new String[0]);
        System.err.println("maskgen scaling: " + workers + " worker(s) at " + cluster.masterUrl());
        int code = MaskgenCommand.commandLine(a).execute(a);
        if (code != 0) {
          System.exit(code);
        }
      }
    }
    System.exit(0);
  }
}
