package io.maskgen.schema.sa1b;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskgen.schema.rle.InvalidRleException;
import io.maskgen.schema.rle.Rle;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes the per-image JSON of the SA-1B release:
 *
 * <pre>{@code
 * {"image": {"image_id", "width", "height", "file_name"},
 *  "annotations": [{"id", "segmentation": {"size": [h, w], "counts": "<COCO RLE string>"},
 *                   "bbox": [x, y, w, h], "area", "predicted_iou", "stability_score",
 *                   "crop_box": [x, y, w, h], "point_coords": [[x, y]]}]}
 * }</pre>
 *
 * <p>Reading ignores unknown fields, accepts integral values written as floats (e.g. {@code
 * 1500.0}) for integer fields, and checks every mask: its counts must decode to an RLE of its size,
 * and that size must be the image's. Writing emits the fields in the order above; doubles are
 * written in Java's shortest round-trip form, so a read of a written file gives back equal records.
 */
public final class Sa1bJson {
  private static final ObjectMapper MAPPER =
      new ObjectMapper(
              JsonFactory.builder()
                  .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Sa1bJson() {}

  /** Reads a file; errors name it. */
  public static Sa1bFile read(Path path) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      return read(in, path.toString());
    }
  }

  /**
   * Reads one JSON document from a stream, which is left open.
   *
   * @param name the file name used in error messages (e.g. the tar member path)
   * @throws Sa1bFormatException if the document is not SA-1B JSON
   */
  public static Sa1bFile read(InputStream in, String name) throws IOException {
    JsonNode root;
    try {
      root = MAPPER.readTree(in);
    } catch (JsonProcessingException e) {
      String problem =
          e.getOriginalMessage().startsWith("Trailing token")
              ? "unexpected content after the JSON document"
              : e.getOriginalMessage();
      throw new Sa1bFormatException("Invalid SA-1B JSON " + name + ": " + problem + location(e), e);
    }
    return parse(root, name);
  }

  /** Parses a JSON string; errors name {@code name}. */
  public static Sa1bFile fromJson(String json, String name) throws Sa1bFormatException {
    try {
      return read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), name);
    } catch (Sa1bFormatException e) {
      throw e;
    } catch (IOException e) {
      throw new IllegalStateException("Unexpected I/O error reading from memory", e);
    }
  }

  /** Writes a file, replacing it. */
  public static void write(Sa1bFile file, Path path) throws IOException {
    try (OutputStream out = Files.newOutputStream(path)) {
      write(file, out);
    }
  }

  /** Writes one JSON document (UTF-8) to a stream, which is flushed and left open. */
  public static void write(Sa1bFile file, OutputStream out) throws IOException {
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      writeFile(g, file);
    }
  }

  /** The JSON text of a file. */
  public static String toJson(Sa1bFile file) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      write(file, out);
    } catch (IOException e) {
      throw new IllegalStateException("Unexpected I/O error writing to memory", e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static void writeFile(JsonGenerator g, Sa1bFile file) throws IOException {
    Sa1bImage image = file.image();
    g.writeStartObject();
    g.writeObjectFieldStart("image");
    g.writeNumberField("image_id", image.imageId());
    g.writeNumberField("width", image.width());
    g.writeNumberField("height", image.height());
    g.writeStringField("file_name", image.fileName());
    g.writeEndObject();
    g.writeArrayFieldStart("annotations");
    for (Sa1bAnnotation a : file.annotations()) {
      g.writeStartObject();
      g.writeNumberField("id", a.id());
      g.writeObjectFieldStart("segmentation");
      g.writeArrayFieldStart("size");
      g.writeNumber(a.segmentation().height());
      g.writeNumber(a.segmentation().width());
      g.writeEndArray();
      g.writeStringField("counts", a.segmentation().counts());
      g.writeEndObject();
      writeDoubles(g, "bbox", a.bbox());
      g.writeNumberField("area", a.area());
      g.writeNumberField("predicted_iou", a.predictedIou());
      g.writeNumberField("stability_score", a.stabilityScore());
      writeDoubles(g, "crop_box", a.cropBox());
      g.writeArrayFieldStart("point_coords");
      for (double[] p : a.pointCoords()) {
        g.writeStartArray();
        g.writeNumber(p[0]);
        g.writeNumber(p[1]);
        g.writeEndArray();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void writeDoubles(JsonGenerator g, String field, double[] values)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (double v : values) {
      g.writeNumber(v);
    }
    g.writeEndArray();
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : String.format(
            " (line %d, column %d)", e.getLocation().getLineNr(), e.getLocation().getColumnNr());
  }

  // Reading: a small cursor that knows the file and the JSON path of the node, for messages.

  private static Sa1bFile parse(JsonNode root, String name) throws Sa1bFormatException {
    Node file = new Node(root, name, "");
    file.requireObject();
    Node img = file.field("image");
    img.requireObject();
    Sa1bImage image =
        img.build(
            () ->
                new Sa1bImage(
                    img.field("image_id").asLong(),
                    img.field("width").asInt(),
                    img.field("height").asInt(),
                    img.field("file_name").asText()));
    Node anns = file.field("annotations");
    anns.requireArray();
    List<Sa1bAnnotation> annotations = new ArrayList<>(anns.node.size());
    for (int i = 0; i < anns.node.size(); i++) {
      annotations.add(parseAnnotation(anns.element(i), image));
    }
    return new Sa1bFile(image, annotations);
  }

  private static Sa1bAnnotation parseAnnotation(Node a, Sa1bImage image)
      throws Sa1bFormatException {
    a.requireObject();
    Node seg = a.field("segmentation");
    seg.requireObject();
    Node size = seg.field("size");
    size.requireArray();
    if (size.node.size() != 2) {
      throw size.error("expected [height, width], got " + size.node);
    }
    int height = size.element(0).asInt();
    int width = size.element(1).asInt();
    if (height != image.height() || width != image.width()) {
      throw size.error(
          String.format(
              "mask size [%d, %d] differs from the image's [height, width] = [%d, %d]",
              height, width, image.height(), image.width()));
    }
    Node counts = seg.field("counts");
    String text = counts.asText();
    try {
      Rle.fromCocoString(text, height, width);
    } catch (InvalidRleException e) {
      throw counts.error(e.getMessage());
    }
    return a.build(
        () ->
            new Sa1bAnnotation(
                a.field("id").asLong(),
                new Sa1bSegmentation(height, width, text),
                a.field("bbox").asDoubles(4),
                a.field("area").asLong(),
                a.field("predicted_iou").asDouble(),
                a.field("stability_score").asDouble(),
                a.field("crop_box").asDoubles(4),
                a.field("point_coords").asPoints()));
  }

  /** Something that builds a value and may fail on bad input. */
  private interface Builder<T> {
    T build() throws Sa1bFormatException;
  }

  private static final class Node {
    final JsonNode node;
    final String file;
    final String path;

    Node(JsonNode node, String file, String path) {
      this.node = node;
      this.file = file;
      this.path = path;
    }

    Sa1bFormatException error(String problem) {
      return new Sa1bFormatException(
          "Invalid SA-1B JSON "
              + file
              + ": "
              + (path.isEmpty() ? "<root>" : path)
              + ": "
              + problem);
    }

    /** Turns a record's validation error into a format error at this node. */
    <T> T build(Builder<T> builder) throws Sa1bFormatException {
      try {
        return builder.build();
      } catch (IllegalArgumentException e) {
        throw error(e.getMessage());
      }
    }

    Node field(String name) throws Sa1bFormatException {
      JsonNode child = node.get(name);
      String childPath = path.isEmpty() ? name : path + "." + name;
      if (child == null || child.isNull()) {
        throw new Node(node, file, childPath).error("missing");
      }
      return new Node(child, file, childPath);
    }

    Node element(int i) {
      return new Node(node.get(i), file, path + "[" + i + "]");
    }

    void requireObject() throws Sa1bFormatException {
      if (!node.isObject()) {
        throw error("expected an object, got " + describe());
      }
    }

    void requireArray() throws Sa1bFormatException {
      if (!node.isArray()) {
        throw error("expected an array, got " + describe());
      }
    }

    String asText() throws Sa1bFormatException {
      if (!node.isTextual()) {
        throw error("expected a string, got " + describe());
      }
      return node.textValue();
    }

    double asDouble() throws Sa1bFormatException {
      if (!node.isNumber()) {
        throw error("expected a number, got " + describe());
      }
      return node.doubleValue();
    }

    long asLong() throws Sa1bFormatException {
      if (node.isIntegralNumber() && node.canConvertToLong()) {
        return node.longValue();
      }
      if (node.isFloatingPointNumber()) {
        double v = node.doubleValue();
        if (v == Math.rint(v) && Math.abs(v) < 0x1p53) {
          return (long) v;
        }
      }
      throw error("expected an integer, got " + describe());
    }

    int asInt() throws Sa1bFormatException {
      long v = asLong();
      if (v != (int) v) {
        throw error("expected a 32-bit integer, got " + v);
      }
      return (int) v;
    }

    double[] asDoubles(int n) throws Sa1bFormatException {
      requireArray();
      if (node.size() != n) {
        throw error("expected " + n + " numbers, got " + node);
      }
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        out[i] = element(i).asDouble();
      }
      return out;
    }

    double[][] asPoints() throws Sa1bFormatException {
      requireArray();
      double[][] out = new double[node.size()][];
      for (int i = 0; i < out.length; i++) {
        out[i] = element(i).asDoubles(2);
      }
      return out;
    }

    private String describe() {
      String text = node.toString();
      return node.getNodeType().name().toLowerCase()
          + " "
          + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }
  }
}
