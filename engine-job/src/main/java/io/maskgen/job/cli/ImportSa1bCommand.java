package io.maskgen.job.cli;

import io.maskgen.job.RunReport;
import io.maskgen.job.Sa1bImportJob;
import io.maskgen.job.query.LocalSpark;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code maskgen import-sa1b}: SA-1B JSON files in, a dataset (images, masks, _runs) out. */
@Command(
    name = "import-sa1b",
    mixinStandardHelpOptions = true,
    versionProvider = MaskgenCommand.Version.class,
    description = {
      "Reads SA-1B per-image JSON files into the images and masks tables, so that real SA-1B"
          + " annotations can be queried with sql, inspect and render like generated masks.",
      "Inputs: folders (searched recursively for .json, with the images beside them when"
          + " present), single .json files, globs (quote them) and SA-1B tar shards (sa_N.jpg +"
          + " sa_N.json pairs). image_id is the JSON's path relative to its input root (or its"
          + " member path in a tar) without extension. A file that is not valid SA-1B JSON gives"
          + " a failed images row naming it and the cause."
    },
    footer = {
      "",
      "Examples:",
      "  bin/maskgen import-sa1b --input /data/sa1b/sa_000000.tar --output /tmp/sa1b-0",
      "  bin/maskgen import-sa1b --input /tmp/maskgen-sa1b --output /tmp/reimported"
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:the import ran (also when some files failed)",
      "1:the import could not run",
      "2:bad options or inputs, or --output already holds a dataset"
    })
public final class ImportSa1bCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--input",
      required = true,
      arity = "1..*",
      split = ",",
      paramLabel = "PATH",
      description = "Folders, .json files, globs or .tar shards (local or a Hadoop URI).")
  List<String> inputs = new ArrayList<>();

  @Option(
      names = "--output",
      required = true,
      paramLabel = "DIR",
      description = "Dataset folder: images/, masks/ and _runs/ are written there.")
  String output;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description = "Run id of the rows (default: a new one, like 20251126-101500-a1b2).")
  String runId;

  @Option(
      names = "--files-per-shard",
      defaultValue = "256",
      paramLabel = "N",
      description = "Loose JSON files per task at most (default: ${DEFAULT-VALUE}).")
  int filesPerShard;

  @Option(names = "--no-progress", description = "Do not print progress lines.")
  boolean noProgress;

  @Mixin SparkOptions sparkOptions;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (LocalSpark local =
        LocalSpark.open(sparkOptions.master, sparkOptions.conf, sparkOptions.verbose)) {
      try {
        RunReport report =
            new Sa1bImportJob(
                    new Sa1bImportJob.Config(inputs, output, runId, filesPerShard, !noProgress),
                    err)
                .run(local.session());
        out.println(report.summaryLine());
        out.flush();
        return 0;
      } catch (UsageException e) {
        throw e;
      } catch (Exception e) {
        return CommandFailures.report("import-sa1b", e, sparkOptions.verbose, out, err);
      }
    }
  }
}
