package io.maskgen.job;

import io.maskgen.job.GenerateFunction.Known;
import io.maskgen.job.GenerateFunction.ShardWork;
import io.maskgen.job.input.FileState;
import io.maskgen.job.input.InputImage;
import io.maskgen.job.input.InputScanner;
import io.maskgen.job.input.Shard;
import io.maskgen.job.table.DatasetStore;
import io.maskgen.job.table.DeltaTables;
import io.maskgen.job.table.Snapshot;
import io.maskgen.schema.DatasetColumns;
import io.maskgen.schema.ImageRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * What a refresh reads, decided from the listing of the inputs and the dataset's {@code images}
 * rows, without opening any input: a file (a loose image or a whole tar shard) whose path, size
 * and modification time (or entity tag) are those recorded on the rows of this generator is
 * unchanged and skipped; so is, as a whole, a tar shard with a row recorded at its current state
 * (a run reads a tar whole and commits all its rows at once). With {@code --retry-failed} a file
 * with a failed row is read again. The rest is read, and each of its tasks gets, through a join on
 * the executors, what the dataset holds of its own images for the content check of {@link
 * GenerateFunction}.
 *
 * <p>Rows written before the {@code input_*} columns existed match no listing: their files are
 * read and checked by content once, and their rows get the files' state recorded.
 */
final class RefreshPlan {

  private static final String SHARD = "l_shard";
  private static final String KEY = "r_key";
  /** What a shard's rows are joined on: the image id of a loose file, the tar's URI. */
  private static final String MATCH = "l_match";

  private final InputScanner.ScanResult changed;
  private final long unchangedFiles;
  private final long unchangedImages;
  private final Supplier<Dataset<Row>> recorded;
  private final boolean retryFailed;

  private RefreshPlan(
      InputScanner.ScanResult changed,
      long unchangedFiles,
      long unchangedImages,
      Supplier<Dataset<Row>> recorded,
      boolean retryFailed) {
    this.changed = changed;
    this.unchangedFiles = unchangedFiles;
    this.unchangedImages = unchangedImages;
    this.recorded = recorded;
    this.retryFailed = retryFailed;
  }

  /**
   * Compares the listing with what the dataset recorded of the files of {@code generator} at the
   * published snapshot {@code before}: the {@link RecordedFiles} kept for that snapshot, else
   * derived from the {@code images} table (and then kept).
   *
   * @param retryFailed whether images that failed before are read again
   * @param verifyContent whether every file is read and checked by content
   */
  static RefreshPlan of(
      SparkSession spark,
      InputScanner.ScanResult scan,
      DatasetStore store,
      Optional<Snapshot> before,
      String generator,
      boolean retryFailed,
      boolean verifyContent) {
    if (before.isEmpty() || before.get().generator(generator).isEmpty()) {
      return new RefreshPlan(scan, 0, 0, null, retryFailed);
    }
    Snapshot snapshot = before.get();
    Supplier<Dataset<Row>> recorded = memoize(() -> recorded(spark, store, snapshot, generator));
    if (verifyContent) {
      return new RefreshPlan(scan, 0, 0, recorded, retryFailed);
    }
    List<RecordedFiles.Entry> entries =
        RecordedFiles.read(store, snapshot.number(), generator)
            .orElseGet(
                () -> {
                  List<RecordedFiles.Entry> e = RecordedFiles.derive(recorded.get(), KEY);
                  RecordedFiles.write(store, snapshot.number(), generator, e);
                  return e;
                });
    Map<String, List<RecordedFiles.Entry>> byFile = new HashMap<>();
    for (RecordedFiles.Entry e : entries) {
      byFile.computeIfAbsent(e.file(), k -> new ArrayList<>()).add(e);
    }
    Set<String> unchanged = new HashSet<>();
    long unread = 0;
    for (InputImage f : scan.files()) {
      RecordedFiles.Entry e = same(byFile.get(f.uri()), f.state(), retryFailed);
      if (e != null && e.images() == 1 && f.imageId().equals(e.imageId())) {
        unchanged.add(f.uri());
        unread++;
      }
    }
    for (String tar : scan.tars()) {
      RecordedFiles.Entry e = same(byFile.get(tar), scan.tarStates().get(tar), retryFailed);
      if (e != null) {
        unchanged.add(tar);
        unread += e.images();
      }
    }
    return new RefreshPlan(
        scan.only(f -> !unchanged.contains(f)), unchanged.size(), unread, recorded, retryFailed);
  }

