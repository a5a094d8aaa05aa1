package io.maskgen.spark;

import io.maskgen.schema.rle.InvalidRleException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.catalyst.expressions.ScalaUDF;
import org.apache.spark.sql.errors.QueryCompilationErrors;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import scala.Function1;
import scala.Option;
import scala.Tuple3;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.AbstractFunction3;
import scala.runtime.AbstractFunction4;

/**
 * One SQL function: its name, documented signature and a plain Java body, turned into what Spark's
 * function registry takes (a builder of {@link ScalaUDF} expressions, the same one for {@code
 * injectFunction} and for registering into a running session, so both behave identically).
 *
 * <p>Argument types are checked when the query is analysed, with Spark's own error classes. The
 * body receives Java values (String, boxed numbers, {@code scala.collection.Seq} for arrays) and is
 * never called with a null argument: any null argument makes the result null. An exception from the
 * body fails the query; its message is prefixed with the function name.
 */
final class SqlFunction {

  /** What an argument accepts. */
  enum Arg {
    STRING("STRING"),
    INTEGER("INT"),
    NUMERIC_ARRAY("ARRAY<FLOAT or DOUBLE>");

    final String sql;

    Arg(String sql) {
      this.sql = sql;
    }

    boolean accepts(DataType t) {
      if (t instanceof NullType) {
        return true;
      }
      return switch (this) {
        case STRING -> t instanceof StringType;
        case INTEGER ->
            t instanceof IntegerType
                || t instanceof LongType
                || t instanceof ShortType
                || t instanceof ByteType;
        case NUMERIC_ARRAY -> t instanceof ArrayType a && a.elementType() instanceof NumericType;
      };
    }
  }

  /** The computation, called once per row on executors. Arguments are never null. */
  @FunctionalInterface
  interface Body extends Serializable {
    Object call(Object[] args);
  }

  private final String name;
  private final List<String> params;
  private final List<Arg> types;
  private final DataType returnType;
  private final ExpressionInfo info;
  private final Body body;

  /**
   * @param params parameter names, for error messages and usage
   * @param usage one sentence, starting with the call, e.g. {@code "_FUNC_(rle, h, w) - ..."}
   * @param examples Spark's format: {@code "\n Examples:\n > SELECT ...;\n 1\n "}
   * @param group one of Spark's function groups, e.g. {@code "misc_funcs"}
   */
  SqlFunction(
      String name,
      List<String> params,
      List<Arg> types,
      DataType returnType,
      String usage,
      String examples,
      String group,
      Body body) {
    if (params.size() != types.size() || params.isEmpty() || params.size() > 4) {
      throw new IllegalArgumentException("Invalid parameters of " + name + ": " + params);
    }
    this.name = name;
    this.params = List.copyOf(params);
    this.types = List.copyOf(types);
    this.returnType = returnType;
    this.body = body;
    StringBuilder arguments = new StringBuilder("\n    Arguments:\n");
    for (int i = 0; i < params.size(); i++) {
      arguments.append("      * ").append(params.get(i)).append(" - ").append(types.get(i).sql);
      arguments.append('\n');
    }
    this.info =
        new ExpressionInfo(
            MaskgenFunctions.class.getName(),
            null,
            name,
            usage,
            arguments.toString(),
            examples,
            "",
            group,
            "",
            "",
            "java_udf");
  }

  String name() {
    return name;
  }

  ExpressionInfo info() {
    return info;
  }

  /** What {@code SparkSessionExtensions.injectFunction} takes. */
  Tuple3<FunctionIdentifier, ExpressionInfo, Function1<Seq<Expression>, Expression>> description() {
    return new Tuple3<>(new FunctionIdentifier(name), info, new Builder(this));
  }

  /** Registers (or replaces) this function in a session's registry. */
  void registerIn(FunctionRegistry registry) {
    registry.registerFunction(new FunctionIdentifier(name), info, new Builder(this));
  }

  /** Builds the expression for one call site: checks the arguments, wraps the body. */
  private static final class Builder extends AbstractFunction1<Seq<Expression>, Expression> {
    private final SqlFunction f;

