package io.maskgen.job.cli;

import io.maskgen.job.query.DatasetDir;
import io.maskgen.job.query.DatasetReport;
import io.maskgen.job.query.LocalSpark;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code maskgen inspect}: a summary of a dataset. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    versionProvider = MaskgenCommand.Version.class,
    description = {
      "Summarises a dataset: counts, distributions, failures and runs.",
      "Image and mask counts, masks per image, histograms of mask area, predicted_iou and"
          + " stability_score, failed images grouped by reason, and the runs from _runs/."
    })
public final class InspectCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--dataset", required = true, paramLabel = "DIR", description = "The dataset.")
  String dataset;

  @Mixin SparkOptions sparkOptions;

  @Option(
      names = "--generator",
      paramLabel = "NAME",
      description = "Show this generator's rows (default: the most recently run one).")
  String generator;

  /** The dataset's generators, the one shown marked; nothing for a plain Parquet dataset. */
  static void printGenerators(
      DatasetDir dir, org.apache.hadoop.conf.Configuration conf, PrintWriter out) {
    java.util.List<String> names = dir.generators(conf);
    if (names.isEmpty()) {
      return;
    }
    String shown = dir.generator(conf);
    out.println();
    out.println("generators (the last is the default; * = shown above)");
    for (String g : names) {
      out.println((g.equals(shown) ? "* " : "  ") + g);
    }
  }

  @Override
  public Integer call() {
    DatasetDir dir = DatasetDir.of(dataset).withGenerator(generator);
    PrintWriter out = spec.commandLine().getOut();
    try (LocalSpark local =
        LocalSpark.open(sparkOptions.master, sparkOptions.conf, sparkOptions.verbose)) {
      dir.registerViews(local.session());
      out.print(DatasetReport.compute(local.session(), dir).render());
      printGenerators(dir, local.session().sparkContext().hadoopConfiguration(), out);
      out.flush();
      return 0;
    } catch (UsageException e) {
      throw e;
    } catch (Exception e) {
      return CommandFailures.report(
          "inspect", e, sparkOptions.verbose, out, spec.commandLine().getErr());
    }
  }
}
