package io.maskgen.spark;

import io.maskgen.job.query.DatasetDir;
import io.maskgen.job.table.Snapshot;
import io.maskgen.schema.DatasetColumns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.SupportsPushDownFilters;
import org.apache.spark.sql.connector.read.SupportsPushDownRequiredColumns;
import org.apache.spark.sql.connector.read.V1Scan;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.sources.And;
import org.apache.spark.sql.sources.BaseRelation;
import org.apache.spark.sql.sources.EqualNullSafe;
import org.apache.spark.sql.sources.EqualTo;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.sources.GreaterThan;
import org.apache.spark.sql.sources.GreaterThanOrEqual;
import org.apache.spark.sql.sources.In;
import org.apache.spark.sql.sources.IsNotNull;
import org.apache.spark.sql.sources.IsNull;
import org.apache.spark.sql.sources.LessThan;
import org.apache.spark.sql.sources.LessThanOrEqual;
import org.apache.spark.sql.sources.Not;
import org.apache.spark.sql.sources.Or;
import org.apache.spark.sql.sources.StringStartsWith;
import org.apache.spark.sql.sources.TableScan;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * One table of {@link MaskgenCatalog}: {@code images} or {@code masks} of a dataset at one
 * published snapshot, one generator's rows, read-only. The scan reads the Delta table at the
 * snapshot's version with the generator filter (as {@link DatasetDir} does for {@code maskgen
 * sql}), after column pruning and with simple filters passed on to Delta for data skipping.
 */
final class SnapshotTable implements SupportsRead {

  private final String name;
  private final String table;
  private final DatasetDir dir;
  private final Snapshot snapshot;
  private final String generator;
  private final StructType schema;

  /**
   * @param name the name Spark shows ({@code maskgen.ds.masks})
   * @param table {@link DatasetColumns#MASKS_TABLE} or {@link DatasetColumns#IMAGES_TABLE}
   * @param dir the dataset, its snapshot and generator resolved already
   * @param snapshot the snapshot read; null for a dataset in the plain Parquet layout
   * @param generator the generator whose rows are read; null for a plain Parquet dataset
   */
  SnapshotTable(String name, String table, DatasetDir dir, Snapshot snapshot, String generator) {
    this.name = name;
    this.table = table;
    this.dir = dir;
    this.snapshot = snapshot;
    this.generator = generator;
    this.schema = commented(table);
  }

  /** The table's columns with their one-line descriptions as comments. */
  static StructType commented(String table) {
    boolean masks = table.equals(DatasetColumns.MASKS_TABLE);
    StructType plain = masks ? SparkSchemas.masks() : SparkSchemas.images();
    Map<String, String> comments =
        masks ? DatasetColumns.MASKS_COMMENTS : DatasetColumns.IMAGES_COMMENTS;
    StructField[] fields = plain.fields().clone();
    for (int i = 0; i < fields.length; i++) {
      String c = comments.get(fields[i].name());
      if (c != null) {
        fields[i] = fields[i].withComment(c);
      }
    }
    return new StructType(fields);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  @SuppressWarnings("deprecation")
  public StructType schema() {
    return schema;
  }

  @Override
  public Set<TableCapability> capabilities() {
    return Set.of(TableCapability.BATCH_READ);
  }

  @Override
  public Map<String, String> properties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("provider", "maskgen");
    p.put("location", dir.root());
    p.put(
        "comment",
        (table.equals(DatasetColumns.MASKS_TABLE) ? "one row per mask" : "one row per image")
            + (snapshot == null
                ? " (plain Parquet dataset, read whole)"
                : " of generator " + generator + " at published snapshot " + snapshot.number()));
    if (snapshot != null) {
      p.put("maskgen.snapshot", Long.toString(snapshot.number()));
      p.put("maskgen.published", String.valueOf(snapshot.published()));
      p.put("maskgen.run_id", String.valueOf(snapshot.runId()));
      p.put("maskgen.generator", generator);
      p.put(
          "maskgen.delta_version",
          Long.toString(
              table.equals(DatasetColumns.MASKS_TABLE)
                  ? snapshot.masksVersion()
                  : snapshot.imagesVersion()));
    }
    return p;
  }

