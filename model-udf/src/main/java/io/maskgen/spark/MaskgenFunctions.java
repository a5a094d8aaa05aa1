package io.maskgen.spark;

import io.maskgen.render.MaskPng;
import io.maskgen.schema.rle.Rle;
import io.maskgen.schema.rle.RleOps;
import io.maskgen.spark.SqlFunction.Arg;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry;
import org.apache.spark.sql.types.DataTypes;

/**
 * The SQL functions over mask datasets. Register them in a session with {@link
 * #register(SparkSession)}, or for every session of an application with {@code --conf
 * spark.sql.extensions=io.maskgen.spark.MaskgenSparkExtensions}.
 *
 * <p>{@code rle} arguments are compressed COCO counts strings (the {@code masks.rle} column), and
 * {@code h}, {@code w} the mask's height and width in pixels (the {@code height} and {@code width}
 * columns); two RLEs combined must have the same size.
 *
 * <table>
 *   <caption>Functions</caption>
 *   <tr><th>call</th><th>result</th></tr>
 *   <tr><td>{@code rle_area(rle, h, w)}</td><td>BIGINT: foreground pixels (COCO
 *       {@code rleArea})</td></tr>
 *   <tr><td>{@code rle_bbox(rle, h, w)}</td><td>ARRAY&lt;DOUBLE&gt;: {@code [x, y, w, h]}
 *       as COCO's {@code rleToBbox}; {@code [0, 0, 0, 0]} for an empty mask</td></tr>
 *   <tr><td>{@code rle_iou(rle_a, rle_b, h, w)}</td><td>DOUBLE: intersection over union, 0 when
 *       disjoint (COCO {@code rleIou}, not crowd)</td></tr>
 *   <tr><td>{@code rle_union(rle_a, rle_b, h, w)}</td><td>STRING: the union, compressed</td></tr>
 *   <tr><td>{@code rle_intersection(rle_a, rle_b, h, w)}</td><td>STRING: the intersection,
 *       compressed</td></tr>
 *   <tr><td>{@code rle_to_png(rle, h, w)}</td><td>BINARY: a 1-bit grayscale PNG of the mask,
 *       foreground white</td></tr>
 *   <tr><td>{@code cosine(a, b)}</td><td>DOUBLE: cosine similarity of two numeric arrays of the
 *       same length; NULL if either has norm 0</td></tr>
 *   <tr><td>{@code clip_text(text)}</td><td>ARRAY&lt;FLOAT&gt;: the text's embedding; only with
 *       {@link #register(SparkSession, TextEmbedder)}</td></tr>
 * </table>
 *
 * <p>Any NULL argument gives NULL. An invalid RLE (a character outside the COCO alphabet, counts
 * that do not sum to {@code h * w}, a non-positive size, two sizes that differ) fails the query
 * with an error whose message starts with the function name, then the problem, e.g. {@code
 * "rle_area: Invalid RLE: 3 counts sum to 10, expected height*width = 4*4 = 16"}. Two arrays of
 * different lengths make {@code cosine} fail likewise. Wrong argument counts or types fail at
 * analysis with Spark's {@code WRONG_NUM_ARGS} and {@code UNEXPECTED_INPUT_TYPE}.
 *
 * <p>Examples:
 *
 * <pre>{@code
 * -- masks whose stored area disagrees with their RLE (none, in a valid dataset)
 * SELECT image_id, mask_id FROM masks WHERE rle_area(rle, height, width) <> area;
 * -- pairs of masks of one image that overlap by more than half
 * SELECT a.mask_id, b.mask_id, rle_iou(a.rle, b.rle, a.height, a.width) AS iou
 * FROM masks a JOIN masks b ON a.image_id = b.image_id AND a.mask_id < b.mask_id
 * WHERE a.image_id = 'sa_1' AND rle_iou(a.rle, b.rle, a.height, a.width) > 0.5;
 * -- the ten masks most similar to a given one
 * SELECT m.image_id, m.mask_id, cosine(m.clip_embedding, q.clip_embedding) AS sim
 * FROM masks m CROSS JOIN (SELECT clip_embedding FROM masks WHERE image_id = 'sa_1'
 * AND mask_id = 3) q ORDER BY sim DESC LIMIT 10;
 * }</pre>
 */
