package io.maskgen.job.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.maskgen.job.table.DeltaSessions;
import io.maskgen.spark.SparkSchemas;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/** {@link MaskSearch} on a Parquet masks table of random embeddings, against a brute-force scan. */
class MaskSearchTest {

  private static final int DIM = 16;
  private static final int IMAGES = 40;
  private static final int PER_IMAGE = 50;

  @TempDir static java.nio.file.Path tmp;

  private static SparkSession spark;
  private static Dataset<Row> masks;
  private static final List<Object[]> ROWS = new ArrayList<>();

  @BeforeAll
  static void setUp() {
    spark =
        DeltaSessions.configure(SparkSession.builder())
            .master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    SplittableRandom rnd = new SplittableRandom(5);
    StructType schema = SparkSchemas.masks();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      for (int m = 0; m < PER_IMAGE; m++) {
        // Every 7th mask has no embedding; the others are not unit length (cosine must normalise).
        Float[] e = null;
        if ((i * PER_IMAGE + m) % 7 != 3) {
          e = new Float[DIM];
          for (int k = 0; k < DIM; k++) {
            e[k] = (float) (3 * (rnd.nextDouble() - 0.5));
          }
        }
        Object[] v = new Object[schema.size()];
        v[schema.fieldIndex("image_id")] = "img_" + i;
        v[schema.fieldIndex("mask_id")] = m;
        v[schema.fieldIndex("height")] = 10;
        v[schema.fieldIndex("width")] = 10;
        v[schema.fieldIndex("rle")] = "0`1";
        v[schema.fieldIndex("bbox")] = seq(new Double[] {0.0, 0.0, 10.0, 10.0 + m});
        v[schema.fieldIndex("area")] = 100L;
        v[schema.fieldIndex("predicted_iou")] = 0.9f;
        v[schema.fieldIndex("stability_score")] = 0.95f;
        v[schema.fieldIndex("clip_embedding")] = e == null ? null : seq(e);
        rows.add(RowFactory.create(v));
        ROWS.add(new Object[] {"img_" + i, m, e});
      }
    }
    String path = tmp.resolve("masks").toString();
    spark.createDataFrame(rows, schema).repartition(4).write().parquet(path);
    masks = spark.read().parquet(path);
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
  }

  private static <T> scala.collection.immutable.Seq<T> seq(T[] values) {
    return CollectionConverters.asScala(List.of(values)).toList();
  }

  private static float[] query(long seed, int dim) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] q = new float[dim];
    for (int k = 0; k < dim; k++) {
      q[k] = (float) (rnd.nextDouble() - 0.5);
    }
    return q;
  }

  /** Cosine of every embedded row, best first, by a plain loop. */
  private static List<MaskSearch.Hit> bruteForce(float[] q, String image) {
    List<MaskSearch.Hit> all = new ArrayList<>();
    for (Object[] r : ROWS) {
      Float[] e = (Float[]) r[2];
      if (e == null || (image != null && !image.equals(r[0]))) {
        continue;
      }
      double dot = 0;
      double ne = 0;
      double nq = 0;
      for (int k = 0; k < DIM; k++) {
        dot += (double) e[k] * q[k];
        ne += (double) e[k] * e[k];
        nq += (double) q[k] * q[k];
      }
      all.add(new MaskSearch.Hit((String) r[0], (int) r[1], dot / Math.sqrt(ne * nq), null));
    }
    all.sort(Comparator.comparingDouble(MaskSearch.Hit::score).reversed());
    return all;
  }

  private static void assertSameHits(List<MaskSearch.Hit> actual, List<MaskSearch.Hit> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i).imageId()).as("hit %d", i).isEqualTo(expected.get(i).imageId());
      assertThat(actual.get(i).maskId()).as("hit %d", i).isEqualTo(expected.get(i).maskId());
      assertThat(actual.get(i).score()).isCloseTo(expected.get(i).score(), within(1e-5));
    }
  }

  @Test
  void findsTheSameTopKAsABruteForceScan() {
    for (long seed = 0; seed < 5; seed++) {
      float[] q = query(seed, DIM);
      MaskSearch.Result r = MaskSearch.search(masks, q, 25, null, null);
      List<MaskSearch.Hit> expected = bruteForce(q, null);
      assertSameHits(r.hits(), expected.subList(0, 25));
      assertThat(r.scanned()).isEqualTo(IMAGES * PER_IMAGE);
      assertThat(r.embedded()).isEqualTo(expected.size());
      assertThat(r.hits().get(0).bboxXywh())
          .containsExactly(0, 0, 10, 10 + r.hits().get(0).maskId());
    }
  }

  @Test
  void givesTheSameResultsWithTheRowByRowParquetReader() {
    spark.conf().set("spark.sql.parquet.enableVectorizedReader", "false");
    try {
      Dataset<Row> rowScan = spark.read().parquet(tmp.resolve("masks").toString());
      assertThat(rowScan.queryExecution().executedPlan().toString()).doesNotContain("ColumnarToRow");
      float[] q = query(3, DIM);
      MaskSearch.Result r = MaskSearch.search(rowScan, q, 25, null, null);
      assertSameHits(r.hits(), bruteForce(q, null).subList(0, 25));
      MaskSearch.Result one = MaskSearch.search(rowScan, q, 1000, "img_7", null);
      assertSameHits(one.hits(), bruteForce(q, "img_7"));
      assertThatThrownBy(() -> MaskSearch.search(rowScan, query(1, DIM + 1), 3, "img_0", null))
          .rootCause()
          .hasMessageContaining("of image 'img_0' has a clip_embedding of length " + DIM);
    } finally {
      spark.conf().unset("spark.sql.parquet.enableVectorizedReader");
    }
  }

  @Test
  void filtersByImageAndMinScore() {
    float[] q = query(9, DIM);
    MaskSearch.Result one = MaskSearch.search(masks, q, 1000, "img_7", null);
    assertSameHits(one.hits(), bruteForce(q, "img_7"));
    assertThat(one.scanned()).isEqualTo(PER_IMAGE);

    List<MaskSearch.Hit> all = bruteForce(q, null);
    // Midway between two scores: float rounding must not decide which side a mask falls.
    double t = (all.get(39).score() + all.get(40).score()) / 2;
    MaskSearch.Result above = MaskSearch.search(masks, q, 1000, null, t);
    assertSameHits(above.hits(), all.stream().filter(h -> h.score() >= t).toList());

    assertThat(MaskSearch.search(masks, q, 5, "no-such-image", null).hits()).isEmpty();
  }

  @Test
  void anEmbeddingOfAnotherLengthFailsNamingTheMask() {
    assertThatThrownBy(() -> MaskSearch.search(masks, query(1, DIM + 1), 3, "img_0", null))
        .rootCause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("of image 'img_0' has a clip_embedding of length " + DIM)
        .hasMessageContaining("the text embedding has length " + (DIM + 1));
  }
}
