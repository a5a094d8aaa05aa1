package io.maskgen.job.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one {@link StandaloneCluster} per test class and stops it after the class, also when tests
 * fail. Register it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final StandaloneClusterExtension CLUSTER = new StandaloneClusterExtension(2);
 * ... CLUSTER.cluster().masterUrl() ...
 * }</pre>
 *
 * <p>The cluster lives in a fresh temporary directory, deleted after the class when every test
 * passed; when one failed, it is kept and its path printed, so the daemon and executor logs can be
 * read.
 */
public final class StandaloneClusterExtension
    implements BeforeAllCallback, AfterAllCallback, AfterTestExecutionCallback {

  private final int workerCount;
  private Path baseDir;
  private StandaloneCluster cluster;
  private boolean failed;

  /** A cluster of one Master and {@code workerCount} Workers. */
  public StandaloneClusterExtension(int workerCount) {
    this.workerCount = workerCount;
  }

  /** The running cluster. */
  public StandaloneCluster cluster() {
    if (cluster == null) {
      throw new IllegalStateException("The cluster starts in beforeAll; use it from tests only");
    }
    return cluster;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    baseDir = Files.createTempDirectory("maskgen-standalone-");
    try {
      cluster = StandaloneCluster.start(baseDir, workerCount);
    } catch (IOException | RuntimeException e) {
      failed = true;
      throw e;
    }
  }

  @Override
  public void afterTestExecution(ExtensionContext context) {
    if (context.getExecutionException().isPresent()) {
      failed = true;
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
    if (baseDir == null) {
      return;
    }
    if (failed || context.getExecutionException().isPresent()) {
      System.err.println("Standalone cluster logs kept in " + baseDir);
    } else {
      deleteRecursively(baseDir);
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
