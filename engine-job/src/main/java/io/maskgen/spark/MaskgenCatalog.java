package io.maskgen.spark;

import io.maskgen.job.cli.UsageException;
import io.maskgen.job.query.DatasetDir;
import io.maskgen.job.table.Snapshot;
import io.maskgen.schema.DatasetColumns;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchNamespaceException;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.connector.catalog.NamespaceChange;
import org.apache.spark.sql.connector.catalog.SupportsNamespaces;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCatalog;
import org.apache.spark.sql.connector.catalog.TableChange;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * A read-only Spark catalog of maskgen datasets, so that any Spark session with the maskgen jar
 * reads them consistently: each table is a dataset's {@code images} or {@code masks} at its newest
 * published snapshot (or the one asked for with {@code VERSION AS OF}), showing one generator's
 * rows. Rows of a run that has not published and rows that a refresh replaced are never seen.
 *
 * <pre>
 * spark.sql.catalog.maskgen=io.maskgen.spark.MaskgenCatalog
 * spark.sql.catalog.maskgen.root=s3a://bucket/datasets      (optional)
 *
 * SELECT image_id, count(*) FROM maskgen.`s3a://bucket/datasets/sa1b-v1`.masks GROUP BY image_id;
 * SELECT * FROM maskgen.sa1b_v1.images;                  -- ROOT/sa1b_v1
 * SELECT * FROM maskgen.sa1b_v1.masks VERSION AS OF 3;   -- published snapshot 3
 * SELECT * FROM maskgen.sa1b_v1.`masks@tiny-sam+noclip:3fa2c1d9e0b4`;  -- another generator
 * SHOW TABLES IN maskgen.sa1b_v1;  DESCRIBE maskgen.sa1b_v1.masks;
 * </pre>
 *
 * <p>Namespaces are datasets: a one-part namespace with a {@code /} or {@code :} is the dataset's
 * folder (a local path or a Hadoop URI); any other namespace names a folder under {@code root}
 * (parts joined with {@code /}). Tables: {@code images}, {@code masks} (the generator run most
 * recently), and {@code images@GENERATOR}, {@code masks@GENERATOR} for each generator of the
 * snapshot ({@code GENERATOR} the full name or the hash after its last {@code :}). {@code
 * TIMESTAMP AS OF} reads the newest snapshot published at or before that time. Each table
 * reference resolves its snapshot when the query is analysed.
 *
 * <p>The session needs Delta Lake ({@code io.delta.sql.DeltaSparkSessionExtension}); {@link
 * MaskgenSparkExtensions} registers this catalog as {@code maskgen} unless {@code
 * spark.maskgen.catalog=false}.
 */
public final class MaskgenCatalog implements TableCatalog, SupportsNamespaces {

  /** Catalog option: the folder under which datasets are named. */
  public static final String ROOT = "root";

  /** Separates a table from the generator it shows: {@code masks@GENERATOR}. */
  public static final String GENERATOR_SEPARATOR = "@";

  private String name = "maskgen";
  private String root;

  @Override
  public void initialize(String name, CaseInsensitiveStringMap options) {
    this.name = name;
    String r = options.get(ROOT);
    this.root =
        r == null || r.isBlank()
            ? null
            : r.endsWith("/") && r.length() > 1 ? r.substring(0, r.length() - 1) : r;
  }

  @Override
  public String name() {
    return name;
  }

  /** The root under which datasets are named, or null when none is set. */
  public String root() {
    return root;
  }

  /**
   * Registers this catalog as {@code maskgen} in {@code spark} unless the session names a catalog
   * {@code maskgen} already.
   */
  public static void register(SparkSession spark) {
    String key = "spark.sql.catalog." + MaskgenSparkExtensions.CATALOG_NAME;
    if (!spark.conf().contains(key)) {
      spark.conf().set(key, MaskgenCatalog.class.getName());
    }
  }

