package io.maskgen.job.query;

import static org.apache.spark.sql.functions.col;

import io.maskgen.schema.DatasetColumns;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;

/**
 * Finds the masks whose {@code clip_embedding} is most similar (cosine) to a query embedding.
 *
 * <p>One pass over the table, no shuffle and no global sort: the image filter is pushed down to
 * the Parquet scan, only {@code image_id}, {@code mask_id}, {@code bbox} and {@code
 * clip_embedding} are read, and each partition scores its rows straight from Spark's internal row
 * format (no conversion to Java objects per row) and keeps its best {@code k} in a bounded heap;
 * the driver merges the partitions' heaps. Ties are broken by {@code image_id}, then {@code
 * mask_id}, so the result is deterministic.
 */
public final class MaskSearch {

  /**
   * One found mask.
   *
   * @param score cosine similarity of its {@code clip_embedding} and the query
   * @param bboxXywh its {@code bbox}: {@code [x, y, w, h]} in pixels
   */
  public record Hit(String imageId, int maskId, double score, double[] bboxXywh)
      implements Serializable {}

  /**
   * The best hits, best first, and what was looked at.
   *
   * @param scanned masks read (after the image filter)
   * @param embedded masks among them with a {@code clip_embedding}
   */
  public record Result(List<Hit> hits, long scanned, long embedded) {}

  /** Best first: score descending, then image_id, then mask_id. */
  static final Comparator<Hit> BEST_FIRST =
      Comparator.comparingDouble(Hit::score)
          .reversed()
          .thenComparing(Hit::imageId)
          .thenComparingInt(Hit::maskId);

  private MaskSearch() {}

  /**
   * The {@code k} masks of {@code masks} most similar to {@code query}.
   *
   * @param masks a {@code masks} table
   * @param query the query embedding (any length; normally unit length, from {@code clip_text})
   * @param k how many to return, at least 1
   * @param imageId only masks of this image, or null for all
   * @param minScore only masks scoring at least this, or null
   * @throws IllegalArgumentException (when the job runs) if an embedding's length differs from the
   *     query's, naming the mask
   */
  public static Result search(
      Dataset<Row> masks, float[] query, int k, String imageId, Double minScore) {
    Objects.requireNonNull(query, "query");
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1: " + k);
    }
    double queryNorm = 0;
    for (float q : query) {
      queryNorm += (double) q * q;
    }
    if (!(queryNorm > 0)) {
      throw new IllegalArgumentException("the query embedding has norm 0");
    }
    Dataset<Row> rows = masks;
    if (imageId != null) {
      rows = rows.where(col(DatasetColumns.IMAGE_ID).equalTo(imageId));
    }
    rows =
        rows.select(
            DatasetColumns.IMAGE_ID,
            DatasetColumns.MASK_ID,
            DatasetColumns.BBOX,
            DatasetColumns.CLIP_EMBEDDING);
    float[] unitQuery = new float[query.length];
    for (int i = 0; i < query.length; i++) {
      unitQuery[i] = (float) (query[i] / Math.sqrt(queryNorm));
    }
    double threshold = minScore == null ? Double.NEGATIVE_INFINITY : minScore;
    JavaRDD<InternalRow> internal = rows.queryExecution().toRdd().toJavaRDD();
    List<PartitionTop> tops =
        internal
            .mapPartitions(it -> List.of(topOf(it, unitQuery, k, threshold)).iterator())
            .collect();
    List<Hit> all = new ArrayList<>();
    long scanned = 0;
    long embedded = 0;
    for (PartitionTop t : tops) {
      all.addAll(t.hits());
      scanned += t.scanned();
      embedded += t.embedded();
    }
    all.sort(BEST_FIRST);
    return new Result(List.copyOf(all.subList(0, Math.min(k, all.size()))), scanned, embedded);
  }

  /** One partition's best hits (unordered) and counts. */
  record PartitionTop(List<Hit> hits, long scanned, long embedded) implements Serializable {}

  /**
   * Scores the rows ({@code image_id, mask_id, bbox, clip_embedding}) of one partition and keeps
   * the best {@code k} at or above {@code threshold}.
   */
  static PartitionTop topOf(Iterator<InternalRow> it, float[] query, int k, double threshold) {
    // The heap's head is the worst hit kept.
    PriorityQueue<Hit> heap = new PriorityQueue<>(k + 1, BEST_FIRST.reversed());
    int d = query.length;
    long scanned = 0;
    long embedded = 0;
    while (it.hasNext()) {
      InternalRow r = it.next();
      scanned++;
      if (r.isNullAt(3)) {
        continue;
      }
      embedded++;
      ArrayData e = r.getArray(3);
      if (e.numElements() != d) {
        throw new IllegalArgumentException(
            "mask "
                + r.getInt(1)
                + " of image '"
                + r.getUTF8String(0)
                + "' has a clip_embedding of length "
                + e.numElements()
                + ", but the text embedding has length "
                + d
                + " (was the dataset embedded with another CLIP model? see --clip-model)");
      }
      double dot = 0;
      double norm = 0;
      for (int i = 0; i < d; i++) {
        float v = e.getFloat(i);
        dot += (double) v * query[i];
        norm += (double) v * v;
      }
      if (norm == 0) {
        continue;
      }
      double score = dot / Math.sqrt(norm);
      if (score < threshold) {
        continue;
      }
      if (heap.size() == k && score < heap.peek().score()) {
        continue;
      }
      double[] bbox = r.isNullAt(2) ? null : r.getArray(2).toDoubleArray();
      heap.add(new Hit(r.getUTF8String(0).toString(), r.getInt(1), score, bbox));
      if (heap.size() > k) {
        heap.poll();
      }
    }
    return new PartitionTop(new ArrayList<>(heap), scanned, embedded);
  }
}
