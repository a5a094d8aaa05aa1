package io.maskgen.job.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskgen.job.query.ResultPrinter.Format;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

/** Formatting of every kind of Spark value, without a Spark session. */
class ResultPrinterTest {

  private static final StructType POINT = StructType.fromDDL("x DOUBLE, label STRING");
  private static final StructType SCHEMA =
      StructType.fromDDL(
          "s STRING, n BIGINT, d DECIMAL(10,2), f FLOAT, v ARRAY<FLOAT>, m MAP<STRING, INT>,"
              + " p STRUCT<x: DOUBLE, label: STRING>, b BINARY");

  private static Row row() {
    return new GenericRowWithSchema(
        new Object[] {
          "two\nlines, \"quoted\"",
          42L,
          new BigDecimal("12.50"),
          Float.NaN,
          CollectionConverters.asScala(List.of(0.5f, -1.25f)).toSeq(),
          scala.collection.immutable.Map$.MODULE$.from(
              CollectionConverters.asScala(Map.of("k", 1))),
          new GenericRowWithSchema(new Object[] {1.5, "a"}, POINT),
          new byte[] {(byte) 0x89, 0x50, 0x4E}
        },
        SCHEMA);
  }

  private static Row nulls() {
    return new GenericRowWithSchema(new Object[8], SCHEMA);
  }

  private static String print(Format format, int maxWidth, boolean cut) {
    StringWriter sw = new StringWriter();
    ResultPrinter.print(
        SCHEMA, List.of(row(), nulls()).iterator(), format, cut, maxWidth, new PrintWriter(sw));
    return sw.toString();
  }

  @Test
  void tableEscapesLineBreaksShowsNestedValuesAndCutsWideCells() {
    assertThat(print(Format.TABLE, 12, false))
        .isEqualTo(
            String.join(
                "\n",
                " s            | n    | d     | f    | v            | m        | p        | b",
                "--------------+------+-------+------+--------------+----------+----------+------------",
                " two\\n"
                    + "line... |   42 | 12.50 |  NaN | [0.5, -1.25] | {k -> 1} | {1.5, a} | [89 50"
                    + " 4E]",
                " NULL         | NULL |  NULL | NULL | NULL         | NULL     | NULL     | NULL",
                "(2 rows)",
                ""));
  }

  @Test
  void csvQuotesWhenNeededAndWritesNestedValuesAsJson() {
    assertThat(print(Format.CSV, 40, true))
        .isEqualTo(
            "s,n,d,f,v,m,p,b\r\n"
                + "\"two\nlines, \"\"quoted\"\"\",42,12.50,NaN,\"[0.5,-1.25]\",\"{\"\"k\"\":1}\","
                + "\"{\"\"x\"\":1.5,\"\"label\"\":\"\"a\"\"}\",iVBO\r\n"
                + ",,,,,,,\r\n");
  }

  @Test
  void jsonLinesKeepNullsAndNameStructFields() {
    assertThat(print(Format.JSON, 40, false))
        .isEqualTo(
            "{\"s\":\"two\\nlines, \\\"quoted\\\"\",\"n\":42,\"d\":12.50,\"f\":\"NaN\","
                + "\"v\":[0.5,-1.25],\"m\":{\"k\":1},\"p\":{\"x\":1.5,\"label\":\"a\"},"
                + "\"b\":\"iVBO\"}\n"
                + "{\"s\":null,\"n\":null,\"d\":null,\"f\":null,\"v\":null,\"m\":null,\"p\":null,"
                + "\"b\":null}\n");
  }
}
