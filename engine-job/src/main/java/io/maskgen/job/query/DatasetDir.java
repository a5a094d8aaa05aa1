package io.maskgen.job.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskgen.job.cli.UsageException;
import io.maskgen.job.table.DatasetStore;
import io.maskgen.job.table.DeltaSessions;
import io.maskgen.job.table.DeltaTables;
import io.maskgen.job.table.Snapshot;
import io.maskgen.schema.DatasetColumns;
import io.maskgen.spark.SparkSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * A generated dataset: {@code DIR/images/} and {@code DIR/masks/} (Delta tables of Parquet files,
 * columns of {@link DatasetColumns}), the published snapshots in {@code DIR/_maskgen/} and one JSON
 * file per run in {@code DIR/_runs/}. {@code DIR} is a local path or a Hadoop URI ({@code
 * s3a://bucket/out}).
 *
 * <p>One {@code DatasetDir} reads one snapshot, the newest when it is first used: both tables at
 * that snapshot's versions, so a refresh running meanwhile is seen whole or not at all. The tables
 * show one generator: the one chosen with {@link #withGenerator(String)}, else the most recently
 * run. Datasets in the plain Parquet layout of earlier versions are read as they are (every row).
 */
public final class DatasetDir {

  private final String root;
  private final String generator;
  private final Long snapshotNumber;
  private volatile State state;

  /** What the dataset folder was found to be, fixed on first use. */
  private record State(DatasetStore.Layout layout, Snapshot snapshot, String generator) {}

  private DatasetDir(String root, String generator, Long snapshotNumber) {
    this.root =
        root.endsWith("/") && root.length() > 1 ? root.substring(0, root.length() - 1) : root;
    this.generator = generator;
    this.snapshotNumber = snapshotNumber;
  }

  private DatasetDir(String root) {
    this(root, null, null);
  }

  /**
   * The same dataset showing {@code generator}'s rows (null: the most recently run generator).
   * An unknown name fails when the tables are first read, listing the known ones.
   */
  public DatasetDir withGenerator(String generator) {
    return new DatasetDir(root, generator, snapshotNumber);
  }

  /**
   * The same dataset at published snapshot {@code number} instead of the newest. A number that
   * does not exist fails when the tables are first read, listing the existing ones.
   */
  public DatasetDir atSnapshot(long number) {
    return new DatasetDir(root, generator, number);
  }

  /** The numbers of the dataset's published snapshots, oldest first (none for plain Parquet). */
  public List<Long> snapshotNumbers(Configuration conf) {
    return new DatasetStore(new Path(root), conf).numbers();
  }

  /**
   * The dataset's generators, the default (most recently run) one last; empty for a dataset in the
   * plain Parquet layout.
   */
  public List<String> generators(Configuration conf) {
    State s = state(conf);
    return s.snapshot() == null ? List.of() : s.snapshot().generatorNames();
  }

  /** The generator whose rows the tables show, or null for a plain Parquet dataset. */
  public String generator(Configuration conf) {
    return state(conf).generator();
  }

  /** The snapshot that this reader reads, or null for a plain Parquet dataset. */
  public Snapshot snapshot(Configuration conf) {
    return state(conf).snapshot();
  }

  /**
   * The dataset at {@code dir}. A local one is checked at once (before Spark starts), a remote one
   * by {@link #check(Configuration)}.
   *
   * @throws UsageException if a local {@code dir} does not exist or has no {@code images/} folder
   */
  public static DatasetDir of(String dir) {
    DatasetDir d = new DatasetDir(dir);
    java.nio.file.Path local = d.localPath();
    if (local != null) {
      if (!Files.isDirectory(local)) {
        throw new UsageException("Invalid --dataset: " + dir + " is not a folder");
      }
      if (!Files.isDirectory(local.resolve(DatasetColumns.IMAGES_TABLE))) {
        throw missingImages(dir);
      }
    }
    return d;
  }

  /** Checks a remote dataset (a no-op for a local one, checked already). */
  public void check(Configuration conf) {
    if (localPath() == null && !isDirectory(path(DatasetColumns.IMAGES_TABLE), conf)) {
      throw missingImages(root);
    }
  }

  /** The dataset folder as given. */
  public String root() {
    return root;
  }

  /** The {@code images} table. */
  public Dataset<Row> images(SparkSession spark) {
    return read(spark, DatasetColumns.IMAGES_TABLE, SparkSchemas.images());
  }

  /** The {@code masks} table; empty with the documented schema when there are no mask files. */
  public Dataset<Row> masks(SparkSession spark) {
    return read(spark, DatasetColumns.MASKS_TABLE, SparkSchemas.masks());
  }

  /** Registers the temp views {@code images} and {@code masks} in {@code spark}. */
  public void registerViews(SparkSession spark) {
    check(spark.sparkContext().hadoopConfiguration());
    images(spark).createOrReplaceTempView(DatasetColumns.IMAGES_TABLE);
    masks(spark).createOrReplaceTempView(DatasetColumns.MASKS_TABLE);
  }

  /**
   * What the run files in {@code _runs/} say, in file name order; none if there is no such folder.
   * A file that cannot be read or parsed becomes a {@link RunInfo} with its {@code problem} set.
   */
  public List<RunInfo> runs(Configuration conf) {
    Path dir = path("_runs");
    List<RunInfo> runs = new ArrayList<>();
    try {
      FileSystem fs = dir.getFileSystem(conf);
      if (!fs.exists(dir)) {
        return runs;
      }
      FileStatus[] files = fs.listStatus(dir, p -> p.getName().endsWith(".json"));
      Arrays.sort(files, Comparator.comparing(f -> f.getPath().getName()));
      ObjectMapper mapper = new ObjectMapper();
      for (FileStatus f : files) {
        try (InputStream in = fs.open(f.getPath())) {
          runs.add(RunInfo.of(f.getPath().getName(), mapper.readTree(in)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          runs.add(RunInfo.unreadable(f.getPath().getName(), e.getOriginalMessage()));
        } catch (IOException e) {
          runs.add(RunInfo.unreadable(f.getPath().getName(), e.toString()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir, e);
    }
    return runs;
  }

  /**
   * One run file of {@code _runs/}. Missing values are null.
   *
   * @param file the file name
   * @param runId {@code run_id}
   * @param started {@code started}, as written (an ISO-8601 time)
   * @param images {@code images}: images the run processed
   * @param masks {@code masks}: masks it wrote
   * @param generator {@code generator} fingerprint
   * @param clip {@code clip}: the CLIP model location the run used, null when it ran without one
   *     (or the file does not say)
   * @param problem why the file could not be read, or null
   */
  public record RunInfo(
      String file,
      String runId,
      String started,
      Long images,
      Long masks,
      String generator,
      String clip,
      String problem) {

    static RunInfo of(String file, JsonNode json) {
      if (json == null || !json.isObject()) {
        return unreadable(file, "not a JSON object");
      }
      return new RunInfo(
          file,
          text(json, "run_id", "runId"),
          text(json, "started", "started_at", "startedAt"),
          number(json, "images", "image_count", "imageCount"),
          number(json, "masks", "mask_count", "maskCount"),
          text(json, "generator"),
          text(json, "clip"),
          null);
    }

    static RunInfo unreadable(String file, String problem) {
      return new RunInfo(file, null, null, null, null, null, null, problem);
    }

    private static String text(JsonNode json, String... keys) {
      for (String k : keys) {
        JsonNode v = json.get(k);
        if (v != null && !v.isNull() && v.isValueNode()) {
          return v.asText();
        }
      }
      return null;
    }

    private static Long number(JsonNode json, String... keys) {
      for (String k : keys) {
        JsonNode v = json.get(k);
        if (v != null && v.canConvertToLong()) {
          return v.asLong();
        }
      }
      return null;
    }
  }

  private Dataset<Row> read(SparkSession spark, String table, StructType schema) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    State s = state(conf);
    Path dir = path(table);
    if (s.layout() == DatasetStore.Layout.DELTA) {
      DeltaSessions.check(spark);
      long version =
          table.equals(DatasetColumns.IMAGES_TABLE)
              ? s.snapshot().imagesVersion()
              : s.snapshot().masksVersion();
      return DeltaTables.read(spark, dir, version)
          .where(functions.col(DatasetColumns.GENERATOR).equalTo(s.generator()));
    }
    if (!hasDataFiles(dir, conf)) {
      return spark.createDataFrame(List.of(), schema);
    }
    Dataset<Row> rows = spark.read().parquet(dir.toString());
    return generator == null
        ? rows
        : rows.where(functions.col(DatasetColumns.GENERATOR).equalTo(generator));
  }

  private State state(Configuration conf) {
    State s = state;
    if (s == null) {
      synchronized (this) {
        if (state == null) {
          state = resolve(conf);
        }
        s = state;
      }
    }
    return s;
  }

  private State resolve(Configuration conf) {
    DatasetStore store = new DatasetStore(new Path(root), conf);
    Optional<Snapshot> snapshot =
        snapshotNumber == null ? store.latest() : store.snapshot(snapshotNumber);
    if (snapshot.isEmpty() && snapshotNumber != null) {
      List<Long> numbers = store.numbers();
      throw new UsageException(
          "Unknown snapshot "
              + snapshotNumber
              + " of "
              + root
              + "; it has "
              + (numbers.isEmpty()
                  ? "none"
                  : numbers.stream().map(String::valueOf).collect(Collectors.joining(", "))
                      + " (the newest is "
                      + numbers.get(numbers.size() - 1)
                      + ")"));
    }
    if (snapshot.isEmpty()) {
      if (store.hasDeltaLog(DatasetColumns.IMAGES_TABLE)) {
        throw new UsageException(
            "Invalid --dataset: "
                + root
                + " has no finished generate run yet (the first run did not finish); run maskgen"
                + " generate again");
      }
      return new State(DatasetStore.Layout.LEGACY_PARQUET, null, generator);
    }
    Snapshot snap = snapshot.get();
    String chosen = generator;
    if (chosen == null) {
      chosen = snap.newest().map(Snapshot.Generator::name).orElse("");
    } else if (snap.generator(chosen).isEmpty()) {
      throw new UsageException(
          "Unknown --generator '"
              + chosen
              + "' in "
              + root
              + "; it has "
              + (snap.generators().isEmpty()
                  ? "none"
                  : String.join(", ", snap.generatorNames()) + " (the last is the default)"));
    }
    return new State(DatasetStore.Layout.DELTA, snap, chosen);
  }

  private Path path(String child) {
    return new Path(new Path(root), child);
  }

  /** A local {@code java.nio} path when the dataset is on the local file system, else null. */
  private java.nio.file.Path localPath() {
    URI uri = new Path(root).toUri();
    if (uri.getScheme() == null) {
      return java.nio.file.Path.of(root);
    }
    return uri.getScheme().equals("file") ? java.nio.file.Path.of(uri.getPath()) : null;
  }

  private static boolean isDirectory(Path p, Configuration conf) {
    try {
      return p.getFileSystem(conf).getFileStatus(p).isDirectory();
    } catch (java.io.FileNotFoundException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + p, e);
    }
  }

  /** Whether {@code dir} holds a data file (Spark skips paths with a part starting _ or .). */
  private static boolean hasDataFiles(Path dir, Configuration conf) {
    try {
      FileSystem fs = dir.getFileSystem(conf);
      if (!fs.exists(dir)) {
        return false;
      }
      String base = fs.makeQualified(dir).toUri().getPath();
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
      while (it.hasNext()) {
        String rel = it.next().getPath().toUri().getPath().substring(base.length());
        boolean hidden = false;
        for (String part : rel.split("/")) {
          hidden |= part.startsWith("_") || part.startsWith(".");
        }
        if (!hidden) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir, e);
    }
  }

  private static UsageException missingImages(String dir) {
    return new UsageException(
        "Invalid --dataset: "
            + dir
            + " has no images/ folder; expected a dataset written by maskgen generate"
            + " (images/ and masks/ Parquet tables, _runs/)");
  }
}