public final class MaskgenFunctions {

  /** Names of the functions {@link #register(SparkSession)} registers. */
  public static final List<String> NAMES =
      List.of(
          "rle_area",
          "rle_bbox",
          "rle_iou",
          "rle_union",
          "rle_intersection",
          "rle_to_png",
          "cosine");

  /** Name of the text-embedding function, registered only with a {@link TextEmbedder}. */
  public static final String CLIP_TEXT = "clip_text";

  private static final List<String> RLE_HW = List.of("rle", "h", "w");
  private static final List<Arg> RLE_HW_TYPES = List.of(Arg.STRING, Arg.INTEGER, Arg.INTEGER);
  private static final List<String> TWO_RLE_HW = List.of("rle_a", "rle_b", "h", "w");
  private static final List<Arg> TWO_RLE_HW_TYPES =
      List.of(Arg.STRING, Arg.STRING, Arg.INTEGER, Arg.INTEGER);

  private MaskgenFunctions() {}

  /** Registers (or replaces) the functions of {@link #NAMES} in {@code spark}. */
  public static void register(SparkSession spark) {
    register(spark, null);
  }

  /**
   * Registers (or replaces) the functions of {@link #NAMES} in {@code spark}, and {@code
   * clip_text(text)} backed by {@code textEmbedder} when it is not null.
   */
  public static void register(SparkSession spark, TextEmbedder textEmbedder) {
    Objects.requireNonNull(spark, "spark");
    FunctionRegistry registry = spark.sessionState().functionRegistry();
    for (SqlFunction f : functions(textEmbedder)) {
      f.registerIn(registry);
    }
  }

  /** The function definitions: {@link #NAMES}, then {@code clip_text} if an embedder is given. */
  static List<SqlFunction> functions(TextEmbedder textEmbedder) {
    List<SqlFunction> fs = new ArrayList<>();
    fs.add(
        new SqlFunction(
            "rle_area",
            RLE_HW,
            RLE_HW_TYPES,
            DataTypes.LongType,
            "_FUNC_(rle, h, w) - Number of foreground pixels of the h x w mask `rle` (a compressed"
                + " COCO RLE string).",
            examples("_FUNC_('52203', 4, 4)", "4"),
            "misc_funcs",
            args -> rle(args, 0).area()));
    fs.add(
        new SqlFunction(
            "rle_bbox",
            RLE_HW,
            RLE_HW_TYPES,
            DataTypes.createArrayType(DataTypes.DoubleType, false),
            "_FUNC_(rle, h, w) - Bounding box [x, y, width, height] in pixels of the mask `rle`,"
                + " as COCO's rleToBbox; [0, 0, 0, 0] for an empty mask.",
            examples("_FUNC_('52203', 4, 4)", "[1.0,1.0,2.0,2.0]"),
            "misc_funcs",
            args -> boxed(rle(args, 0).bboxXywh())));
    fs.add(
        new SqlFunction(
            "rle_iou",
            TWO_RLE_HW,
            TWO_RLE_HW_TYPES,
            DataTypes.DoubleType,
            "_FUNC_(rle_a, rle_b, h, w) - Intersection over union of two h x w masks, in [0, 1];"
                + " 0 when they do not intersect.",
            examples("_FUNC_('02208', '52203', 4, 4)", "0.14285714285714285"),
            "misc_funcs",
            args -> RleOps.iou(rle(args, 0, 2), rle(args, 1, 2))));
    fs.add(
        new SqlFunction(
            "rle_union",
            TWO_RLE_HW,
            TWO_RLE_HW_TYPES,
            DataTypes.StringType,
            "_FUNC_(rle_a, rle_b, h, w) - The pixels in either of two h x w masks, as a"
                + " compressed COCO RLE string.",
            examples("_FUNC_('02208', '52203', 4, 4)", "02210O3"),
            "misc_funcs",
            args -> RleOps.union(rle(args, 0, 2), rle(args, 1, 2)).toCocoString()));
    fs.add(
        new SqlFunction(
            "rle_intersection",
            TWO_RLE_HW,
            TWO_RLE_HW_TYPES,
            DataTypes.StringType,
            "_FUNC_(rle_a, rle_b, h, w) - The pixels in both of two h x w masks, as a compressed"
                + " COCO RLE string.",
            examples("_FUNC_('02208', '52203', 4, 4)", "51:"),
            "misc_funcs",
            args -> RleOps.intersection(rle(args, 0, 2), rle(args, 1, 2)).toCocoString()));
    fs.add(
        new SqlFunction(
            "rle_to_png",
            RLE_HW,
            RLE_HW_TYPES,
            DataTypes.BinaryType,
            "_FUNC_(rle, h, w) - The mask as a w x h 1-bit grayscale PNG file, foreground white.",
            examples("hex(substr(_FUNC_('52203', 4, 4), 1, 8))", "89504E470D0A1A0A"),
            "misc_funcs",
            args -> MaskPng.encode(rle(args, 0))));
    fs.add(
        new SqlFunction(
            "cosine",
            List.of("a", "b"),
            List.of(Arg.NUMERIC_ARRAY, Arg.NUMERIC_ARRAY),
            DataTypes.DoubleType,
            "_FUNC_(a, b) - Cosine similarity of two numeric arrays of the same length (e.g. two"
                + " clip_embedding values); NULL if either array has norm 0.",
            examples("_FUNC_(array(1.0, 0.0), array(1.0, 1.0))", "0.7071067811865475"),
            "math_funcs",
            args -> cosine((scala.collection.Seq<?>) args[0], (scala.collection.Seq<?>) args[1])));
    if (textEmbedder != null) {
      fs.add(
          new SqlFunction(
              CLIP_TEXT,
              List.of("text"),
              List.of(Arg.STRING),
              DataTypes.createArrayType(DataTypes.FloatType, false),
              "_FUNC_(text) - The embedding of `text` in the space of masks.clip_embedding, for"
                  + " cosine(clip_embedding, _FUNC_('a dog')).",
              "",
              "misc_funcs",
              args -> boxed(textEmbedder.embed((String) args[0]))));
    }
    return Collections.unmodifiableList(fs);
  }

