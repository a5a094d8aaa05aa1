package io.maskgen.job.cli;

import io.maskgen.job.query.DatasetClip;
import io.maskgen.job.query.DatasetDir;
import io.maskgen.job.query.LocalSpark;
import io.maskgen.job.query.ResultPrinter;
import io.maskgen.job.query.ResultPrinter.Format;
import io.maskgen.spark.MaskgenCatalog;
import io.maskgen.spark.MaskgenFunctions;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code maskgen sql}: one Spark SQL statement over a dataset, result on stdout. */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    versionProvider = MaskgenCommand.Version.class,
    description = {
      "Runs a Spark SQL statement over a dataset and prints the result.",
      "Tables: masks, images (the dataset's tables in the catalog maskgen, which also reads"
          + " other datasets: maskgen.`/path/to/dataset`.masks). Functions: rle_area, rle_bbox,"
          + " rle_iou, rle_union, rle_intersection, rle_to_png, cosine, and clip_text(text): the"
          + " text's unit-length embedding by the dataset's CLIP model, e.g. ORDER BY cosine(clip_embedding,"
          + " clip_text('red')) DESC. Any Spark SQL works, also on files:"
          + " SELECT * FROM json.`/path/file.json`."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:the statement ran",
      "1:the statement failed (bad SQL, unknown column, invalid RLE, ...)",
      "2:bad options, or no dataset at --dataset"
    })
public final class SqlCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--dataset",
      required = true,
      paramLabel = "DIR",
      description = "The dataset folder (images/, masks/), a local path or a Hadoop URI.")
  String dataset;

  @Option(
      names = "--format",
      defaultValue = "table",
      paramLabel = "FORMAT",
      description = "table, csv or json (JSON lines); default: ${DEFAULT-VALUE}.")
  Format format;

  @Option(
      names = "--max-rows",
      defaultValue = "100",
      paramLabel = "N",
      description = "Print at most N rows, 0 for all (default: ${DEFAULT-VALUE}).")
  int maxRows;

  @Option(
      names = "--max-width",
      defaultValue = "40",
      paramLabel = "N",
      description = "Cut table cells longer than N characters (default: ${DEFAULT-VALUE}).")
  int maxWidth;

  @Option(
      names = "--clip-model",
      paramLabel = "NAME|DIR",
      description =
          "The CLIP model of clip_text(text): a shipped name (tiny-clip), a folder or a Hadoop"
              + " URI; default: the model of the dataset's newest run (_runs/*.json).")
  String clipModel;

  @Mixin SparkOptions sparkOptions;

  @Option(
      names = "--generator",
      paramLabel = "NAME",
      description = "Show this generator's rows (default: the most recently run one).")
  String generator;

  @Parameters(arity = "1..*", paramLabel = "SQL", description = "The statement; words are joined.")
  List<String> sql;

  @Override
  public Integer call() {
    if (maxRows < 0) {
      throw new UsageException("Invalid --max-rows: " + maxRows + ", expected 0 (all) or more");
    }
    if (maxWidth < 4 || maxWidth > ResultPrinter.MAX_WIDTH) {
      throw new UsageException(
          "Invalid --max-width: " + maxWidth + ", expected 4.." + ResultPrinter.MAX_WIDTH);
    }
    DatasetDir dir = DatasetDir.of(dataset).withGenerator(generator);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (LocalSpark local =
        LocalSpark.open(sparkOptions.master, sparkOptions.conf, sparkOptions.verbose)) {
      try {
        SparkSession spark = local.session();
        MaskgenCatalog.createTempViews(spark, dir);
        MaskgenFunctions.register(
            spark,
            DatasetClip.embedder(dir, clipModel, spark.sparkContext().hadoopConfiguration()));
        Dataset<Row> result = spark.sql(String.join(" ", sql));
        boolean cut = false;
        Iterator<Row> rows;
        if (maxRows > 0) {
          List<Row> list = result.limit(maxRows + 1).collectAsList();
          cut = list.size() > maxRows;
          rows = (cut ? list.subList(0, maxRows) : list).iterator();
        } else {
          rows =
              format == Format.TABLE ? result.collectAsList().iterator() : result.toLocalIterator();
        }
        ResultPrinter.print(result.schema(), rows, format, cut, maxWidth, out);
        if (cut && format != Format.TABLE) {
          err.println(
              "maskgen sql: printed the first "
                  + maxRows
                  + " rows; more were cut (raise"
                  + " --max-rows, or 0 for all)");
        }
        return 0;
      } catch (UsageException e) {
        throw e;
      } catch (Exception e) {
        return CommandFailures.report("sql", e, sparkOptions.verbose, out, err);
      }
    }
  }
}
