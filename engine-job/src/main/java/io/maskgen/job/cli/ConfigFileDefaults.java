package io.maskgen.job.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option values from a {@code --config} file (YAML or JSON) with the same keys as the command
 * line options, without the dashes ({@code points-per-side: 16}; {@code points_per_side} works
 * too). Precedence: a flag on the command line, then the config file, then the built-in default.
 * Lists ({@code input}) and maps ({@code conf}) are written as YAML/JSON lists and maps.
 */
public final class ConfigFileDefaults implements CommandLine.IDefaultValueProvider {

  private final Path file;
  private final Map<String, String> values;

  private ConfigFileDefaults(Path file, Map<String, String> values) {
    this.file = file;
    this.values = values;
  }

  /** Reads {@code file}; fails with a message naming the file on any problem. */
  public static ConfigFileDefaults read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new UsageException("Invalid --config: " + file + " is not a file");
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    ObjectMapper mapper =
        name.endsWith(".json") ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
    JsonNode root;
    try {
      root = mapper.readTree(file.toFile());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UsageException("Invalid --config " + file + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UsageException("Cannot read --config " + file + ": " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new UsageException("Invalid --config " + file + ": expected a map of option: value");
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      values.put(normalise(e.getKey()), flatten(file, e.getKey(), e.getValue()));
    }
    return new ConfigFileDefaults(file, values);
  }

  /** Fails on keys that are no option of {@code spec}, listing the valid ones. */
  public void checkKeys(CommandSpec spec) {
    TreeSet<String> known = new TreeSet<>();
    for (OptionSpec o : spec.options()) {
      known.add(normalise(o.longestName()));
    }
    known.remove("config");
    known.remove("help");
    known.remove("version");
    for (String key : values.keySet()) {
      if (!known.contains(key)) {
        throw new UsageException(
            "Invalid --config " + file + ": unknown key '" + key + "'; allowed keys: " + known);
      }
    }
  }

  @Override
  public String defaultValue(ArgSpec argSpec) {
    if (argSpec instanceof OptionSpec o) {
      String v = values.get(normalise(o.longestName()));
      if (v != null) {
        return v;
      }
    }
    return argSpec.defaultValue();
  }

  static String normalise(String key) {
    String k = key.startsWith("--") ? key.substring(2) : key;
    return k.replace('_', '-').toLowerCase(Locale.ROOT);
  }

  private static String flatten(Path file, String key, JsonNode v) {
    if (v.isArray()) {
      List<String> parts = new ArrayList<>();
      v.forEach(e -> parts.add(scalar(file, key, e)));
      return String.join(",", parts);
    }
    if (v.isObject()) {
      List<String> parts = new ArrayList<>();
      v.fields().forEachRemaining(e -> parts.add(e.getKey() + "=" + scalar(file, key, e.getValue())));
      return String.join(",", parts);
    }
    return scalar(file, key, v);
  }

  private static String scalar(Path file, String key, JsonNode v) {
    if (v.isContainerNode() || v.isNull()) {
      throw new UsageException(
          "Invalid --config " + file + ": key '" + key + "' must be a value, list or map of values");
    }
    return v.asText();
  }

  /** Finds {@code --config FILE} or {@code --config=FILE} in raw arguments. */
  public static Path findConfigArg(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        return Path.of(args[i + 1]);
      }
      if (args[i].startsWith("--config=")) {
        return Path.of(args[i].substring("--config=".length()));
      }
    }
    return null;
  }
}
