package io.maskgen.job;

import io.maskgen.job.cli.UsageException;
import io.maskgen.job.table.DatasetLock;
import io.maskgen.job.table.DatasetStore;
import io.maskgen.job.table.DeltaTables;
import io.maskgen.job.table.Snapshot;
import io.maskgen.job.input.InputScanner;
import io.maskgen.schema.DatasetColumns;
import io.maskgen.spark.SparkSchemas;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

/**
 * The {@code import-sa1b} job: SA-1B per-image JSON files (loose, with or without their images
 * beside them, or in tar shards of {@code sa_N.jpg + sa_N.json} pairs) in, the dataset tables
 * {@code images} and {@code masks} and a run report out, as {@code generate} writes them. A file
 * that is not valid SA-1B JSON becomes a failed {@code images} row naming it and the cause.
 *
 * <p>What the rows hold: {@code image_id} is the JSON's path relative to its input root (or its
 * member path in the tar) without extension, as {@code generate} names the image; masks are
 * numbered {@code 0..n-1} in file order (SA-1B's annotation {@code id} has no column); {@code
 * source} and {@code sha256} are of the image when it is beside the JSON (same folder, same name,
 * an image extension; or the same member name in the tar), else of the JSON file; {@code width}
 * and {@code height} are the JSON's; {@code clip_embedding} is null; {@code generator} is {@value
 * #GENERATOR}.
 */
public final class Sa1bImportJob {

  /** The {@code generator} of imported rows. */
  public static final String GENERATOR = "sa1b-import";

  /**
   * What to import.
   *
   * @param runId the run id, or null for a new one
   * @param filesPerShard loose JSON files per task at most
   */
  public record Config(
      List<String> inputs, String output, String runId, int filesPerShard, boolean progress) {
    public Config {
      inputs = List.copyOf(inputs);
    }
  }

  /**
   * One loose SA-1B file to import.
   *
   * @param jsonUri the JSON file, or null for an image that has no JSON beside it
   * @param imageUri the image beside it, or null
   * @param imageId see the class comment
   */
  record Source(String jsonUri, String imageUri, String imageId) implements Serializable {}

  /** What the inputs expand to. */
  record Plan(List<List<Source>> groups, List<String> tars) implements Serializable {
    int tasks() {
      return groups.size() + tars.size();
    }

    long files() {
      return groups.stream().mapToLong(List::size).sum();
    }
  }

  private final Config config;
  private final PrintWriter log;

  public Sa1bImportJob(Config config, PrintWriter log) {
    this.config = config;
    this.log = log;
  }