  /** The entry recorded at {@code state}, unless it has failed images to retry; else null. */
  private static RecordedFiles.Entry same(
      List<RecordedFiles.Entry> entries, FileState state, boolean retryFailed) {
    if (entries == null || state == null) {
      return null;
    }
    for (RecordedFiles.Entry e : entries) {
      if (state.matches(e.size(), e.modified(), e.etag())) {
        return retryFailed && e.failed() > 0 ? null : e;
      }
    }
    return null;
  }

  /**
   * Keeps the {@link RecordedFiles} of {@code generator} at the snapshot {@code next} this run just
   * published on top of {@code before}, so that the next refresh need not read the table. Only the
   * files this run read can have rows that changed: their entries are derived again from their
   * rows (a filtered read that Delta's file statistics on {@code input_file} prune), the others are
   * those kept for {@code before}. Without a list kept for {@code before}, the whole list is
   * derived from the table.
   */
  void keepRecordedFiles(
      SparkSession spark,
      DatasetStore store,
      Optional<Snapshot> before,
      Snapshot next,
      String generator) {
    Optional<List<RecordedFiles.Entry>> kept =
        before.flatMap(b -> RecordedFiles.read(store, b.number(), generator));
    Dataset<Row> images = table(spark, store, next, generator);
    if (kept.isEmpty() || !Set.of(images.columns()).contains(DatasetColumns.INPUT_FILE)) {
      keepRecordedFiles(spark, store, next, generator);
      return;
    }
    Set<String> read = new HashSet<>(changed.tars());
    changed.files().forEach(f -> read.add(f.uri()));
    Column inputFile = functions.col(DatasetColumns.INPUT_FILE);
    Dataset<Row> ofRead =
        recorded(images.where(inputFile.isin(read.toArray()).or(inputFile.isNull())))
            .where(functions.col(KEY).isin(read.toArray()));
    List<RecordedFiles.Entry> entries = new ArrayList<>();
    for (RecordedFiles.Entry e : kept.get()) {
      if (!read.contains(e.file())) {
        entries.add(e);
      }
    }
    entries.addAll(RecordedFiles.derive(ofRead, KEY));
    RecordedFiles.write(store, next.number(), generator, entries);
  }

  /** Derives the whole {@link RecordedFiles} of {@code generator} at {@code snapshot}; keeps it. */
  static void keepRecordedFiles(
      SparkSession spark, DatasetStore store, Snapshot snapshot, String generator) {
    RecordedFiles.write(store, snapshot.number(), generator,
        derivedRecordedFiles(spark, store, snapshot, generator));
  }

  /** The whole {@link RecordedFiles} of {@code generator} at {@code snapshot}, from the table. */
  static List<RecordedFiles.Entry> derivedRecordedFiles(
      SparkSession spark, DatasetStore store, Snapshot snapshot, String generator) {
    return RecordedFiles.derive(recorded(spark, store, snapshot, generator), KEY);
  }

  private static Dataset<Row> recorded(
      SparkSession spark, DatasetStore store, Snapshot snapshot, String generator) {
    return recorded(table(spark, store, snapshot, generator));
  }

  /** The {@code images} rows of {@code generator} at {@code snapshot}. */
  private static Dataset<Row> table(
      SparkSession spark, DatasetStore store, Snapshot snapshot, String generator) {
    return DeltaTables.read(spark, store.table(DatasetColumns.IMAGES_TABLE),
            snapshot.imagesVersion())
        .where(functions.col(DatasetColumns.GENERATOR).equalTo(generator));
  }

  private static <T> Supplier<T> memoize(Supplier<T> s) {
    Object[] value = {null};
    return () -> {
      if (value[0] == null) {
        value[0] = s.get();
      }
      @SuppressWarnings("unchecked")
      T t = (T) value[0];
      return t;
    };
  }

  /** The files to read. */
  InputScanner.ScanResult changed() {
    return changed;
  }

  /** Files (loose images and tar shards) found unchanged and not opened. */
  long unchangedFiles() {
    return unchangedFiles;
  }

  /** The images in {@link #unchangedFiles()}. */
  long unchangedImages() {
    return unchangedImages;
  }

