package io.maskgen.spark;

import org.apache.spark.sql.SparkSessionExtensions;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * Spark session extension that adds the maskgen SQL functions ({@link MaskgenFunctions#NAMES}) to
 * every session of an application, next to Spark's built-in functions:
 *
 * <pre>{@code
 * spark-submit --jars maskgen-engine.jar \
 *   --conf spark.sql.extensions=io.maskgen.spark.MaskgenSparkExtensions ...
 *
 * SparkSession.builder()
 *     .config("spark.sql.extensions", "io.maskgen.spark.MaskgenSparkExtensions")
 *     .getOrCreate();
 * }</pre>
 *
 * <p>{@code clip_text} needs a model and is not added here; register it with {@link
 * MaskgenFunctions#register(org.apache.spark.sql.SparkSession, TextEmbedder)}.
 */
public final class MaskgenSparkExtensions
    extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {

  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    for (SqlFunction f : MaskgenFunctions.functions(null)) {
      extensions.injectFunction(f.description());
    }
    return BoxedUnit.UNIT;
  }
}