  /** Runs the import on {@code spark} (which stays open). */
  public RunReport run(SparkSession spark) {
    if (config.filesPerShard() < 1) {
      throw new UsageException(
          "Invalid --files-per-shard: " + config.filesPerShard() + " (must be >= 1)");
    }
    Instant started = Instant.now();
    String runId = config.runId() != null ? config.runId() : GenerateJob.newRunId(started);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Path out = new Path(config.output());
    GenerateJob.checkOutputIsFree(hadoop, out);
    Plan plan =
        scan(config.inputs(), hadoop, config.filesPerShard(), Math.max(1, jsc.defaultParallelism()));
    if (plan.tasks() == 0) {
      throw new UsageException(
          "No SA-1B .json files or .tar shards found in --input "
              + String.join(" ", config.inputs()));
    }
    log.printf(
        Locale.ROOT,
        "maskgen: import run %s: %d files and %d tar shards in %d tasks%n",
        runId,
        plan.files(),
        plan.tars().size(),
        plan.tasks());
    log.flush();

    JobMetrics metrics = new JobMetrics(spark.sparkContext());
    JobMetrics.LIVE_IMAGES.set(0);
    JobMetrics.LIVE_MASKS.set(0);
    boolean local = spark.sparkContext().isLocal();
    Progress progress =
        new Progress(
            line -> {
              log.println(line);
              log.flush();
            },
            plan.tars().isEmpty() ? plan.files() : -1,
            plan.tasks(),
            () ->
                local
                    ? JobMetrics.LIVE_IMAGES.get()
                    : metrics.imagesOk.value() + metrics.imagesFailed.value(),
            () -> local ? JobMetrics.LIVE_MASKS.get() : metrics.masks.value(),
            () -> metrics.shards.value(),
            5000);
    if (config.progress()) {
      progress.start();
    }
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("format", "sa1b");
    parameters.put("files_per_shard", config.filesPerShard());
    DatasetStore store = new DatasetStore(out, hadoop);
    DatasetLock lock;
    try {
      lock = DatasetLock.acquire(store, runId, log);
    } catch (DatasetLock.HeldException e) {
      throw new UsageException(e.getMessage());
    }
    long t0 = System.nanoTime();
    long writeStart;
    Dataset<Row> rows;
    Snapshot snapshot;
    try (lock) {
      JavaRDD<Integer> work =
          jsc.parallelize(IntStream.range(0, plan.tasks()).boxed().toList(), plan.tasks());
      JavaRDD<Row> results =
          work.mapPartitions(
              new Sa1bImportFunction(plan, runId, new SerializableHadoopConf(hadoop), metrics));
      rows =
          spark
              .createDataFrame(results, SparkSchemas.imagesWithMasks())
              .persist(StorageLevel.DISK_ONLY());
      // Masks first, then images (an images row marks its masks complete); the dataset appears
      // when the snapshot naming both table versions is published.
      spark.sparkContext().setJobDescription("maskgen import-sa1b: masks table");
      long masksVersion =
          DeltaTables.append(
              spark,
              store.table(DatasetColumns.MASKS_TABLE),
              rows.select(functions.explode(functions.col(SparkSchemas.MASKS_COLUMN)).as("m"))
                  .select("m.*"));
      writeStart = System.nanoTime();
      spark.sparkContext().setJobDescription("maskgen import-sa1b: images table");
      long imagesVersion =
          DeltaTables.append(
              spark, store.table(DatasetColumns.IMAGES_TABLE), rows.drop(SparkSchemas.MASKS_COLUMN));
      snapshot =
          new Snapshot(
              1,
              runId,
              Instant.now().toString(),
              imagesVersion,
              masksVersion,
              List.of(new Snapshot.Generator(GENERATOR, null, null, parameters, runId, runId)));
      store.publish(snapshot);
    } finally {
      progress.close();
      spark.sparkContext().setJobDescription(null);
    }
    rows.unpersist();
    Map<String, Double> stages = new LinkedHashMap<>();
    stages.put("import_and_write_masks_wall", (writeStart - t0) / 1e9);
    stages.put("write_images_wall", (System.nanoTime() - writeStart) / 1e9);
    Instant ended = Instant.now();
    long ok = metrics.imagesOk.value();
    long failed = metrics.imagesFailed.value();
    RunReport report =
        new RunReport(
            runId,
            started.toString(),
            ended.toString(),
            (ended.toEpochMilli() - started.toEpochMilli()) / 1000.0,
            config.inputs(),
            config.output(),
            null,
            null,
            GENERATOR,
            parameters,
            ok + failed,
            ok,
            failed,
            0,
            metrics.masks.value(),
            plan.tasks(),
            false,
            snapshot.number(),
            stages,
            spark.sparkContext().master(),
            spark.sparkContext().applicationId(),
            null);
    GenerateJob.writeReport(hadoop, out, report);
    return report;
  }

  /**
   * Expands the inputs on the driver: folders (recursive), single {@code .json} files, {@code
   * .tar} shards and globs. In a folder, an image file and a JSON file with the same path but the
   * extension are a pair; an image without its JSON is kept as a source that will fail (it has no
   * annotations). Paths with a part starting with {@code .} or {@code _} (below the input root)
   * are skipped, like Spark's hidden files.
   * Loose files go in groups of at most {@code filesPerShard}, smaller when there are few files so
   * that every task slot gets at least two groups.
   */
  static Plan scan(List<String> inputs, Configuration conf, int filesPerShard, int parallelism) {
    Map<String, Source> byId = new LinkedHashMap<>();
    Map<String, Boolean> tars = new LinkedHashMap<>();
    for (String input : inputs) {
      if (input.isBlank()) {
        throw new UsageException("Invalid --input: empty path");
      }
      Path path = new Path(input);
      try {
        FileSystem fs = path.getFileSystem(conf);
        List<FileStatus> found = new ArrayList<>();
        Path root;
        if (isGlob(input)) {
          FileStatus[] matches = fs.globStatus(path);
          if (matches == null || matches.length == 0) {
            throw new UsageException("Input glob matches nothing: " + input);
          }
          root = fs.makeQualified(globRoot(input));
          for (FileStatus m : matches) {
            addTree(fs, m, found);
          }
        } else {
          FileStatus status = fs.getFileStatus(path);
          root = status.isDirectory() ? status.getPath() : status.getPath().getParent();
          if (!status.isDirectory()) {
            String ext = InputScanner.extension(status.getPath().getName());
            if (!ext.equals("json") && !ext.equals("tar")) {
              throw new UsageException(
                  "Invalid --input: "
                      + input
                      + " is neither a folder, an SA-1B .json file nor a .tar shard");
            }
            if (ext.equals("json")) {
              addSiblingImages(fs, status.getPath(), found);
            }
          }
          addTree(fs, status, found);
        }
        collect(found, root, byId, tars, input);
      } catch (FileNotFoundException e) {
        throw new UsageException("Input not found: " + input);
      } catch (IOException e) {
        throw new UsageException("Cannot read input " + input + ": " + e.getMessage());
      }
    }
    List<Source> sources = new ArrayList<>(byId.values());
    int group =
        Math.max(1, Math.min(filesPerShard, (int) Math.ceil(sources.size() / (2.0 * parallelism))));
    List<List<Source>> groups = new ArrayList<>();
    for (int i = 0; i < sources.size(); i += group) {
      groups.add(List.copyOf(sources.subList(i, Math.min(sources.size(), i + group))));
    }
    return new Plan(groups, List.copyOf(tars.keySet()));
  }

