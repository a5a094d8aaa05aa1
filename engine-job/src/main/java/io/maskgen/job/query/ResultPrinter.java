package io.maskgen.job.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Prints query results in one of three formats:
 *
 * <ul>
 *   <li>{@code table}: aligned columns for reading, numbers right-aligned, NULL for null, long
 *       cells (e.g. embeddings) cut to {@code maxWidth} characters ending in "...", binary shown as
 *       hex bytes, and a last line with the row count;
 *   <li>{@code csv}: RFC 4180 with a header line; null is an empty cell, arrays, maps and structs
 *       are JSON, binary is base64;
 *   <li>{@code json}: one JSON object per row (JSON lines), nulls kept, binary as base64.
 * </ul>
 *
 * Only {@code table} shortens values. When the rows were cut at the row limit, {@code table} says
 * so in its last line; the machine formats leave their output clean and the caller reports it.
 */
public final class ResultPrinter {

  /** Output formats of {@code maskgen sql}. */
  public enum Format {
    TABLE,
    CSV,
    JSON
  }

  /** Widest table cell allowed. */
  public static final int MAX_WIDTH = 10_000;

  private static final int MAX_TEXT = MAX_WIDTH + 10;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ResultPrinter() {}

  /**
   * Prints {@code rows}.
   *
   * @param cut whether more rows exist than those given (said in the table's last line)
   * @param maxWidth widest table cell, in characters (at least 4)
   */
  public static void print(
      StructType schema,
      Iterator<Row> rows,
      Format format,
      boolean cut,
      int maxWidth,
      PrintWriter out) {
    switch (format) {
      case TABLE -> table(schema, rows, cut, maxWidth, out);
      case CSV -> csv(schema, rows, out);
      case JSON -> jsonLines(schema, rows, out);
    }
    out.flush();
  }

  private static void table(
      StructType schema, Iterator<Row> rows, boolean cut, int maxWidth, PrintWriter out) {
    StructField[] fields = schema.fields();
    int n = fields.length;
    if (n == 0) {
      return;
    }
    List<String[]> cells = new ArrayList<>();
    int[] width = new int[n];
    String[] header = new String[n];
    for (int i = 0; i < n; i++) {
      header[i] = shorten(fields[i].name(), maxWidth);
      width[i] = header[i].length();
    }
    while (rows.hasNext()) {
      Row r = rows.next();
      String[] line = new String[n];
      for (int i = 0; i < n; i++) {
        line[i] = shorten(r.isNullAt(i) ? "NULL" : text(r.get(i)), maxWidth);
        width[i] = Math.max(width[i], line[i].length());
      }
      cells.add(line);
    }
    boolean[] right = new boolean[n];
    for (int i = 0; i < n; i++) {
      right[i] = fields[i].dataType() instanceof NumericType;
    }
    out.println(line(header, width, new boolean[n]));
    StringBuilder rule = new StringBuilder();
    for (int i = 0; i < n; i++) {
      rule.append(i == 0 ? "" : "+").append("-".repeat(width[i] + 2));
    }
    out.println(rule);
    for (String[] line : cells) {
      out.println(line(line, width, right));
    }
    int count = cells.size();
    String rowsWord = count == 1 ? "row" : "rows";
    out.println(
        cut
            ? "(first "
                + count
                + " "
                + rowsWord
                + "; more were cut, raise --max-rows or set it to"
                + " 0 for all)"
            : "(" + count + " " + rowsWord + ")");
  }

