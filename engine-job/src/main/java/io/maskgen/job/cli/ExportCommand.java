package io.maskgen.job.cli;

import io.maskgen.job.Sa1bExportJob;
import io.maskgen.job.query.DatasetDir;
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

/** {@code maskgen export}: a dataset's masks as SA-1B JSON files, one per image. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    versionProvider = MaskgenCommand.Version.class,
    description = {
      "Writes the masks of a dataset as SA-1B JSON, one file per image: OUTPUT/<image_id>.json"
          + " (an image_id with '/' gives sub-folders).",
      "Each file is {\"image\": {image_id, width, height, file_name}, \"annotations\": [...]}"
          + " with COCO RLE segmentations that pycocotools reads. Failed images are skipped and"
          + " counted. clip_embedding, generator and run_id have no SA-1B field and are not"
          + " written."
    },
    footer = {
      "",
      "Examples:",
      "  bin/maskgen export --dataset /tmp/maskgen-demo --output /tmp/maskgen-sa1b",
      "  bin/maskgen export --dataset s3a://bucket/masks/v1 \\",
      "      --output s3a://bucket/sa1b/v1 --master spark://host:7077"
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:the files were written (also when failed images were skipped)",
      "1:the export could not run",
      "2:bad options, no dataset at --dataset, an unknown --image, or a non-empty --output"
    })
public final class ExportCommand implements Callable<Integer> {

  /** Output formats. */
  enum Format {
    sa1b
  }

  @Spec CommandSpec spec;

  @Option(names = "--dataset", required = true, paramLabel = "DIR", description = "The dataset.")
  String dataset;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "DIR",
      description = "Folder for the JSON files (local or a Hadoop URI such as s3a://); must be"
          + " missing or empty unless --overwrite.")
  String output;

  @Option(
      names = "--format",
      defaultValue = "sa1b",
      paramLabel = "FORMAT",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format format;

  @Option(
      names = "--image",
      arity = "1..*",
      paramLabel = "ID",
      description = "Export only these images (image_id); repeatable. Default: all.")
  List<String> images = new ArrayList<>();

  @Option(
      names = "--overwrite",
      description = "Replace an earlier export in --output (refused if it holds anything but"
          + " .json files).")
  boolean overwrite;

  @Option(names = "--no-progress", description = "Do not print progress lines.")
  boolean noProgress;

  @Option(
      names = "--generator",
      paramLabel = "NAME",
      description = "Use this generator's rows (default: the most recently run one).")
  String generator;

  @Mixin SparkOptions sparkOptions;

  @Override
  public Integer call() {
    DatasetDir dir = DatasetDir.of(dataset).withGenerator(generator);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (LocalSpark local =
        LocalSpark.open(sparkOptions.master, sparkOptions.conf, sparkOptions.verbose)) {
      try {
        Sa1bExportJob.Result result =
            new Sa1bExportJob(
                    new Sa1bExportJob.Config(dir, output, images, overwrite, !noProgress), err)
                .run(local.session());
        for (String problem : result.problems()) {
          err.println("maskgen export: not exported: " + problem);
        }
        err.flush();
        out.println(result.summaryLine());
        out.flush();
        return 0;
      } catch (UsageException e) {
        throw e;
      } catch (Exception e) {
        return CommandFailures.report("export", e, sparkOptions.verbose, out, err);
      }
    }
  }
}