  /**
   * Cosine similarity of two numeric vectors, null if either has norm 0.
   *
   * @throws IllegalArgumentException if the lengths differ or an element is null
   */
  static Double cosine(scala.collection.Seq<?> a, scala.collection.Seq<?> b) {
    if (a.size() != b.size()) {
      throw new IllegalArgumentException(
          "the arrays have different lengths: " + a.size() + " and " + b.size());
    }
    double dot = 0;
    double na = 0;
    double nb = 0;
    Iterator<?> ia = scala.jdk.javaapi.CollectionConverters.asJava(a.iterator());
    Iterator<?> ib = scala.jdk.javaapi.CollectionConverters.asJava(b.iterator());
    int i = 0;
    while (ia.hasNext()) {
      double x = element(ia.next(), "first", i);
      double y = element(ib.next(), "second", i);
      dot += x * y;
      na += x * x;
      nb += y * y;
      i++;
    }
    if (na == 0 || nb == 0) {
      return null;
    }
    return dot / (Math.sqrt(na) * Math.sqrt(nb));
  }

  private static double element(Object v, String which, int i) {
    if (v == null) {
      throw new IllegalArgumentException("element " + i + " of the " + which + " array is null");
    }
    return ((Number) v).doubleValue();
  }

  /** Decodes argument {@code i} with the size in the two arguments after it. */
  private static Rle rle(Object[] args, int i) {
    return rle(args, i, i + 1);
  }

  /** Decodes argument {@code i} with the size in arguments {@code hw} (height), {@code hw+1}. */
  private static Rle rle(Object[] args, int i, int hw) {
    return Rle.fromCocoString((String) args[i], size(args[hw], "h"), size(args[hw + 1], "w"));
  }

  private static int size(Object v, String name) {
    long n = ((Number) v).longValue();
    if (n <= 0 || n > Integer.MAX_VALUE) {
      throw new io.maskgen.schema.rle.InvalidRleException(
          "Invalid RLE size: " + name + "=" + n + " must be a positive INT");
    }
    return (int) n;
  }

  private static Double[] boxed(double[] v) {
    Double[] out = new Double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }

  private static Float[] boxed(float[] v) {
    Float[] out = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }

  private static String examples(String call, String result) {
    return "\n    Examples:\n      > SELECT " + call + ";\n       " + result + "\n  ";
  }
}