  @Override
  public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
    return new Builder();
  }

  /** The rows of the table at the snapshot, all columns, before pruning and filters. */
  private Dataset<Row> rows() {
    SparkSession spark = SparkSession.active();
    return table.equals(DatasetColumns.MASKS_TABLE) ? dir.masks(spark) : dir.images(spark);
  }

  private final class Builder
      implements ScanBuilder, SupportsPushDownRequiredColumns, SupportsPushDownFilters {

    private StructType required = schema;
    private Filter[] pushed = new Filter[0];
    private final List<Column> conditions = new ArrayList<>();

    @Override
    public void pruneColumns(StructType requiredSchema) {
      // Keep the comments: Spark checks that the relation's schema equals the scan's.
      List<StructField> fields = new ArrayList<>();
      for (StructField f : requiredSchema.fields()) {
        fields.add(schema.apply(f.name()));
      }
      required = new StructType(fields.toArray(new StructField[0]));
    }

    @Override
    public Filter[] pushFilters(Filter[] filters) {
      List<Filter> accepted = new ArrayList<>();
      for (Filter f : filters) {
        Column c = toColumn(f);
        if (c != null) {
          accepted.add(f);
          conditions.add(c);
        }
      }
      pushed = accepted.toArray(new Filter[0]);
      // Spark evaluates every filter again after the scan; pushing only narrows what is read.
      return filters;
    }

    @Override
    public Filter[] pushedFilters() {
      return pushed;
    }

    @Override
    public Scan build() {
      return new SnapshotScan(required, List.copyOf(conditions));
    }
  }

  private final class SnapshotScan implements V1Scan {

    private final StructType readSchema;
    private final List<Column> conditions;

    SnapshotScan(StructType readSchema, List<Column> conditions) {
      this.readSchema = readSchema;
      this.conditions = conditions;
    }

    @Override
    public StructType readSchema() {
      return readSchema;
    }

    @Override
    public String description() {
      return name
          + (snapshot == null ? "" : " [snapshot " + snapshot.number() + ", " + generator + "]")
          + (conditions.isEmpty() ? "" : " " + conditions);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends BaseRelation & TableScan> T toV1TableScan(SQLContext context) {
      return (T) new Relation(context, readSchema, conditions);
    }
  }

  /** The rows of a scan, as Spark's V1 read path wants them. */
  private final class Relation extends BaseRelation implements TableScan {

    private final SQLContext context;
    private final StructType readSchema;
    private final List<Column> conditions;

    Relation(SQLContext context, StructType readSchema, List<Column> conditions) {
      this.context = context;
      this.readSchema = readSchema;
      this.conditions = conditions;
    }

    @Override
    public SQLContext sqlContext() {
      return context;
    }

    @Override
    public StructType schema() {
      return readSchema;
    }

    @Override
    public RDD<Row> buildScan() {
      Dataset<Row> rows = rows();
      for (Column c : conditions) {
        rows = rows.where(c);
      }
      Column[] columns =
          Arrays.stream(readSchema.fieldNames()).map(functions::col).toArray(Column[]::new);
      return rows.select(columns).rdd();
    }
  }

  /** {@code f} as a column expression, or null when it is not one that this scan passes on. */
  static Column toColumn(Filter f) {
    if (f instanceof EqualTo e) {
      return col(e.attribute()).equalTo(functions.lit(e.value()));
    } else if (f instanceof EqualNullSafe e) {
      return col(e.attribute()).eqNullSafe(functions.lit(e.value()));
    } else if (f instanceof GreaterThan e) {
      return col(e.attribute()).gt(functions.lit(e.value()));
    } else if (f instanceof GreaterThanOrEqual e) {
      return col(e.attribute()).geq(functions.lit(e.value()));
    } else if (f instanceof LessThan e) {
      return col(e.attribute()).lt(functions.lit(e.value()));
    } else if (f instanceof LessThanOrEqual e) {
      return col(e.attribute()).leq(functions.lit(e.value()));
    } else if (f instanceof In e) {
      return col(e.attribute()).isin(e.values());
    } else if (f instanceof IsNull e) {
      return col(e.attribute()).isNull();
    } else if (f instanceof IsNotNull e) {
      return col(e.attribute()).isNotNull();
    } else if (f instanceof StringStartsWith e) {
      return col(e.attribute()).startsWith(e.value());
    } else if (f instanceof And e) {
      Column l = toColumn(e.left());
      Column r = toColumn(e.right());
      return l == null || r == null ? null : l.and(r);
    } else if (f instanceof Or e) {
      Column l = toColumn(e.left());
      Column r = toColumn(e.right());
      return l == null || r == null ? null : l.or(r);
    } else if (f instanceof Not e) {
      Column c = toColumn(e.child());
      return c == null ? null : functions.not(c);
    }
    return null;
  }

  /** A top-level column; the attribute names of filters quote names that need it. */
  private static Column col(String attribute) {
    return functions.col(attribute);
  }
}
