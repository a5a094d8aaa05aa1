package io.maskgen.job.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every documented way of reading a dataset reads its published snapshot: the READMEs, the
 * operations guides and the notebooks show no read of a dataset's {@code masks}/{@code images}
 * folders that bypasses it (a Parquet read, or a Delta load without a version), which would also
 * return rows that a refresh replaced and rows of runs that never published.
 */
class DocsReadSnapshotsTest {

  private static final Path ROOT =
      Path.of(System.getProperty("maskgen.root.dir", "..")).toAbsolutePath().normalize();

  /**
   * A table folder of a dataset: {@code masks} or {@code images} as a path's last part, then the
   * closing quote (escaped in a notebook's JSON).
   */
  private static final String TABLE = "(?:masks|images)/?\\s*\\\\?[\"'`)]";

  private static final Pattern PARQUET_READ =
      Pattern.compile(
          "(?:\\.parquet\\s*\\(|read_parquet\\s*\\(|read_table\\s*\\(|parquet\\s*\\.\\s*`)"
              + "[^;]*?[\"'`/]"
              + TABLE);

  private static final Pattern DELTA_READ =
      Pattern.compile(
          "format\\s*\\(\\s*\\\\?[\"']delta\\\\?[\"']\\s*\\)"
              + "|delta\\s*\\.\\s*`|DeltaTable\\s*\\.\\s*forPath");

  private static final Pattern TABLE_PATH = Pattern.compile("[\"'`/]" + TABLE);

  private static final Pattern VERSION =
      Pattern.compile("versionAsOf|timestampAsOf|VERSION\\s+AS\\s+OF|TIMESTAMP\\s+AS\\s+OF");

  /** The most lines of one Delta read looked at together (a chained call spans a few). */
  private static final int STATEMENT_LINES = 6;

  @Test
  void noDocumentedReadBypassesThePublishedSnapshot() throws IOException {
    List<Path> files = new ArrayList<>();
    files.add(ROOT.resolve("README.md"));
    files.add(ROOT.resolve("engine-job/README.md"));
    files.add(ROOT.resolve("dataset-schema/README.md"));
    files.addAll(glob(ROOT.resolve("deploy"), "*.md"));
    files.addAll(glob(ROOT.resolve("notebooks"), "*.ipynb"));
    files.addAll(glob(ROOT.resolve("notebooks"), "*.py"));
    assertThat(files).allMatch(Files::isRegularFile);
    assertThat(files.size()).isGreaterThan(5);

    List<String> problems = new ArrayList<>();
    for (Path f : files) {
      problems.addAll(check(ROOT.relativize(f).toString(), Files.readAllLines(f)));
    }
    assertThat(problems)
        .as("reads of a dataset's tables that bypass the published snapshot; use the catalog"
            + " maskgen or PublishedDataset (engine-job/README.md, \"Reading a dataset\")")
        .isEmpty();
  }

  @Test
  void theCheckFindsParquetReadsAndUnversionedDeltaLoads() {
    List<String> lines =
        List.of(
            "MaskgenFunctions.register(spark);",
            "spark.read().parquet(\"out/masks\").createOrReplaceTempView(\"masks\");",
            "df = spark.read.parquet('s3a://b/out/images')",
            "SELECT * FROM parquet.`/data/out/masks`",
            "pd.read_parquet(\"/tmp/maskgen-demo/masks/\")",
            "val m = spark.read.format(\"delta\")",
            "  .load(\"/tmp/maskgen-demo/masks\")",
            "SELECT count(*) FROM delta.`/tmp/out/images`",
            // Not reads that bypass the snapshot:
            "spark.read.format(\"delta\").option(\"versionAsOf\", 3).load(\"out/masks\")",
            "PublishedDataset.open(spark, \"out\").masks()",
            "spark.read().parquet(\"photos/list\")",
            "bin/maskgen sql --dataset out \"SELECT count(*) FROM masks\"",
            // A notebook's JSON escapes the quotes:
            "    \"m = spark.read.format(\\\"delta\\\").load(\\\"/tmp/out/masks\\\")\\n\",");
    assertThat(check("doc.md", lines))
        .containsExactly(
            "doc.md:2: " + lines.get(1).strip(),
            "doc.md:3: " + lines.get(2).strip(),
            "doc.md:4: " + lines.get(3).strip(),
            "doc.md:5: " + lines.get(4).strip(),
            "doc.md:6: " + lines.get(5).strip(),
            "doc.md:8: " + lines.get(7).strip(),
            "doc.md:13: " + lines.get(12).strip());
  }

  /** "FILE:LINE: text" for each line that starts a read bypassing the snapshot. */
  static List<String> check(String file, List<String> lines) {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      boolean bad = PARQUET_READ.matcher(line).find();
      if (!bad && DELTA_READ.matcher(line).find()) {
        String statement = String.join("\n", lines.subList(i, statementEnd(lines, i)));
        bad =
            TABLE_PATH.matcher(statement).find()
                && !VERSION.matcher(statement.toUpperCase(Locale.ROOT)).find()
                && !VERSION.matcher(statement).find();
      }
      if (bad) {
        problems.add(file + ":" + (i + 1) + ": " + line.strip());
      }
    }
    return problems;
  }

  /**
   * The end (exclusive) of the statement starting at line {@code i}: the lines that continue it (a
   * chained call's next line starts with {@code .}; a line ending in a backslash, {@code (} or
   * {@code ,} goes on), a few at most.
   */
  private static int statementEnd(List<String> lines, int i) {
    int end = i + 1;
    while (end < lines.size() && end < i + STATEMENT_LINES) {
      String previous = lines.get(end - 1).strip();
      boolean continues =
          lines.get(end).strip().startsWith(".")
              || previous.endsWith("\\")
              || previous.endsWith("(")
              || previous.endsWith(",");
      if (!continues) {
        break;
      }
      end++;
    }
    return end;
  }

  private static List<Path> glob(Path dir, String pattern) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, pattern)) {
      files.forEach(out::add);
    }
    out.sort(null);
    return out;
  }
}
