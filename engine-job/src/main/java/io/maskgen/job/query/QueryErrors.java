package io.maskgen.job.query;

import io.maskgen.job.ItemFailure;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.AnalysisException;

/** Turns the exception of a failed query into one line for the user. */
public final class QueryErrors {

  private QueryErrors() {}

  /**
   * One line saying why a query failed: for a parse or analysis error, Spark's message without the
   * SQL excerpt and plan ({@code "[TABLE_OR_VIEW_NOT_FOUND] The table or view `x` cannot be
   * found..."}); for a failure while running, the innermost cause, e.g. the message of an invalid
   * RLE ({@code "rle_area: Invalid COCO RLE string: ..."}); for an unexpected error on one image
   * or file ({@link ItemFailure}), its message, which names the image or file and the cause.
   */
  public static String describe(Throwable e) {
    ItemFailure item = ItemFailure.find(e);
    if (item != null) {
      return firstLine(item.getMessage(), item);
    }
    if (e instanceof AnalysisException) {
      return firstLine(e.getMessage(), e);
    }
    Throwable root = e;
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    while (root.getCause() != null && seen.put(root, true) == null) {
      root = root.getCause();
    }
    String message = firstLine(root.getMessage(), root);
    if (root instanceof IllegalArgumentException
        || root instanceof SparkThrowable
        || root instanceof IllegalStateException) {
      return message;
    }
    return root.getClass().getSimpleName() + ": " + message;
  }

  private static String firstLine(String message, Throwable e) {
    if (message == null || message.isBlank()) {
      return e.getClass().getName();
    }
    for (String line : message.split("\\R")) {
      if (!line.isBlank()) {
        return line.strip();
      }
    }
    return e.getClass().getName();
  }
}
