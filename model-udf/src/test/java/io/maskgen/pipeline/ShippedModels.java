package io.maskgen.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the shipped model packages are in the source tree (tests run from the module folder). */
final class ShippedModels {

  private ShippedModels() {}

  static Path dir(String name) {
    Path p = Path.of("models", name);
    if (!Files.isDirectory(p)) {
      p = Path.of("model-udf", "models", name);
    }
    if (!Files.isDirectory(p)) {
      throw new IllegalStateException("shipped model " + name + " not found from " + Path.of("").toAbsolutePath());
    }
    return p.toAbsolutePath();
  }
}
