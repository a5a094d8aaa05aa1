package io.maskgen.spark;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.Function1;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * Spark session extension that adds the maskgen SQL functions ({@link MaskgenFunctions#NAMES}) to
 * every session of an application, next to Spark's built-in functions, and, where the maskgen
 * engine jar is on the class path, the catalog of datasets {@code maskgen}
 * ({@code io.maskgen.spark.MaskgenCatalog}):
 *
 * <pre>{@code
 * spark-submit --jars maskgen-engine.jar \
 *   --conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension,\
 * io.maskgen.spark.MaskgenSparkExtensions ...
 *
 * SparkSession.builder()
 *     .config("spark.sql.extensions", "io.maskgen.spark.MaskgenSparkExtensions")
 *     .getOrCreate();
 * }</pre>
 *
 * <p>The catalog is registered under the name {@value #CATALOG_NAME} unless the session sets
 * {@code spark.sql.catalog.maskgen} itself, or sets {@value #CATALOG_KEY}{@code =false}; its root
 * is {@code spark.sql.catalog.maskgen.root} as usual. {@code clip_text} needs a model and is not
 * added here; register it with {@link
 * MaskgenFunctions#register(org.apache.spark.sql.SparkSession, TextEmbedder)}.
 */
public final class MaskgenSparkExtensions
    extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {

  /** Session setting: {@code false} keeps the extension from registering the catalog. */
  public static final String CATALOG_KEY = "spark.maskgen.catalog";

  /** The name under which the catalog is registered. */
  public static final String CATALOG_NAME = "maskgen";

  /** The catalog's class, in the engine jar (this module does not depend on it). */
  public static final String CATALOG_CLASS = "io.maskgen.spark.MaskgenCatalog";

  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    for (SqlFunction f : MaskgenFunctions.functions(null)) {
      extensions.injectFunction(f.description());
    }
    // Check rules are built with each session's analyzer, before it resolves any catalog name.
    extensions.injectCheckRule(new RegisterCatalog());
    return BoxedUnit.UNIT;
  }

  /** Registers the catalog in a session's settings; checks nothing. */
  private static final class RegisterCatalog
      extends AbstractFunction1<SparkSession, Function1<LogicalPlan, BoxedUnit>> {

    @Override
    public Function1<LogicalPlan, BoxedUnit> apply(SparkSession session) {
      String key = "spark.sql.catalog." + CATALOG_NAME;
      if (!session.conf().contains(key)
          && !"false".equalsIgnoreCase(session.conf().get(CATALOG_KEY, "true"))
          && catalogOnClassPath()) {
        session.conf().set(key, CATALOG_CLASS);
      }
      return new AbstractFunction1<>() {
        @Override
        public BoxedUnit apply(LogicalPlan plan) {
          return BoxedUnit.UNIT;
        }
      };
    }
  }

  private static boolean catalogOnClassPath() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    try {
      Class.forName(
          CATALOG_CLASS,
          false,
          loader != null ? loader : MaskgenSparkExtensions.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
