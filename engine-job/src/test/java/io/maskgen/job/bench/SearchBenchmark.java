package io.maskgen.job.bench;

import io.maskgen.job.query.DatasetClip;
import io.maskgen.job.query.DatasetDir;
import io.maskgen.job.query.MaskSearch;
import io.maskgen.model.djl.DeviceChoice;
import io.maskgen.schema.DatasetColumns;
import io.maskgen.spark.ClipTextEmbedder;
import io.maskgen.spark.ExecutorPipelines;
import io.maskgen.spark.MaskgenFunctions;
import io.maskgen.spark.SparkSchemas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Search latency on synthetic mask datasets of 10^4, 10^5 and 10^6 masks (100 masks per image,
 * random unit-length embeddings), written as Parquet in the layout {@code generate} writes ({@code
 * images/}, {@code masks/}, {@code _runs/}) under {@code engine-job/target/search-bench/} (reused
 * when present).
 *
 * <p>For each size, on {@code local[2]}, it times {@code maskgen search}'s query path ({@link
 * DatasetClip} + text embedding + {@link MaskSearch}, top 10) and, for comparison, the same top 10
 * in SQL ({@code ORDER BY cosine(clip_embedding, clip_text(...)) DESC LIMIT 10}): two warm-up runs,
 * then the median of five (three for SQL). The embedding dimension is the shipped tiny-clip's
 * (queries embedded by it); {@code --dim N} uses N instead, with a random query vector (a real
 * CLIP ViT-B has 512).
 *
 * <p>Arguments: {@code [--dim N] [--sizes 10000,100000,1000000] [--dir DIR] [--no-sql]}.
 */
public final class SearchBenchmark {

  private static final int MASKS_PER_IMAGE = 100;
  private static final int WARMUP = 2;
  private static final int RUNS = 5;
  private static final int SQL_RUNS = 3;

  private SearchBenchmark() {}