  /**
   * Registers the temp views {@code images} and {@code masks} as the catalog's tables of {@code
   * dir} (its generator, at its snapshot: both views read the same one), registering the catalog
   * first if needed. This is how {@code maskgen sql} reads a dataset.
   *
   * @throws io.maskgen.job.cli.UsageException as {@link DatasetDir#snapshot(Configuration)} does
   */
  public static void createTempViews(SparkSession spark, DatasetDir dir) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    dir.check(conf);
    Snapshot snapshot = dir.snapshot(conf);
    String generator = dir.generator(conf);
    register(spark);
    Path root = new Path(dir.root());
    String location;
    try {
      location = root.getFileSystem(conf).makeQualified(root).toString();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open " + root, e);
    }
    for (String table : List.of(DatasetColumns.IMAGES_TABLE, DatasetColumns.MASKS_TABLE)) {
      String name =
          MaskgenSparkExtensions.CATALOG_NAME
              + "."
              + quote(location)
              + "."
              + quote(generator == null ? table : table + GENERATOR_SEPARATOR + generator);
      String version = snapshot == null ? "" : " VERSION AS OF " + snapshot.number();
      spark.sql("SELECT * FROM " + name + version).createOrReplaceTempView(table);
    }
  }

  // ---- tables ----

  @Override
  public Identifier[] listTables(String[] namespace) {
    Dataset ds = dataset(namespace);
    List<Identifier> ids = new ArrayList<>();
    for (String t : tableNames(ds)) {
      ids.add(Identifier.of(namespace, t));
    }
    return ids.toArray(new Identifier[0]);
  }

  @Override
  public Table loadTable(Identifier ident) {
    return load(ident, null);
  }

  @Override
  public Table loadTable(Identifier ident, String version) {
    long number;
    try {
      number = Long.parseLong(version.trim());
    } catch (NumberFormatException e) {
      Dataset ds = dataset(ident.namespace());
      throw new IllegalArgumentException(
          "VERSION AS OF takes a published snapshot number of "
              + ds.location()
              + ", got '"
              + version
              + "'; it has "
              + numbers(ds));
    }
    return load(ident, number);
  }

  @Override
  public Table loadTable(Identifier ident, long timestampMicros) {
    Dataset ds = dataset(ident.namespace());
    Configuration conf = conf();
    Instant at = Instant.EPOCH.plusNanos(timestampMicros * 1000);
    Snapshot best = null;
    Snapshot first = null;
    for (long n : ds.dir().snapshotNumbers(conf)) {
      Snapshot s = ds.dir().atSnapshot(n).snapshot(conf);
      first = first == null ? s : first;
      if (!published(s).isAfter(at)) {
        best = s;
      }
    }
    if (best == null) {
      throw new IllegalArgumentException(
          "No snapshot of "
              + ds.location()
              + " was published at or before "
              + at
              + (first == null
                  ? "; it has none"
                  : "; the first (1) was published at " + first.published()));
    }
    return load(ident, best.number());
  }

  @Override
  public boolean tableExists(Identifier ident) {
    try {
      return load(ident, null) != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private Table load(Identifier ident, Long snapshotNumber) {
    Dataset ds = dataset(ident.namespace());
    String asked = ident.name();
    int at = asked.indexOf(GENERATOR_SEPARATOR);
    String table = at < 0 ? asked : asked.substring(0, at);
    if (!table.equals(DatasetColumns.IMAGES_TABLE) && !table.equals(DatasetColumns.MASKS_TABLE)) {
      throw new IllegalArgumentException(
          "Unknown table '"
              + asked
              + "' in maskgen dataset "
              + ds.location()
              + "; it has "
              + String.join(", ", tableNames(ds)));
    }
    Configuration conf = conf();
    DatasetDir dir = ds.dir();
    if (snapshotNumber != null) {
      dir = dir.atSnapshot(snapshotNumber);
    }
    if (at >= 0) {
      dir = dir.withGenerator(generatorNamed(dir, asked.substring(at + 1), conf, ds));
    }
    Snapshot snapshot;
    String generator;
    try {
      snapshot = dir.snapshot(conf);
      generator = dir.generator(conf);
    } catch (UsageException e) {
      throw new IllegalArgumentException(reword(e.getMessage()), e);
    }
    String shown = name + "." + String.join(".", quoted(ident.namespace())) + "." + quote(asked);
    return new SnapshotTable(shown, table, dir, snapshot, generator);
  }

  /** The full generator name for {@code asked}: a full name, or the hash after its last ':'. */
  private static String generatorNamed(
      DatasetDir dir, String asked, Configuration conf, Dataset ds) {
    List<String> names;
    try {
      if (dir.snapshot(conf) == null) {
        // A plain Parquet dataset lists no generators; its rows are filtered by name.
        return asked;
      }
      names = dir.generators(conf);
    } catch (UsageException e) {
      throw new IllegalArgumentException(reword(e.getMessage()), e);
    }
    List<String> matches = new ArrayList<>();
    for (String g : names) {
      if (g.equals(asked)) {
        return g;
      }
      if (g.endsWith(":" + asked)) {
        matches.add(g);
      }
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    throw new IllegalArgumentException(
        "Unknown generator '"
            + asked
            + "' in maskgen dataset "
            + ds.location()
            + "; it has "
            + (names.isEmpty() ? "none" : String.join(", ", names) + " (the last is the default)"));
  }

  private List<String> tableNames(Dataset ds) {
    List<String> names =
        new ArrayList<>(List.of(DatasetColumns.IMAGES_TABLE, DatasetColumns.MASKS_TABLE));
    List<String> generators;
    try {
      generators = ds.dir().generators(conf());
    } catch (UsageException e) {
      throw new IllegalArgumentException(reword(e.getMessage()), e);
    }
    for (String t : List.of(DatasetColumns.IMAGES_TABLE, DatasetColumns.MASKS_TABLE)) {
      for (String g : generators) {
        names.add(t + GENERATOR_SEPARATOR + g);
      }
    }
    return names;
  }

  // ---- namespaces (datasets) ----

  @Override
  public String[][] listNamespaces() {
    return datasetsUnderRoot().stream().map(n -> new String[] {n}).toArray(String[][]::new);
  }

  @Override
  public String[][] listNamespaces(String[] namespace) throws NoSuchNamespaceException {
    if (!namespaceExists(namespace)) {
      throw new NoSuchNamespaceException(namespace);
    }
    return new String[0][];
  }

  @Override
  public boolean namespaceExists(String[] namespace) {
    try {
      dataset(namespace);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public Map<String, String> loadNamespaceMetadata(String[] namespace) {
    Dataset ds = dataset(namespace);
    Configuration conf = conf();
    Map<String, String> m = new LinkedHashMap<>();
    m.put(SupportsNamespaces.PROP_LOCATION, ds.location());
    try {
      Snapshot s = ds.dir().snapshot(conf);
      m.put(
          SupportsNamespaces.PROP_COMMENT,
          s == null
              ? "maskgen dataset in the plain Parquet layout"
              : "maskgen dataset at published snapshot "
                  + s.number()
                  + " ("
                  + s.published()
                  + "), generators: "
                  + String.join(", ", s.generatorNames()));
    } catch (UsageException e) {
      throw new IllegalArgumentException(reword(e.getMessage()), e);
    }
    return m;
  }

  /** A dataset folder and how it was named. */
  private record Dataset(String location, DatasetDir dir) {}

  /**
   * The dataset that {@code namespace} names, checked to be one.
   *
   * @throws IllegalArgumentException naming what was asked and what exists
   */
  private Dataset dataset(String[] namespace) {
    if (namespace.length == 0) {
      throw new IllegalArgumentException(
          "Name a maskgen dataset: "
              + name
              + ".`/path/to/dataset`.masks, or "
              + name
              + ".NAME.masks for a dataset under the catalog's root"
              + (root == null ? " (spark.sql.catalog." + name + ".root, not set)" : " " + root));
    }
    boolean isPath =
        namespace.length == 1 && (namespace[0].contains("/") || namespace[0].contains(":"));
    String location;
    if (isPath) {
      location = namespace[0];
    } else if (root == null) {
      throw new IllegalArgumentException(
          "Unknown maskgen dataset '"
              + String.join(".", namespace)
              + "': the catalog "
              + name
              + " has no root (set spark.sql.catalog."
              + name
              + ".root=DIR), so name a dataset by its folder: "
              + name
              + ".`/path/to/dataset`.masks");
    } else {
      location = root + "/" + String.join("/", namespace);
    }
    Configuration conf = conf();
    DatasetDir dir;
    try {
      dir = DatasetDir.of(location);
      dir.check(conf);
    } catch (UsageException e) {
      if (!isPath && !exists(location, conf)) {
        List<String> known = datasetsUnderRoot();
        throw new IllegalArgumentException(
            "Unknown maskgen dataset '"
                + String.join(".", namespace)
                + "': "
                + location
                + " does not exist; datasets under "
                + root
                + ": "
                + (known.isEmpty() ? "none" : String.join(", ", known)),
            e);
      }
      throw new IllegalArgumentException(
          reword(e.getMessage())
              + (isPath ? "" : "; datasets under " + root + ": " + list(datasetsUnderRoot())),
          e);
    }
    return new Dataset(location, dir);
  }

  /** Folders directly under the root that hold a dataset ({@code images/}), sorted. */
  private List<String> datasetsUnderRoot() {
    if (root == null) {
      return List.of();
    }
    Path dir = new Path(root);
    Configuration conf = conf();
    List<String> names = new ArrayList<>();
    try {
      FileSystem fs = dir.getFileSystem(conf);
      for (FileStatus f : fs.listStatus(dir)) {
        String n = f.getPath().getName();
        if (f.isDirectory()
            && !n.startsWith("_")
            && !n.startsWith(".")
            && fs.exists(new Path(f.getPath(), DatasetColumns.IMAGES_TABLE))) {
          names.add(n);
        }
      }
    } catch (FileNotFoundException e) {
      throw new IllegalArgumentException(
          "The root of catalog " + name + " does not exist: " + root, e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + root, e);
    }
    names.sort(null);
    return names;
  }

  // ---- read-only ----

  @Override
  public Table createTable(
      Identifier ident, StructType schema, Transform[] partitions, Map<String, String> props) {
    throw readOnly("create " + ident);
  }

  @Override
  public Table alterTable(Identifier ident, TableChange... changes) {
    throw readOnly("alter " + ident);
  }

  @Override
  public boolean dropTable(Identifier ident) {
    throw readOnly("drop " + ident);
  }

  @Override
  public void renameTable(Identifier from, Identifier to) {
    throw readOnly("rename " + from);
  }

  @Override
  public void createNamespace(String[] namespace, Map<String, String> metadata) {
    throw readOnly("create " + String.join(".", namespace));
  }

  @Override
  public void alterNamespace(String[] namespace, NamespaceChange... changes) {
    throw readOnly("alter " + String.join(".", namespace));
  }

  @Override
  public boolean dropNamespace(String[] namespace, boolean cascade) {
    throw readOnly("drop " + String.join(".", namespace));
  }

  private UnsupportedOperationException readOnly(String what) {
    return new UnsupportedOperationException(
        "The maskgen catalog "
            + name
            + " is read-only: cannot "
            + what
            + "; datasets are written by maskgen generate, import-sa1b and prune");
  }

  // ---- helpers ----

  private static Configuration conf() {
    return SparkSession.active().sparkContext().hadoopConfiguration();
  }

  private static boolean exists(String location, Configuration conf) {
    Path p = new Path(location);
    try {
      return p.getFileSystem(conf).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + location, e);
    }
  }

  private String numbers(Dataset ds) {
    List<Long> n = ds.dir().snapshotNumbers(conf());
    return n.isEmpty() ? "none" : list(n.stream().map(String::valueOf).toList());
  }

  private static String list(List<String> names) {
    return names.isEmpty() ? "none" : String.join(", ", names);
  }

  private static Instant published(Snapshot s) {
    try {
      return Instant.parse(s.published());
    } catch (DateTimeParseException | NullPointerException e) {
      throw new IllegalStateException(
          "Snapshot " + s.number() + " has an unreadable publication time: " + s.published(), e);
    }
  }

  /** A message of the command line's checks, worded without its options. */
  private static String reword(String message) {
    return message
        .replace("Invalid --dataset: ", "Not a maskgen dataset: ")
        .replace("--generator", "generator");
  }

  private static List<String> quoted(String[] parts) {
    return Arrays.stream(parts).map(MaskgenCatalog::quote).toList();
  }

  private static String quote(String part) {
    return part.matches("[A-Za-z_][A-Za-z0-9_]*") ? part : "`" + part.replace("`", "``") + "`";
  }
}
