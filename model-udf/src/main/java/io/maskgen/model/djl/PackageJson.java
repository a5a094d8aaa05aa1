package io.maskgen.model.djl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads a package descriptor ({@code model.json}, {@code clip.json}) with errors naming the field. */
final class PackageJson {

  /** The engines a package may name, with DJL's engine names. */
  static final List<String> ENGINES = List.of("OnnxRuntime", "PyTorch");

  private final Path file;
  private final JsonNode root;

  private PackageJson(Path file, JsonNode root) {
    this.file = file;
    this.root = root;
  }

  static PackageJson read(Path dir, String name) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("model package " + dir + " is not a folder");
    }
    Path file = dir.resolve(name);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("model package " + dir + " has no " + name);
    }
    try {
      JsonNode root = new ObjectMapper().readTree(file.toFile());
      if (root == null || !root.isObject()) {
        throw new IllegalArgumentException(file + ": expected a JSON object");
      }
      return new PackageJson(file, root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(file + ": invalid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private IllegalArgumentException bad(String field, String problem) {
    return new IllegalArgumentException(file + ": field '" + field + "' " + problem);
  }

  private JsonNode required(String field) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      throw bad(field, "is missing");
    }
    return n;
  }

  String string(String field) {
    JsonNode n = required(field);
    if (!n.isTextual() || n.asText().isBlank()) {
      throw bad(field, "must be a non-empty string");
    }
    return n.asText();
  }

  String engine() {
    String e = string("engine");
    for (String known : ENGINES) {
      if (known.toLowerCase(Locale.ROOT).equals(e.toLowerCase(Locale.ROOT))) {
        return known;
      }
    }
    throw bad("engine", "is '" + e + "' (allowed: " + String.join(", ", ENGINES) + ")");
  }

  /** A file of the package, which must exist. */
  Path file(String field) {
    String rel = string(field);
    Path p = file.getParent().resolve(rel).normalize();
    if (!p.startsWith(file.getParent().normalize())) {
      throw bad(field, "points outside the package: " + rel);
    }
    if (!Files.isRegularFile(p)) {
      throw bad(field, "names " + rel + ", which does not exist in " + file.getParent());
    }
    return p;
  }

  int positiveInt(String field) {
    JsonNode n = required(field);
    if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() <= 0) {
      throw bad(field, "must be a positive integer, got " + n);
    }
    return n.asInt();
  }

  int intOr(String field, int fallback) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isIntegralNumber()) {
      throw bad(field, "must be an integer, got " + n);
    }
    return n.asInt();
  }

  float floatOr(String field, float fallback) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isNumber()) {
      throw bad(field, "must be a number, got " + n);
    }
    return (float) n.asDouble();
  }

  Boolean boolOrNull(String field) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isBoolean()) {
      throw bad(field, "must be true or false, got " + n);
    }
    return n.asBoolean();
  }

  float[] rgb(String field) {
    JsonNode n = required(field);
    if (!n.isArray() || n.size() != 3) {
      throw bad(field, "must be a list of 3 numbers (R, G, B), got " + n);
    }
    float[] v = new float[3];
    for (int i = 0; i < 3; i++) {
      if (!n.get(i).isNumber()) {
        throw bad(field, "must be a list of 3 numbers (R, G, B), got " + n);
      }
      v[i] = (float) n.get(i).asDouble();
    }
    if (field.contains("std") && (v[0] <= 0 || v[1] <= 0 || v[2] <= 0)) {
      throw bad(field, "must be positive, got " + n);
    }
    return v;
  }

  List<String> stringsOrEmpty(String field) {
    JsonNode n = root.get(field);
    List<String> out = new ArrayList<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isArray()) {
      throw bad(field, "must be a list of strings, got " + n);
    }
    n.forEach(e -> out.add(e.asText()));
    return out;
  }
}