    Builder(SqlFunction f) {
      this.f = f;
    }

    @Override
    public Expression apply(Seq<Expression> children) {
      int n = f.params.size();
      if (children.size() != n) {
        throw sneaky(
            QueryCompilationErrors.wrongNumArgsError(
                f.name,
                CollectionConverters.asScala(List.<Object>of(n)).toList(),
                children.size(),
                "",
                "",
                ""));
      }
      List<Expression> args = CollectionConverters.asJava(children);
      for (int i = 0; i < n; i++) {
        DataType t = args.get(i).dataType();
        if (!f.types.get(i).accepts(t)) {
          throw sneaky(
              new AnalysisException(
                  "UNEXPECTED_INPUT_TYPE",
                  scalaMap(
                      Map.of(
                          "paramIndex", ordinal(i + 1) + " (" + f.params.get(i) + ")",
                          "functionName", "`" + f.name + "`",
                          "requiredType", "\"" + f.types.get(i).sql + "\"",
                          "inputSql", "\"" + sql(args.get(i)) + "\"",
                          "inputType", "\"" + t.sql() + "\""))));
        }
      }
      return new ScalaUDF(
          f.function(),
          f.returnType,
          children,
          CollectionConverters.asScala(
                  new ArrayList<
                      Option<org.apache.spark.sql.catalyst.encoders.ExpressionEncoder<?>>>())
              .toList(),
          Option.empty(),
          Option.apply(f.name),
          true,
          true);
    }
  }

  /** The Scala function a {@link ScalaUDF} calls, for this function's arity. */
  private Object function() {
    Call call = new Call(name, body);
    return switch (params.size()) {
      case 1 -> new Fn1(call);
      case 2 -> new Fn2(call);
      case 3 -> new Fn3(call);
      default -> new Fn4(call);
    };
  }

  /** Null handling and error messages around the body. */
  private static final class Call implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String name;
    private final Body body;

    Call(String name, Body body) {
      this.name = name;
      this.body = body;
    }

    Object apply(Object... args) {
      for (Object a : args) {
        if (a == null) {
          return null;
        }
      }
      try {
        return body.call(args);
      } catch (InvalidRleException e) {
        throw new InvalidRleException(name + ": " + e.getMessage());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
      }
    }
  }

  private static final class Fn1 extends AbstractFunction1<Object, Object> implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Call c;

    Fn1(Call c) {
      this.c = c;
    }

    @Override
    public Object apply(Object a) {
      return c.apply(a);
    }
  }

  private static final class Fn2 extends AbstractFunction2<Object, Object, Object>
      implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Call c;

    Fn2(Call c) {
      this.c = c;
    }

    @Override
    public Object apply(Object a, Object b) {
      return c.apply(a, b);
    }
  }

  private static final class Fn3 extends AbstractFunction3<Object, Object, Object, Object>
      implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Call c;

    Fn3(Call c) {
      this.c = c;
    }

    @Override
    public Object apply(Object a, Object b, Object d) {
      return c.apply(a, b, d);
    }
  }

  private static final class Fn4 extends AbstractFunction4<Object, Object, Object, Object, Object>
      implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Call c;

    Fn4(Call c) {
      this.c = c;
    }

    @Override
    public Object apply(Object a, Object b, Object d, Object e) {
      return c.apply(a, b, d, e);
    }
  }

  private static String sql(Expression e) {
    try {
      return e.sql();
    } catch (RuntimeException notPrintable) {
      return e.toString();
    }
  }

  private static String ordinal(int i) {
    return switch (i) {
      case 1 -> "first";
      case 2 -> "second";
      case 3 -> "third";
      default -> "fourth";
    };
  }

  private static scala.collection.immutable.Map<String, String> scalaMap(Map<String, String> m) {
    return scala.collection.immutable.Map$.MODULE$.from(CollectionConverters.asScala(m));
  }

  /** Throws a checked Spark exception (AnalysisException) from Scala-called code. */
  @SuppressWarnings("unchecked")
  private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
    throw (E) t;
  }
}
