package io.maskgen.job.cli;

import io.maskgen.job.query.LocalSpark;
import io.maskgen.job.table.DatasetLock;
import io.maskgen.job.table.DatasetPrune;
import io.maskgen.job.table.DatasetStore;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code maskgen prune}: removes generators' rows from a dataset and deletes their files. */
@Command(
    name = "prune",
    mixinStandardHelpOptions = true,
    versionProvider = MaskgenCommand.Version.class,
    description = {
      "Removes generators from a dataset and deletes their data files.",
      "Deletes the rows of the named generators (or of all but the default one with"
          + " --keep-latest) from images and masks, publishes the dataset without them, then"
          + " deletes the data files no longer used."
    })
public final class PruneCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--dataset", required = true, paramLabel = "DIR", description = "The dataset.")
  String dataset;

  @Option(
      names = "--generator",
      paramLabel = "NAME",
      description = "A generator to remove (see maskgen inspect); repeatable.")
  List<String> generators = new ArrayList<>();

  @Option(
      names = "--keep-latest",
      description = "Remove every generator but the default (most recently run) one.")
  boolean keepLatest;

  @Option(
      names = "--retain-hours",
      defaultValue = "0",
      paramLabel = "H",
      description =
          "Keep unused data files younger than H hours, for readers of the previous state"
              + " (default: ${DEFAULT-VALUE}).")
  double retainHours;

  @Mixin SparkOptions sparkOptions;

  @Override
  public Integer call() {
    if (generators.isEmpty() && !keepLatest) {
      throw new UsageException("Missing --generator NAME or --keep-latest: nothing to prune");
    }
    if (retainHours < 0) {
      throw new UsageException("Invalid --retain-hours: " + retainHours + " (must be >= 0)");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    PrintStream log = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    try (LocalSpark local =
        LocalSpark.open(sparkOptions.master, sparkOptions.conf, sparkOptions.verbose)) {
      try {
        DatasetStore store =
            new DatasetStore(new Path(dataset), local.session().sparkContext().hadoopConfiguration());
        DatasetPrune.Result r =
            DatasetPrune.prune(
                local.session(), store, generators, keepLatest, retainHours,
                "prune-" + Instant.now().toEpochMilli(), log);
        if (r.removed().isEmpty()) {
          out.println("maskgen prune: nothing to remove; generators: " + String.join(", ", r.kept()));
        } else {
          out.printf(
              java.util.Locale.ROOT,
              "maskgen prune: removed %s (%d images rows, %d masks rows); generators left: %s%n",
              String.join(", ", r.removed()), r.images(), r.masks(),
              r.kept().isEmpty() ? "none" : String.join(", ", r.kept()));
        }
        out.flush();
        return 0;
      } catch (IllegalArgumentException | DatasetLock.HeldException e) {
        throw new UsageException(e.getMessage());
      } catch (UsageException e) {
        throw e;
      } catch (Exception e) {
        return CommandFailures.report("prune", e, sparkOptions.verbose, out, err);
      }
    }
  }
}
