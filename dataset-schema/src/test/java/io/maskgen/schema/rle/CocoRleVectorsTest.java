package io.maskgen.schema.rle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the codec and the RLE operations against vectors produced by the COCO API's own C mask
 * library ({@code shared/testdata/coco_rle_vectors.jsonl}, see its README).
 */
class CocoRleVectorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Path vectorsFile() {
    String shared = System.getProperty("maskgen.shared.dir", "../../shared");
    return Path.of(shared, "testdata", "coco_rle_vectors.jsonl");
  }

  static Stream<Vector> vectors() {
    try {
      return Files.readAllLines(vectorsFile()).stream()
          .filter(line -> !line.isBlank())
          .map(CocoRleVectorsTest::parse);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Vector parse(String line) {
    try {
      return new Vector(JSON.readTree(line));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One line of the vectors file. */
  static final class Vector {
    final JsonNode node;
    final String name;
    final int h;
    final int w;

    Vector(JsonNode node) {
      this.node = node;
      this.name = node.get("name").asText();
      this.h = node.get("h").asInt();
      this.w = node.get("w").asInt();
    }

    int[] counts(String field) {
      JsonNode a = node.get(field);
      int[] out = new int[a.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = a.get(i).asInt();
      }
      return out;
    }

    String text(String field) {
      return node.get(field).asText();
    }

    boolean hasOther() {
      return node.has("other_counts");
    }

    @Override
    public String toString() {
      return name + " (" + h + "x" + w + ")";
    }
  }

  @Test
  void vectorsFileHasEveryLine() {
    assertThat(vectors().count()).isGreaterThanOrEqualTo(43);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void stringDecodesToCountsAndCountsEncodeToString(Vector v) {
    Rle fromString = Rle.fromCocoString(v.text("string"), v.h, v.w);
    assertThat(fromString.counts()).containsExactly(v.counts("counts"));
    assertThat(Rle.of(v.h, v.w, v.counts("counts")).toCocoString()).isEqualTo(v.text("string"));
    assertThat(fromString.toCocoString()).isEqualTo(v.text("string"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void areaAndBboxMatchTheCocoLibrary(Vector v) {
    Rle rle = Rle.of(v.h, v.w, v.counts("counts"));
    assertThat(rle.area()).isEqualTo(v.node.get("area").asLong());
    JsonNode bbox = v.node.get("bbox");
    assertThat(rle.bboxXywh())
        .containsExactly(
            bbox.get(0).asDouble(),
            bbox.get(1).asDouble(),
            bbox.get(2).asDouble(),
            bbox.get(3).asDouble());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void decodeThenEncodeRoundTripsInBothPixelOrders(Vector v) {
    Rle rle = Rle.of(v.h, v.w, v.counts("counts"));
    byte[] colMajor = rle.decodeColumnMajor();
    byte[] rowMajor = rle.decodeRowMajor();
    long ones = 0;
    for (int x = 0; x < v.w; x++) {
      for (int y = 0; y < v.h; y++) {
        byte c = colMajor[x * v.h + y];
        assertThat(c).isIn((byte) 0, (byte) 1);
        assertThat(rowMajor[y * v.w + x]).isEqualTo(c);
        ones += c;
      }
    }
    assertThat(ones).isEqualTo(rle.area());
    assertThat(Rle.encodeColumnMajor(colMajor, v.h, v.w)).isEqualTo(rle);
    assertThat(Rle.encodeRowMajor(rowMajor, v.h, v.w)).isEqualTo(rle);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void encodeTreatsAnyNonzeroByteAsForeground(Vector v) {
    Rle rle = Rle.of(v.h, v.w, v.counts("counts"));
    byte[] rowMajor = rle.decodeRowMajor();
    byte[] colMajor = rle.decodeColumnMajor();
    // Foreground values that look like 0 in 7 low bits or a sign bit still count as foreground.
    byte[] values = {(byte) 0x80, (byte) 0xFF, 0x7F, 0x01, 0x10};
    for (int i = 0; i < rowMajor.length; i++) {
      rowMajor[i] = rowMajor[i] == 0 ? 0 : values[i % values.length];
      colMajor[i] = colMajor[i] == 0 ? 0 : values[i % values.length];
    }
    assertThat(Rle.encodeRowMajor(rowMajor, v.h, v.w)).isEqualTo(rle);
    assertThat(Rle.encodeColumnMajor(colMajor, v.h, v.w)).isEqualTo(rle);
  }

  static Stream<Vector> pairs() {
    return vectors().filter(Vector::hasOther);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pairs")
  void otherStringMatchesOtherCounts(Vector v) {
    Rle other = Rle.fromCocoString(v.text("other_string"), v.h, v.w);
    assertThat(other.counts()).containsExactly(v.counts("other_counts"));
    assertThat(other.toCocoString()).isEqualTo(v.text("other_string"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pairs")
  void iouUnionAndIntersectionMatchTheCocoLibrary(Vector v) {
    Rle a = Rle.of(v.h, v.w, v.counts("counts"));
    Rle b = Rle.of(v.h, v.w, v.counts("other_counts"));
    double iou = v.node.get("iou").asDouble();
    assertThat(RleOps.iou(a, b)).isCloseTo(iou, within(1e-9));
    assertThat(RleOps.iou(b, a)).isCloseTo(iou, within(1e-9));
    Rle union = RleOps.union(a, b);
    Rle inter = RleOps.intersection(a, b);
    assertThat(union.toCocoString()).isEqualTo(v.text("union_string"));
    assertThat(inter.toCocoString()).isEqualTo(v.text("intersection_string"));
    assertThat(RleOps.union(b, a)).isEqualTo(union);
    assertThat(RleOps.intersection(b, a)).isEqualTo(inter);
    assertThat(union.area() + inter.area()).isEqualTo(a.area() + b.area());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pairs")
  void setOperationsAgreeWithDecodedPixels(Vector v) {
    Rle a = Rle.of(v.h, v.w, v.counts("counts"));
    Rle b = Rle.of(v.h, v.w, v.counts("other_counts"));
    byte[] ma = a.decodeColumnMajor();
    byte[] mb = b.decodeColumnMajor();
    byte[] or = new byte[ma.length];
    byte[] and = new byte[ma.length];
    for (int i = 0; i < ma.length; i++) {
      or[i] = (byte) (ma[i] | mb[i]);
      and[i] = (byte) (ma[i] & mb[i]);
    }
    assertThat(RleOps.union(a, b)).isEqualTo(Rle.encodeColumnMajor(or, v.h, v.w));
    assertThat(RleOps.intersection(a, b)).isEqualTo(Rle.encodeColumnMajor(and, v.h, v.w));
  }
}
