package io.maskgen.job.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandaloneClusterTest {

  @TempDir Path dir;

  @Test
  void expandClassPathListsTheEntriesOfAManifestOnlyJar() throws Exception {
    Path classes = Files.createDirectories(dir.resolve("test classes"));
    Path library = Files.createFile(dir.resolve("lib.jar"));
    Path booter = dir.resolve("booter.jar");
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    // One absolute URI (what Maven's booter writes) and one relative, escaped entry.
    manifest
        .getMainAttributes()
        .put(Attributes.Name.CLASS_PATH, library.toUri() + " test%20classes/");
    try (OutputStream out = Files.newOutputStream(booter);
        JarOutputStream jar = new JarOutputStream(out, manifest)) {
      jar.flush();
    }

    assertThat(StandaloneCluster.expandClassPath(booter.toString()).split(File.pathSeparator))
        .containsExactly(booter.toString(), library.toString(), classes.toString());
  }

  @Test
  void expandClassPathKeepsAnOrdinaryClassPath() throws Exception {
    Path library = Files.createFile(dir.resolve("lib.jar"));
    String classPath = dir.resolve("classes") + File.pathSeparator + library;

    assertThat(StandaloneCluster.expandClassPath(classPath)).isEqualTo(classPath);
  }
}