  private static void addTree(FileSystem fs, FileStatus status, List<FileStatus> found)
      throws IOException {
    if (!status.isDirectory()) {
      found.add(status);
      return;
    }
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(status.getPath(), true);
    while (it.hasNext()) {
      found.add(it.next());
    }
  }

  /** For a single JSON input, its image beside it (if any). */
  private static void addSiblingImages(FileSystem fs, Path json, List<FileStatus> found)
      throws IOException {
    String stem = InputScanner.stripExtension(json.getName());
    for (String ext : InputScanner.IMAGE_EXTENSIONS) {
      for (String e : List.of(ext, ext.toUpperCase(Locale.ROOT))) {
        Path image = new Path(json.getParent(), stem + "." + e);
        if (fs.exists(image)) {
          found.add(fs.getFileStatus(image));
          return;
        }
      }
    }
  }

  private static void collect(
      List<FileStatus> found,
      Path root,
      Map<String, Source> byId,
      Map<String, Boolean> tars,
      String input) {
    // Pairs by image_id within this input: the JSON and, optionally, its image.
    Map<String, String[]> pairs = new TreeMap<>();
    for (FileStatus f : found) {
      Path p = f.getPath();
      String name = p.getName();
      String relative = relativize(root, p);
      if (hidden(relative)) {
        continue;
      }
      String ext = InputScanner.extension(name);
      if (ext.equals("tar")) {
        tars.put(p.toString(), Boolean.TRUE);
        continue;
      }
      boolean json = ext.equals("json");
      if (!json && !InputScanner.IMAGE_EXTENSIONS.contains(ext)) {
        continue;
      }
      String id = InputScanner.stripExtension(relative);
      String[] pair = pairs.computeIfAbsent(id, k -> new String[2]);
      int slot = json ? 0 : 1;
      if (pair[slot] == null || p.toString().compareTo(pair[slot]) < 0) {
        pair[slot] = p.toString();
      }
    }
    for (Map.Entry<String, String[]> e : pairs.entrySet()) {
      Source s = new Source(e.getValue()[0], e.getValue()[1], e.getKey());
      Source before = byId.putIfAbsent(s.imageId(), s);
      if (before != null && !before.equals(s)) {
        throw new UsageException(
            "Two inputs have the same image_id '"
                + s.imageId()
                + "': "
                + (before.jsonUri() != null ? before.jsonUri() : before.imageUri())
                + " and "
                + (s.jsonUri() != null ? s.jsonUri() : s.imageUri())
                + " (image ids are paths relative to their input root, without extension;"
                + " last seen in --input "
                + input
                + ")");
      }
    }
  }

  /** Whether a part of the path starts with {@code .} or {@code _} (Spark's hidden files). */
  private static boolean hidden(String relative) {
    for (String part : relative.split("/")) {
      if (part.startsWith(".") || part.startsWith("_")) {
        return true;
      }
    }
    return false;
  }

  private static String relativize(Path root, Path file) {
    String r = root.toUri().getPath();
    String f = file.toUri().getPath();
    if (!r.endsWith("/")) {
      r = r + "/";
    }
    return f.startsWith(r) ? f.substring(r.length()) : file.getName();
  }

  private static boolean isGlob(String input) {
    return input.indexOf('*') >= 0
        || input.indexOf('?') >= 0
        || input.indexOf('[') >= 0
        || input.indexOf('{') >= 0;
  }

  /** The deepest folder of a glob without wildcards: image ids are relative to it. */
  private static Path globRoot(String glob) {
    String[] parts = glob.split("/", -1);
    StringBuilder prefix = new StringBuilder();
    for (int i = 0; i < parts.length - 1; i++) {
      if (isGlob(parts[i])) {
        break;
      }
      prefix.append(parts[i]).append('/');
    }
    return new Path(prefix.length() == 0 ? "." : prefix.toString());
  }
}