  public static void main(String[] args) throws Exception {
    Integer dim = null;
    long[] sizes = {10_000, 100_000, 1_000_000};
    Path root = Path.of("target/search-bench");
    boolean sql = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--dim" -> dim = Integer.parseInt(args[++i]);
        case "--sizes" ->
            sizes = Arrays.stream(args[++i].split(",")).mapToLong(Long::parseLong).toArray();
        case "--dir" -> root = Path.of(args[++i]);
        case "--no-sql" -> sql = false;
        default -> throw new IllegalArgumentException("Unknown argument: " + args[i]);
      }
    }
    int clipDim = ExecutorPipelines.clip("tiny-clip", DeviceChoice.CPU).embedText("red").length;
    boolean realQuery = dim == null || dim == clipDim;
    int d = dim == null ? clipDim : dim;
    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("search-bench")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.warehouse.dir", root.resolve("spark-warehouse").toString())
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    System.out.printf(
        Locale.ROOT,
        "search benchmark: local[2], %d-d embeddings (tiny-clip has %d), %d cores, Java %s%n",
        d,
        clipDim,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    System.out.println("| masks | search (median) | SQL ORDER BY cosine LIMIT 10 (median) |");
    System.out.println("|---:|---:|---:|");
    try {
      for (long n : sizes) {
        Path dir = root.resolve("d" + d + "-n" + n);
        if (!Files.exists(dir.resolve("_runs/bench.json"))) {
          write(spark, dir, n, d);
        }
        DatasetDir dataset = DatasetDir.of(dir.toString());
        float[] query = realQuery ? null : randomUnit(new SplittableRandom(99), d);
        double[] search = time(WARMUP, RUNS, () -> search(spark, dataset, query));
        String sqlTime = "-";
        if (sql) {
          MaskgenFunctions.register(
              spark,
              new ClipTextEmbedder(
                  DatasetClip.location(dataset, null, spark.sparkContext().hadoopConfiguration())));
          dataset.registerViews(spark);
          double[] t = time(WARMUP, SQL_RUNS, () -> sqlTop(spark, dataset, query));
          sqlTime = ms(median(t));
        }
        System.out.printf(
            Locale.ROOT, "| %,d | %s | %s |%n", n, ms(median(search)), sqlTime);
      }
    } finally {
      spark.stop();
    }
  }

  /** The query path of {@code maskgen search}: model from the run report, text, top 10. */
  private static long search(SparkSession spark, DatasetDir dataset, float[] fixedQuery) {
    float[] q = fixedQuery;
    if (q == null) {
      String location =
          DatasetClip.location(dataset, null, spark.sparkContext().hadoopConfiguration());
      q = new ClipTextEmbedder(location).embed("red");
    }
    MaskSearch.Result r = MaskSearch.search(dataset.masks(spark), q, 10, null, null);
    if (r.hits().size() != 10) {
      throw new IllegalStateException("expected 10 hits, got " + r.hits().size());
    }
    return r.scanned();
  }

  /** The same top 10 in SQL, over the views registered by the caller. */
  private static long sqlTop(SparkSession spark, DatasetDir dataset, float[] fixedQuery) {
    String q;
    if (fixedQuery == null) {
      q = "clip_text('red')";
    } else {
      StringBuilder sb = new StringBuilder("array(");
      for (int i = 0; i < fixedQuery.length; i++) {
        sb.append(i == 0 ? "" : ", ").append(fixedQuery[i]).append('F');
      }
      q = sb.append(')').toString();
    }
    List<Row> rows =
        spark
            .sql(
                "SELECT image_id, mask_id, cosine(clip_embedding, "
                    + q
                    + ") AS score FROM masks ORDER BY score DESC LIMIT 10")
            .collectAsList();
    return rows.size();
  }

  /** Writes {@code n} masks (100 per image) and their images as {@code generate} lays them out. */
  static void write(SparkSession spark, Path dir, long n, int d) throws IOException {
    long start = System.nanoTime();
    long images = (n + MASKS_PER_IMAGE - 1) / MASKS_PER_IMAGE;
    int files = (int) Math.max(2, n / 250_000);
    StructType schema = SparkSchemas.masks();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Integer> parts = IntStream.range(0, files).boxed().toList();
    JavaRDD<Row> masks =
        jsc.parallelize(parts, files)
            .flatMap(p -> maskRows(p, files, n, d, schema.size()));
    spark
        .createDataFrame(masks, schema)
        .write()
        .mode("overwrite")
        .parquet(dir.resolve(DatasetColumns.MASKS_TABLE).toString());
    List<Row> imageRows = new ArrayList<>();
    for (long i = 0; i < images; i++) {
      imageRows.add(
          RowFactory.create(
              "img_" + i, "file:/bench/img_" + i + ".jpg", null, 640, 480, "ok", null,
              (int) Math.min(MASKS_PER_IMAGE, n - i * MASKS_PER_IMAGE), "bench", "bench", 0.1,
              null, null, null, null));
    }
    spark
        .createDataFrame(imageRows, SparkSchemas.images())
        .coalesce(1)
        .write()
        .mode("overwrite")
        .parquet(dir.resolve(DatasetColumns.IMAGES_TABLE).toString());
    Files.createDirectories(dir.resolve("_runs"));
    Files.writeString(
        dir.resolve("_runs/bench.json"),
        "{\"run_id\": \"bench\", \"started\": \"2025-11-26T00:00:00Z\", \"clip\": \"tiny-clip\","
            + " \"masks\": "
            + n
            + "}");
    System.out.printf(
        Locale.ROOT,
        "(wrote %,d masks of %d-d embeddings to %s in %.1f s)%n",
        n,
        d,
        dir,
        (System.nanoTime() - start) / 1e9);
  }

  private static Iterator<Row> maskRows(int part, int parts, long n, int d, int columns) {
    long from = n * part / parts;
    long to = n * (part + 1) / parts;
    SplittableRandom rnd = new SplittableRandom(1234 + part);
    // One plausible 640x480 mask (a 100 x 80 box); search reads neither rle nor area.
    String rle = io.maskgen.schema.rle.Rle.encodeRowMajor(box(640, 480), 480, 640).toCocoString();
    return new Iterator<>() {
      long i = from;

      @Override
      public boolean hasNext() {
        return i < to;
      }

      @Override
      public Row next() {
        long id = i++;
        float[] e = randomUnit(rnd, d);
        Float[] boxed = new Float[d];
        for (int k = 0; k < d; k++) {
          boxed[k] = e[k];
        }
        Object[] v = new Object[columns];
        int c = 0;
        v[c++] = "img_" + id / MASKS_PER_IMAGE;
        v[c++] = (int) (id % MASKS_PER_IMAGE);
        v[c++] = 480;
        v[c++] = 640;
        v[c++] = rle;
        v[c++] = seq(new Double[] {100.0, 100.0, 100.0, 80.0});
        v[c++] = 8000L;
        v[c++] = (float) (0.88 + 0.12 * rnd.nextDouble());
        v[c++] = (float) (0.95 + 0.05 * rnd.nextDouble());
        v[c++] = seq(new Object[] {seq(new Double[] {150.0, 140.0})});
        v[c++] = seq(new Integer[] {0, 0, 640, 480});
        v[c++] = seq(boxed);
        v[c++] = "bench";
        v[c] = "bench";
        return RowFactory.create(v);
      }
    };
  }

  private static byte[] box(int w, int h) {
    byte[] m = new byte[w * h];
    for (int y = 100; y < 180; y++) {
      Arrays.fill(m, y * w + 100, y * w + 200, (byte) 1);
    }
    return m;
  }

  private static <T> scala.collection.immutable.Seq<T> seq(T[] values) {
    return CollectionConverters.asScala(List.of(values)).toList();
  }

  static float[] randomUnit(SplittableRandom rnd, int d) {
    float[] e = new float[d];
    double norm = 0;
    for (int k = 0; k < d; k++) {
      // Normal via Box-Muller: uniform directions on the sphere.
      double u = 1 - rnd.nextDouble();
      double v = rnd.nextDouble();
      e[k] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
      norm += (double) e[k] * e[k];
    }
    for (int k = 0; k < d; k++) {
      e[k] = (float) (e[k] / Math.sqrt(norm));
    }
    return e;
  }

  private interface Run {
    long run() throws Exception;
  }

  private static double[] time(int warmup, int runs, Run r) throws Exception {
    for (int i = 0; i < warmup; i++) {
      r.run();
    }
    double[] t = new double[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      r.run();
      t[i] = (System.nanoTime() - start) / 1e6;
    }
    return t;
  }

  private static double median(double[] t) {
    double[] s = t.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static String ms(double ms) {
    return ms >= 1000
        ? String.format(Locale.ROOT, "%.2f s", ms / 1000)
        : String.format(Locale.ROOT, "%.0f ms", ms);
  }
}
