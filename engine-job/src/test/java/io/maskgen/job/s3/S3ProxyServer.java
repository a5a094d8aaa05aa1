package io.maskgen.job.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * A real S3 API server on loopback for tests: S3Proxy with its file system backend in a folder,
 * run as its own JVM from the single S3Proxy jar (system property {@code maskgen.s3proxy.jar},
 * copied there by the build) so that its Jetty and jclouds never share a classpath with Spark.
 *
 * <p>{@link #hadoopConf()} holds the {@code spark.hadoop.fs.s3a.*} settings that point S3A at it
 * (endpoint, path-style access, no TLS, static credentials, region); {@link #client()} is an AWS
 * SDK client for putting and listing objects directly. {@link #close()} stops the process.
 */
public final class S3ProxyServer implements AutoCloseable {

  /** The access key and secret of the server's single identity. */
  public static final String ACCESS_KEY = "maskgen-test";

  public static final String SECRET_KEY = "maskgen-test-secret";

  public static final String REGION = "us-east-1";

  private static final String HOST = "127.0.0.1";
  private static final long START_TIMEOUT_MS = 60_000;

  private final Process process;
  private final Path log;
  private final int port;
  private final S3Client client;

  private S3ProxyServer(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
    this.client =
        S3Client.builder()
            .endpointOverride(endpoint())
            .region(Region.of(REGION))
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
            .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
            .build();
  }

  /**
   * Starts a server that keeps its buckets under {@code baseDir/data} and logs to {@code
   * baseDir/s3proxy.log}; returns once it accepts connections.
   */
  public static S3ProxyServer start(Path baseDir) throws IOException {
    Path jar = Path.of(System.getProperty("maskgen.s3proxy.jar", "target/s3proxy/s3proxy.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "S3Proxy jar " + jar.toAbsolutePath() + " is missing; the engine-job build copies it"
              + " there (mvn process-test-resources)");
    }
    Path data = Files.createDirectories(baseDir.resolve("data"));
    int port = freePort();
    Map<String, String> props = new LinkedHashMap<>();
    props.put("s3proxy.endpoint", "http://" + HOST + ":" + port);
    props.put("s3proxy.authorization", "aws-v2-or-v4");
    props.put("s3proxy.identity", ACCESS_KEY);
    props.put("s3proxy.credential", SECRET_KEY);
    props.put("jclouds.provider", "filesystem");
    props.put("jclouds.filesystem.basedir", data.toString());
    StringBuilder text = new StringBuilder();
    props.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    Path properties = baseDir.resolve("s3proxy.properties");
    Files.writeString(properties, text, StandardCharsets.UTF_8);

    Path log = baseDir.resolve("s3proxy.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(java, "-Xmx256m", "-DLOG_LEVEL=warn",
                    "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
                    "-jar", jar.toString(),
                    "--properties", properties.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    S3ProxyServer server = new S3ProxyServer(p, log, port);
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    try {
      server.awaitListening();
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** {@code http://127.0.0.1:PORT}. */
  public URI endpoint() {
    return URI.create("http://" + HOST + ":" + port);
  }

  /** An S3 client for this server (path-style, static credentials). */
  public S3Client client() {
    return client;
  }

  /** Creates a bucket through the S3 API. */
  public void createBucket(String bucket) {
    client.createBucket(b -> b.bucket(bucket));
  }

  /** Spark settings ({@code spark.hadoop.fs.s3a.*}) that point S3A at this server. */
  public Map<String, String> hadoopConf() {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("spark.hadoop.fs.s3a.endpoint", endpoint().toString());
    c.put("spark.hadoop.fs.s3a.endpoint.region", REGION);
    c.put("spark.hadoop.fs.s3a.path.style.access", "true");
    c.put("spark.hadoop.fs.s3a.connection.ssl.enabled", "false");
    c.put("spark.hadoop.fs.s3a.access.key", ACCESS_KEY);
    c.put("spark.hadoop.fs.s3a.secret.key", SECRET_KEY);
    c.put(
        "spark.hadoop.fs.s3a.aws.credentials.provider",
        "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    // Fail fast: a test against loopback has nothing to wait for.
    c.put("spark.hadoop.fs.s3a.attempts.maximum", "2");
    c.put("spark.hadoop.fs.s3a.retry.limit", "2");
    return c;
  }

  /** The server's log (start-up problems, request errors). */
  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    client.close();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private void awaitListening() throws IOException {
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "S3Proxy exited with code " + process.exitValue() + " on start:\n" + log());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(HOST, port), 1000);
        return;
      } catch (IOException notYet) {
        if (System.currentTimeMillis() > deadline) {
          throw new IOException(
              "S3Proxy did not listen on " + endpoint() + " within " + START_TIMEOUT_MS
                  + " ms:\n" + log(), notYet);
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("Interrupted while waiting for S3Proxy", e);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return s.getLocalPort();
    }
  }
}