  /**
   * One element per shard, in a partition of its own, with what the dataset holds of the images
   * the shard may contain: by image id for loose files, by tar for tar members.
   */
  JavaRDD<ShardWork> work(SparkSession spark, JavaSparkContext jsc, List<Shard> shards) {
    int n = shards.size();
    List<Integer> indices = IntStream.range(0, n).boxed().toList();
    if (recorded == null) {
      return jsc.parallelize(indices, n).map(i -> new ShardWork(i, new HashMap<>()));
    }
    Dataset<Row> recorded = this.recorded.get();
    List<Row> looseRows = new ArrayList<>();
    List<Row> tarRows = new ArrayList<>();
    for (Shard s : shards) {
      if (s.isTar()) {
        tarRows.add(RowFactory.create(s.index(), s.tarUri()));
      } else {
        for (InputImage f : s.files()) {
          looseRows.add(RowFactory.create(s.index(), f.imageId()));
        }
      }
    }
    Dataset<Row> skippable =
        retryFailed
            ? recorded.where(functions.col(DatasetColumns.STATUS).equalTo(ImageRecord.STATUS_OK))
            : recorded;
    StructType byShard =
        new StructType().add(SHARD, DataTypes.IntegerType, false).add(MATCH, DataTypes.StringType);
    // The filters repeat the joins' conditions so that Delta's file statistics (image_id,
    // input_file) skip the data files that hold none of the shards' images.
    Column inputFile = functions.col(DatasetColumns.INPUT_FILE);
    Dataset<Row> loose =
        spark.createDataFrame(looseRows, byShard)
            .join(
                skippable.where(functions.col(DatasetColumns.IMAGE_ID)
                    .isin(looseRows.stream().map(r -> r.get(1)).toArray())),
                functions.col(MATCH).equalTo(functions.col(DatasetColumns.IMAGE_ID)));
    Dataset<Row> tars =
        spark.createDataFrame(tarRows, byShard)
            .join(
                skippable.where(inputFile.isin(tarRows.stream().map(r -> r.get(1)).toArray())
                    .or(inputFile.isNull())),
                functions.col(MATCH).equalTo(functions.col(KEY)));
    JavaPairRDD<Integer, Tuple2<String, Known>> known =
        loose.unionByName(tars)
            .select(
                functions.col(SHARD),
                functions.col(DatasetColumns.IMAGE_ID),
                functions.col(DatasetColumns.SHA256),
                functions.col(DatasetColumns.INPUT_FILE),
                functions.col(DatasetColumns.INPUT_SIZE),
                functions.col(DatasetColumns.INPUT_MODIFIED),
                functions.col(DatasetColumns.INPUT_ETAG))
            .javaRDD()
            .mapToPair(
                row ->
                    new Tuple2<>(
                        row.getInt(0),
                        new Tuple2<>(
                            row.getString(1),
                            new Known(
                                row.getString(2),
                                row.getString(3),
                                row.isNullAt(4) ? null : row.getLong(4),
                                row.isNullAt(5) ? null : row.getLong(5),
                                row.getString(6)))));
    return jsc.parallelize(indices, n)
        .mapToPair(i -> new Tuple2<>(i, Boolean.TRUE))
        .cogroup(known, new ShardPartitioner(n))
        .map(
            t -> {
              HashMap<String, Known> m = new HashMap<>();
              for (Tuple2<String, Known> k : t._2()._2()) {
                m.put(k._1(), k._2());
              }
              return new ShardWork(t._1(), m);
            });
  }

  /**
   * The rows of the generator with the file each was read from: {@code input_file}, or for rows
   * written before it was recorded, the file of {@code source} (the part before {@code !} of a tar
   * member's).
   */
  private static Dataset<Row> recorded(Dataset<Row> images) {
    Set<String> have = Set.of(images.columns());
    Dataset<Row> rows = images;
    for (String c : DatasetColumns.INPUT_COLUMNS) {
      if (!have.contains(c)) {
        rows = rows.withColumn(c, functions.lit(null).cast(
            c.equals(DatasetColumns.INPUT_SIZE) || c.equals(DatasetColumns.INPUT_MODIFIED)
                ? DataTypes.LongType : DataTypes.StringType));
      }
    }
    Column source = functions.col(DatasetColumns.SOURCE);
    Column key =
        functions.coalesce(
            functions.col(DatasetColumns.INPUT_FILE),
            functions.when(source.contains("!"), functions.substring_index(source, "!", 1))
                .otherwise(source));
    return rows.select(
        key.as(KEY),
        functions.col(DatasetColumns.IMAGE_ID),
        functions.col(DatasetColumns.SHA256),
        functions.col(DatasetColumns.STATUS),
        functions.col(DatasetColumns.INPUT_FILE),
        functions.col(DatasetColumns.INPUT_SIZE),
        functions.col(DatasetColumns.INPUT_MODIFIED),
        functions.col(DatasetColumns.INPUT_ETAG));
  }

  /** Puts shard {@code i} in partition {@code i}: one task per shard. */
  private static final class ShardPartitioner extends Partitioner {
    private final int n;

    ShardPartitioner(int n) {
      this.n = n;
    }

    @Override
    public int numPartitions() {
      return n;
    }

    @Override
    public int getPartition(Object key) {
      return (Integer) key;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ShardPartitioner p && p.n == n;
    }

    @Override
    public int hashCode() {
      return n;
    }
  }
}
