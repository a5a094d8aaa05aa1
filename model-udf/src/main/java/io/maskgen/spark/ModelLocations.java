package io.maskgen.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskgen.amg.AmgParams;
import io.maskgen.clip.MaskCrops;
import io.maskgen.model.ClipSpec;
import io.maskgen.model.SegmenterSpec;
import io.maskgen.model.djl.ModelPackages;
import io.maskgen.pipeline.GeneratorFingerprint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;

/**
 * Where model packages come from. A location is one of:
 *
 * <ul>
 *   <li>the name of a shipped model ({@code tiny-sam}, {@code tiny-sam-torchscript}, {@code
 *       tiny-clip}, {@code tiny-clip-torchscript}), packed in the model-udf jar;
 *   <li>a local folder, which must exist on every executor (shared disk, or a container image);
 *   <li>a Hadoop URI ({@code s3a://bucket/models/sam-vit-h}, {@code hdfs://...}), copied once per
 *       JVM to a local temporary folder.
 * </ul>
 *
 * Each location is made local once per JVM and reused.
 */
public final class ModelLocations {

  /** The model packages shipped inside the jar. */
  public static final Set<String> SHIPPED =
      Set.of("tiny-sam", "tiny-sam-torchscript", "tiny-clip", "tiny-clip-torchscript");

  private static final String RESOURCE_ROOT = "maskgen/models/";
  private static final Map<String, Path> LOCAL = new ConcurrentHashMap<>();

  private ModelLocations() {}

  /**
   * What the driver resolved: the locations as executors will use them and the generator
   * fingerprint.
   */
  public record Resolved(String model, String clip, String generator) {}

  /**
   * Checks both packages on the driver (they exist, their descriptors parse, the parameters fit
   * the model) and fingerprints the generator. Throws {@link IllegalArgumentException} naming the
   * option and the problem.
   */
  public static Resolved resolveOnDriver(
      String model,
      String clip,
      AmgParams amg,
      MaskCrops.Background background,
      Configuration conf) {
    Path modelDir = localOrFail("--model", model, conf);
    SegmenterSpec spec = readSpec("--model", modelDir, () -> ModelPackages.readSegmenterSpec(modelDir));
    amg.validateFor(spec);
    String clipName = null;
    String clipDigest = null;
    if (clip != null) {
      Path clipDir = localOrFail("--clip", clip, conf);
      ClipSpec clipSpec = readSpec("--clip", clipDir, () -> ModelPackages.readClipSpec(clipDir));
      clipName = clipSpec.name();
      clipDigest = GeneratorFingerprint.digest(clipDir);
    }
    String generator =
        GeneratorFingerprint.of(
            spec.name(), GeneratorFingerprint.digest(modelDir), clipName, clipDigest, amg,
            background);
    return new Resolved(model, clip, generator);
  }

  private interface SpecReader<T> {
    T read() throws Exception;
  }

  private static <T> T readSpec(String option, Path dir, SpecReader<T> reader) {
    try {
      return reader.read();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid " + option + " " + dir + ": " + e.getMessage(), e);
    } catch (Exception e) {
      throw new IllegalArgumentException(
          "Invalid " + option + " " + dir + ": cannot read the package (" + e + ")", e);
    }
  }

  private static Path localOrFail(String option, String location, Configuration conf) {
    try {
      return local(location, conf);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new IllegalArgumentException("Invalid " + option + ": " + e.getMessage(), e);
    }
  }

  /** A local folder holding the package at {@code location}; copies or extracts it once. */
  public static Path local(String location, Configuration conf) {
    return LOCAL.computeIfAbsent(location, loc -> makeLocal(loc, conf));
  }

  private static Path makeLocal(String location, Configuration conf) {
    if (SHIPPED.contains(location)) {
      return extractShipped(location);
    }
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(location);
    String scheme = p.toUri().getScheme();
    if (scheme == null || scheme.equals("file")) {
      Path dir = Path.of(p.toUri().getPath());
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException(
            "'" + location + "' is neither a folder nor a shipped model " + new java.util.TreeSet<>(SHIPPED));
      }
      return dir.toAbsolutePath();
    }
    try {
      FileSystem fs = p.getFileSystem(conf);
      if (!fs.getFileStatus(p).isDirectory()) {
        throw new IllegalArgumentException("'" + location + "' is not a folder");
      }
      Path target = Files.createTempDirectory("maskgen-model-");
      FileUtil.copy(fs, p, new java.io.File(target.toFile(), p.getName()), false, conf);
      return target.resolve(p.getName());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy model package " + location + ": " + e.getMessage(), e);
    }
  }

  /** Extracts a shipped package from the classpath: its descriptor names every file it needs. */
  private static Path extractShipped(String name) {
    ClassLoader loader = ModelLocations.class.getClassLoader();
    String base = RESOURCE_ROOT + name + "/";
    String descriptor = loader.getResource(base + "model.json") != null ? "model.json" : "clip.json";
    try (InputStream in = loader.getResourceAsStream(base + descriptor)) {
      if (in == null) {
        throw new IllegalArgumentException(
            "shipped model '" + name + "' is missing from the classpath (" + base + ")");
      }
      byte[] json = in.readAllBytes();
      List<String> files = new ArrayList<>();
      files.add(descriptor);
      JsonNode root = new ObjectMapper().readTree(json);
      for (String field : List.of("encoder", "decoder", "image_encoder", "text_encoder", "tokenizer")) {
        if (root.hasNonNull(field)) {
          files.add(root.get(field).asText());
        }
      }
      Path dir = Files.createTempDirectory("maskgen-" + name + "-").resolve(name);
      Files.createDirectories(dir);
      for (String f : files) {
        try (InputStream fin = loader.getResourceAsStream(base + f)) {
          if (fin == null) {
            throw new IllegalArgumentException(
                "shipped model '" + name + "' lacks file " + f + " named in its " + descriptor);
          }
          Files.copy(fin, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract shipped model " + name + ": " + e.getMessage(), e);
    }
  }
}
