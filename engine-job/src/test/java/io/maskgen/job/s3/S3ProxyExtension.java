package io.maskgen.job.s3;

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
 * Starts one {@link S3ProxyServer} per test class, in a fresh temporary folder, with the given
 * buckets created through the S3 API; stops it after the class, also when tests fail. Register it
 * on a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final S3ProxyExtension S3 = new S3ProxyExtension("bucket");
 * ... S3.server().hadoopConf() ...
 * }</pre>
 *
 * <p>The folder (buckets and server log) is deleted after the class when every test passed; when
 * one failed it is kept and its path printed.
 */
public final class S3ProxyExtension
    implements BeforeAllCallback, AfterAllCallback, AfterTestExecutionCallback {

  private final String[] buckets;
  private Path baseDir;
  private S3ProxyServer server;
  private boolean failed;

  public S3ProxyExtension(String... buckets) {
    this.buckets = buckets.clone();
  }

  /** The running server. */
  public S3ProxyServer server() {
    if (server == null) {
      throw new IllegalStateException("S3Proxy starts in beforeAll; use it from tests only");
    }
    return server;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    baseDir = Files.createTempDirectory("maskgen-s3proxy-");
    try {
      server = S3ProxyServer.start(baseDir);
      for (String bucket : buckets) {
        server.createBucket(bucket);
      }
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
    if (server != null) {
      server.close();
      server = null;
    }
    if (baseDir == null) {
      return;
    }
    if (failed || context.getExecutionException().isPresent()) {
      System.err.println("S3Proxy data and log kept in " + baseDir);
    } else {
      try (Stream<Path> paths = Files.walk(baseDir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