  private static String line(String[] cells, int[] width, boolean[] right) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      String pad = " ".repeat(width[i] - cells[i].length());
      sb.append(i == 0 ? " " : " | ");
      sb.append(right[i] ? pad + cells[i] : cells[i] + (i == cells.length - 1 ? "" : pad));
    }
    return sb.toString();
  }

  /** Cuts {@code s} to {@code max} characters, the last three being "...". */
  static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, Math.max(0, max - 3)) + "...";
  }

  /** A value as table text; line breaks and tabs escaped so that rows stay on one line. */
  static String text(Object v) {
    if (v == null) {
      return "NULL";
    }
    if (v instanceof String s) {
      return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    }
    if (v instanceof byte[] b) {
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < b.length; i++) {
        sb.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%02X", b[i] & 0xFF));
        if (sb.length() > MAX_TEXT) {
          sb.append(" ...");
          break;
        }
      }
      return sb.append(']').toString();
    }
    if (v instanceof scala.collection.Seq<?> seq) {
      StringBuilder sb = new StringBuilder("[");
      Iterator<?> it = CollectionConverters.asJava(seq.iterator());
      // Long arrays (embeddings) are cut anyway: stop converting past the widest allowed cell.
      for (int i = 0; it.hasNext() && sb.length() <= MAX_TEXT; i++) {
        sb.append(i == 0 ? "" : ", ").append(text(it.next()));
      }
      return sb.append(it.hasNext() ? ", ...]" : "]").toString();
    }
    if (v instanceof scala.collection.Map<?, ?> map) {
      StringBuilder sb = new StringBuilder("{");
      Iterator<? extends scala.Tuple2<?, ?>> it = CollectionConverters.asJava(map.iterator());
      for (int i = 0; it.hasNext(); i++) {
        scala.Tuple2<?, ?> e = it.next();
        sb.append(i == 0 ? "" : ", ").append(text(e._1())).append(" -> ").append(text(e._2()));
      }
      return sb.append('}').toString();
    }
    if (v instanceof Row row) {
      StringBuilder sb = new StringBuilder("{");
      for (int i = 0; i < row.size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(text(row.get(i)));
      }
      return sb.append('}').toString();
    }
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return v.toString();
  }

  private static void csv(StructType schema, Iterator<Row> rows, PrintWriter out) {
    StructField[] fields = schema.fields();
    if (fields.length == 0) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < fields.length; i++) {
      sb.append(i == 0 ? "" : ",").append(csvCell(fields[i].name()));
    }
    out.print(sb.append("\r\n"));
    while (rows.hasNext()) {
      Row r = rows.next();
      sb.setLength(0);
      for (int i = 0; i < fields.length; i++) {
        sb.append(i == 0 ? "" : ",");
        if (!r.isNullAt(i)) {
          Object v = r.get(i);
          String s =
              v instanceof String str
                  ? str
                  : v instanceof byte[] b
                      ? Base64.getEncoder().encodeToString(b)
                      : isNested(v) ? json(node(v)) : scalarText(v);
          sb.append(csvCell(s));
        }
      }
      out.print(sb.append("\r\n"));
    }
  }

  private static String csvCell(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  private static void jsonLines(StructType schema, Iterator<Row> rows, PrintWriter out) {
    StructField[] fields = schema.fields();
    if (fields.length == 0) {
      return;
    }
    while (rows.hasNext()) {
      Row r = rows.next();
      ObjectNode o = NODES.objectNode();
      for (int i = 0; i < fields.length; i++) {
        o.set(fields[i].name(), node(r.get(i)));
      }
      out.print(json(o));
      out.print('\n');
    }
  }

  private static boolean isNested(Object v) {
    return v instanceof scala.collection.Seq<?>
        || v instanceof scala.collection.Map<?, ?>
        || v instanceof Row;
  }

  private static String scalarText(Object v) {
    return v instanceof BigDecimal d ? d.toPlainString() : v.toString();
  }

  /** A Spark value as JSON: structs as objects (by field name), maps with string keys. */
  static JsonNode node(Object v) {
    if (v == null) {
      return NODES.nullNode();
    }
    if (v instanceof String s) {
      return NODES.textNode(s);
    }
    if (v instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return NODES.numberNode(((Number) v).longValue());
    }
    if (v instanceof Float f) {
      return Float.isFinite(f) ? NODES.numberNode(f) : NODES.textNode(f.toString());
    }
    if (v instanceof Double d) {
      return Double.isFinite(d) ? NODES.numberNode(d) : NODES.textNode(d.toString());
    }
    if (v instanceof BigDecimal d) {
      return NODES.numberNode(d);
    }
    if (v instanceof byte[] b) {
      return NODES.binaryNode(b);
    }
    if (v instanceof scala.collection.Seq<?> seq) {
      ArrayNode a = NODES.arrayNode();
      CollectionConverters.asJava(seq).forEach(e -> a.add(node(e)));
      return a;
    }
    if (v instanceof scala.collection.Map<?, ?> map) {
      ObjectNode o = NODES.objectNode();
      CollectionConverters.asJava(map).forEach((k, e) -> o.set(String.valueOf(k), node(e)));
      return o;
    }
    if (v instanceof Row row) {
      ObjectNode o = NODES.objectNode();
      StructType schema = row.schema();
      for (int i = 0; i < row.size(); i++) {
        o.set(schema == null ? "_" + (i + 1) : schema.fields()[i].name(), node(row.get(i)));
      }
      return o;
    }
    return NODES.textNode(v.toString());
  }

  private static String json(JsonNode n) {
    try {
      return JSON.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write JSON", e);
    }
  }
}
