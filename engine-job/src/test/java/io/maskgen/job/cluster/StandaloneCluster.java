package io.maskgen.job.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * A real Spark standalone cluster on loopback for integration tests: one {@code Master} and N
 * {@code Worker}s, each its own JVM, all bound to 127.0.0.1.
 *
 * <p>How it works, and why. This machine has no Spark distribution, only Spark's jars on the test
 * classpath, so the daemons are started as plain main classes: {@code java -cp <test classpath>
 * org.apache.spark.deploy.master.Master ...}. Executors are the hard part: a Worker launches each
 * one itself ({@code ExecutorRunner}, through the launcher's {@code WorkerCommandBuilder}) as
 *
 * <pre>
 * java -cp ${spark.executor.extraClassPath}:$SPARK_HOME/conf:$SPARK_HOME/jars/* ... \
 *     org.apache.spark.executor.CoarseGrainedExecutorBackend ...
 * </pre>
 *
 * <p>and the launcher fails unless {@code $SPARK_HOME/jars} exists and it knows the Scala version.
 * So the fixture makes a fake SPARK_HOME with empty {@code jars/} and {@code conf/}, gives the
 * Workers {@code SPARK_SCALA_VERSION=2.13}, and every driver sets {@code
 * spark.executor.extraClassPath} to the test classpath: {@link #driverConf()} holds that and the
 * other settings a driver needs (Spark itself adds the Java 17 {@code --add-opens} to executors).
 * Executors are child processes of their Worker, so {@link #executors()} finds them among its
 * descendants; the fault-injection helper {@link #killExecutor(String, String)} builds on that.
 *
 * <p>Each Worker offers {@value #CORES_PER_WORKER} cores and {@value #WORKER_MEMORY}; {@link
 * #driverConf()} asks for one executor of {@value #EXECUTOR_CORES} core and {@value
 * #EXECUTOR_MEMORY} per Worker, so two applications can run side by side (say, a test's shared
 * session and a spark-submit). The Master spreads an application's executors over the Workers; a
 * replacement for a killed executor goes wherever a core is free. Logs go to {@code
 * <baseDir>/logs}; executor logs to {@code <baseDir>/worker-N/app-*&#47;M/stderr}. {@link #close()}
 * kills every process it started (executors included); a JVM shutdown hook does the same if the
 * test JVM exits first.
 */
public final class StandaloneCluster implements AutoCloseable {

  /** Cores each Worker offers: room for one executor of each of two applications. */
  public static final int CORES_PER_WORKER = 2;

  /** Memory each Worker offers. */
  public static final String WORKER_MEMORY = "2g";

  /** Cores of each executor ({@code spark.executor.cores}). */
  public static final int EXECUTOR_CORES = 1;

  /** Memory of each executor ({@code spark.executor.memory}). */
  public static final String EXECUTOR_MEMORY = "1g";

  private static final String HOST = "127.0.0.1";
  // Master and Workers only coordinate: a small heap, and no C2 or parallel GC threads that would
  // compete with executors for the CPU.
  private static final List<String> DAEMON_OPTIONS =
      List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
  private static final String SUBMIT_HEAP = "-Xmx1g";
  private static final List<String> OFFLINE_OPTIONS =
      List.of("-Dai.djl.offline=true", "-Doffline=true");
  private static final String EXECUTOR_MAIN_CLASS =
      "org.apache.spark.executor.CoarseGrainedExecutorBackend";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(15);
  private static final int LOG_TAIL_LINES = 40;

  private final Path baseDir;
  private final Path sparkHome;
  private final Path logDir;
  private final String classPath;
  private final int masterPort;
  private final int masterUiPort;
  private final List<Process> workers = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::destroyAll, "standalone-cluster-stop");
  private Process master;
  private int submitCount;
  private boolean closed;

  private StandaloneCluster(Path baseDir) throws IOException {
    this.baseDir = baseDir.toAbsolutePath();
    this.sparkHome = Files.createDirectories(this.baseDir.resolve("spark-home"));
    Files.createDirectories(sparkHome.resolve("jars"));
    Files.createDirectories(sparkHome.resolve("conf"));
    this.logDir = Files.createDirectories(this.baseDir.resolve("logs"));
    this.classPath = testClassPath();
    this.masterPort = freePort();
    this.masterUiPort = freePort();
  }

  /**
   * Starts a Master and {@code workerCount} Workers under {@code baseDir} and waits until every
   * Worker has registered with the Master.
   *
   * @param baseDir an empty directory that holds the fake SPARK_HOME, work dirs and logs
   * @throws IllegalStateException if the cluster is not up within two minutes; the message holds
   *     the tail of every daemon log
   */
  public static StandaloneCluster start(Path baseDir, int workerCount) throws IOException {
    if (workerCount < 1) {
      throw new IllegalArgumentException("Invalid worker count: " + workerCount);
    }
    StandaloneCluster cluster = new StandaloneCluster(baseDir);
    Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
    try {
      cluster.master =
          cluster.launchDaemon(
              "master",
              "org.apache.spark.deploy.master.Master",
              List.of(
                  "--host", HOST,
                  "--port", String.valueOf(cluster.masterPort),
                  "--webui-port", String.valueOf(cluster.masterUiPort)));
      for (int i = 0; i < workerCount; i++) {
        Path workDir = Files.createDirectories(cluster.baseDir.resolve("worker-" + i));
        cluster.workers.add(
            cluster.launchDaemon(
                "worker-" + i,
                "org.apache.spark.deploy.worker.Worker",
                List.of(
                    "--host",
                    HOST,
                    "--port",
                    "0",
                    "--webui-port",
                    "0",
                    "--cores",
                    String.valueOf(CORES_PER_WORKER),
                    "--memory",
                    WORKER_MEMORY,
                    "--work-dir",
                    workDir.toString(),
                    cluster.masterUrl())));
      }
      cluster.awaitAliveWorkers(workerCount, START_TIMEOUT);
      return cluster;
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** The URL drivers connect to, {@code spark://127.0.0.1:<port>}. */
  public String masterUrl() {
    return "spark://" + HOST + ":" + masterPort;
  }

  /** The Master's web UI; {@code <url>/json/} gives the cluster state. */
  public URI masterWebUi() {
    return URI.create("http://" + HOST + ":" + masterUiPort + "/");
  }

  /** The classpath every process of this cluster runs with: the test JVM's, manifests expanded. */
  public String classPath() {
    return classPath;
  }

  /** Root of the fake SPARK_HOME, logs and work dirs. */
  public Path baseDir() {
    return baseDir;
  }

  /**
   * The Spark settings a driver needs to run on this cluster: master URL, loopback driver host,
   * executor classpath and JVM options, one executor of {@value #EXECUTOR_CORES} core and {@value
   * #EXECUTOR_MEMORY} per Worker, and a wait until all of them are registered (so the first job
   * already sees every executor). The driver's UI is off.
   */
  public Map<String, String> driverConf() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.master", masterUrl());
    conf.put("spark.driver.host", HOST);
    conf.put("spark.driver.bindAddress", HOST);
    conf.put("spark.executor.extraClassPath", classPath);
    conf.put("spark.executor.extraJavaOptions", String.join(" ", OFFLINE_OPTIONS));
    conf.put("spark.executor.memory", EXECUTOR_MEMORY);
    conf.put("spark.executor.cores", String.valueOf(EXECUTOR_CORES));
    conf.put("spark.cores.max", String.valueOf(workers.size() * EXECUTOR_CORES));
    conf.put("spark.scheduler.minRegisteredResourcesRatio", "1.0");
    conf.put("spark.scheduler.maxRegisteredResourcesWaitingTime", START_TIMEOUT.toSeconds() + "s");
    conf.put("spark.ui.enabled", "false");
    return conf;
  }

  /** The executor JVMs now alive on this cluster's Workers, of any application. */
  public List<ExecutorProcess> executors() {
    List<ExecutorProcess> executors = new ArrayList<>();
    for (int i = 0; i < workers.size(); i++) {
      int worker = i;
      workers
          .get(i)
          .descendants()
          .filter(ProcessHandle::isAlive)
          .forEach(handle -> executorProcess(worker, handle).ifPresent(executors::add));
    }
    return executors;
  }

  /** The executor JVMs now alive for application {@code appId}. */
  public List<ExecutorProcess> executors(String appId) {
    return executors().stream().filter(e -> e.appId().equals(appId)).toList();
  }

  /**
   * Waits until at least {@code count} executor JVMs are alive.
   *
   * @throws IllegalStateException on timeout
   */
  public List<ExecutorProcess> awaitExecutors(int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<ExecutorProcess> executors = executors();
      if (executors.size() >= count) {
        return executors;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Expected " + count + " executors within " + timeout + ", found " + executors);
      }
      sleep(200);
    }
  }

  /**
   * Kills executor {@code executorId} of application {@code appId} with SIGKILL (as {@code kill -9}
   * would) and waits until its JVM is gone.
   *
   * @param appId {@code SparkContext.applicationId()}
   * @param executorId Spark's executor id, e.g. {@code TaskInfo.executorId()}
   * @throws IllegalArgumentException unless exactly one live executor matches
   */
  public ExecutorProcess killExecutor(String appId, String executorId) {
    List<ExecutorProcess> matches =
        executors(appId).stream().filter(e -> e.executorId().equals(executorId)).toList();
    if (matches.size() != 1) {
      throw new IllegalArgumentException(
          "Expected one live executor " + executorId + " of " + appId + ", found " + executors());
    }
    return kill(matches.get(0));
  }

  /** Kills {@code executor} with SIGKILL and waits until it is gone. */
  public ExecutorProcess kill(ExecutorProcess executor) {
    executor.handle().destroyForcibly();
    awaitExit(executor.handle());
    return executor;
  }

  /**
   * Runs {@code mainClass} through spark-submit's main class ({@code
   * org.apache.spark.deploy.SparkSubmit}, client mode) in a new JVM against this cluster, with
   * {@link #driverConf()} plus {@code extraConf}, and waits for it to exit. The main class must be
   * on the test classpath; it is submitted as {@code spark-internal}, so no application jar is
   * needed.
   *
   * @throws TimeoutException if it runs longer than {@code timeout}; the JVM is killed first
   */
  public SubmitResult submit(
      String mainClass, List<String> appArgs, Map<String, String> extraConf, Duration timeout)
      throws IOException, InterruptedException, TimeoutException {
    Submitted submitted = startSubmit(mainClass, appArgs, extraConf);
    Process process = submitted.process();
    Path log = submitted.log();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      destroyTrees(List.of(process));
      throw new TimeoutException(
          "spark-submit of " + mainClass + " ran longer than " + timeout + "\n" + tail(log));
    }
    return new SubmitResult(process.exitValue(), log);
  }

  /**
   * A spark-submit JVM (the driver, client mode) that is still running.
   *
   * @param process the driver JVM; {@code destroyForcibly()} is a {@code kill -9} of the driver
   * @param log its output
   */
  public record Submitted(Process process, Path log) {
    /** Waits for it to exit and returns the result. */
    public SubmitResult await(Duration timeout) throws InterruptedException, TimeoutException {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new TimeoutException("spark-submit ran longer than " + timeout + "\n" + tail(log));
      }
      return new SubmitResult(process.exitValue(), log);
    }
  }

  /** Like {@link #submit} but returns at once, with the driver running. */
  public Submitted startSubmit(
      String mainClass, List<String> appArgs, Map<String, String> extraConf) throws IOException {
    Map<String, String> conf = new LinkedHashMap<>(driverConf());
    conf.putAll(extraConf);
    List<String> args = new ArrayList<>();
    args.add(SUBMIT_HEAP);
    args.addAll(jvmOptions());
    args.addAll(List.of("-cp", classPath, "org.apache.spark.deploy.SparkSubmit"));
    args.addAll(List.of("--master", masterUrl(), "--deploy-mode", "client"));
    args.addAll(List.of("--class", mainClass, "--name", mainClass));
    conf.forEach((key, value) -> args.addAll(List.of("--conf", key + "=" + value)));
    args.add("spark-internal");
    args.addAll(appArgs);
    Path log = logDir.resolve("submit-" + submitCount++ + ".log");
    return new Submitted(launch(args, log), log);
  }

  /** Kills every process this cluster started, executors first; safe to call twice. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or about to: nothing left to remove.
    }
    destroyAll();
  }

  /** The last lines of every daemon log, for failure messages. */
  public String logTails() {
    try (Stream<Path> logs = Files.list(logDir)) {
      return logs.sorted().map(StandaloneCluster::tail).collect(Collectors.joining("\n"));
    } catch (IOException e) {
      return "(cannot list " + logDir + ": " + e + ")";
    }
  }

  private Process launchDaemon(String name, String mainClass, List<String> args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.addAll(DAEMON_OPTIONS);
    command.addAll(jvmOptions());
    command.addAll(List.of("-cp", classPath, mainClass));
    command.addAll(args);
    return launch(command, logDir.resolve(name + ".log"));
  }

  private Process launch(List<String> javaArgs, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(javaArgs);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(baseDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(key -> key.startsWith("SPARK_") || key.startsWith("HADOOP_CONF"));
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_CONF_DIR", sparkHome.resolve("conf").toString());
    // The launcher needs this, or a Spark build tree, to build executor commands.
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", HOST);
    env.put("SPARK_LOCAL_DIRS", Files.createDirectories(baseDir.resolve("local")).toString());
    return builder.start();
  }

  private void awaitAliveWorkers(int expected, Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request =
        HttpRequest.newBuilder(masterWebUi().resolve("json/"))
            .timeout(Duration.ofSeconds(5))
            .build();
    ObjectMapper json = new ObjectMapper();
    long deadline = System.nanoTime() + timeout.toNanos();
    String lastState = "(Master web UI not reachable yet)";
    while (System.nanoTime() < deadline) {
      List<String> dead = deadDaemons();
      if (!dead.isEmpty()) {
        throw new IllegalStateException(
            "Spark daemons exited during startup: " + dead + "\n" + logTails());
      }
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          JsonNode state = json.readTree(response.body());
          lastState = "aliveworkers=" + state.path("aliveworkers").asInt();
          if (state.path("aliveworkers").asInt() >= expected) {
            return;
          }
        }
      } catch (IOException notUpYet) {
        lastState = "(Master web UI: " + notUpYet + ")";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for the cluster", e);
      }
      sleep(500);
    }
    throw new IllegalStateException(
        "Expected "
            + expected
            + " alive workers at "
            + masterWebUi()
            + " within "
            + timeout
            + ", last state "
            + lastState
            + "\n"
            + logTails());
  }

  private List<String> deadDaemons() {
    List<String> dead = new ArrayList<>();
    if (!master.isAlive()) {
      dead.add("master (exit " + master.exitValue() + ")");
    }
    for (int i = 0; i < workers.size(); i++) {
      if (!workers.get(i).isAlive()) {
        dead.add("worker-" + i + " (exit " + workers.get(i).exitValue() + ")");
      }
    }
    return dead;
  }

  private void destroyAll() {
    List<Process> daemons = new ArrayList<>(workers);
    if (master != null) {
      daemons.add(master);
    }
    destroyTrees(daemons);
  }

  /** SIGKILLs the processes and all their descendants, then waits until every one is gone. */
  private static void destroyTrees(List<Process> processes) {
    List<ProcessHandle> tree = new ArrayList<>();
    for (Process process : processes) {
      tree.addAll(process.descendants().toList());
      tree.add(process.toHandle());
    }
    tree.forEach(ProcessHandle::destroyForcibly);
    List<Long> survivors = new ArrayList<>();
    for (ProcessHandle handle : tree) {
      try {
        awaitExit(handle);
      } catch (IllegalStateException e) {
        survivors.add(handle.pid());
      }
    }
    if (!survivors.isEmpty()) {
      throw new IllegalStateException("Processes did not exit after SIGKILL: " + survivors);
    }
  }

  private static void awaitExit(ProcessHandle handle) {
    try {
      handle.onExit().get(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for process " + handle.pid(), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Process " + handle.pid() + " did not exit", e);
    }
  }

  private static Optional<ExecutorProcess> executorProcess(int worker, ProcessHandle handle) {
    List<String> args = arguments(handle);
    if (!args.contains(EXECUTOR_MAIN_CLASS)) {
      return Optional.empty();
    }
    return Optional.of(
        new ExecutorProcess(
            worker, argument(args, "--app-id"), argument(args, "--executor-id"), handle));
  }

  /** A process's command line; /proc as a fallback where ProcessHandle.Info has no arguments. */
  private static List<String> arguments(ProcessHandle handle) {
    Optional<String[]> args = handle.info().arguments();
    if (args.isPresent() && args.get().length > 0) {
      return Arrays.asList(args.get());
    }
    Path cmdline = Path.of("/proc", String.valueOf(handle.pid()), "cmdline");
    try {
      return Arrays.asList(Files.readString(cmdline, StandardCharsets.UTF_8).split("\0"));
    } catch (IOException gone) {
      return List.of();
    }
  }

  private static String argument(List<String> args, String name) {
    int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : "?";
  }

  private static List<String> jvmOptions() {
    List<String> options = new ArrayList<>(List.of(JavaModuleOptions.defaultModuleOptionArray()));
    options.addAll(OFFLINE_OPTIONS);
    return options;
  }

  /** The test JVM's classpath, see {@link #expandClassPath}. */
  static String testClassPath() {
    return expandClassPath(System.getProperty("java.class.path"));
  }

  /**
   * Returns {@code classPath}, and when it is a single jar, the entries its manifest's {@code
   * Class-Path} lists after it: test runners may start tests from such a manifest-only jar (Maven's
   * forked JVMs set {@code java.class.path} to the real entries, IDEs may not), and executors get
   * this classpath through Spark's launcher, which does not read manifests.
   */
  static String expandClassPath(String classPath) {
    String[] entries = classPath.split(File.pathSeparator);
    LinkedHashSet<String> expanded = new LinkedHashSet<>(Arrays.asList(entries));
    if (entries.length == 1 && entries[0].endsWith(".jar")) {
      Path jar = Path.of(entries[0]).toAbsolutePath();
      try (JarFile file = new JarFile(jar.toFile())) {
        Manifest manifest = file.getManifest();
        String listed =
            manifest == null
                ? null
                : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
        if (listed != null) {
          for (String entry : listed.trim().split("\\s+")) {
            expanded.add(Path.of(jar.toUri().resolve(entry)).toString());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read the manifest of " + jar, e);
      }
    }
    return String.join(File.pathSeparator, expanded);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "--- "
          + log
          + " (last "
          + LOG_TAIL_LINES
          + " lines) ---\n"
          + String.join(
              "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "--- " + log + ": " + e;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }

  /**
   * One executor JVM.
   *
   * @param worker index of the Worker that launched it, from 0
   * @param appId Spark application id ({@code app-...})
   * @param executorId Spark executor id within the application, e.g. {@code "0"}
   * @param handle the live process
   */
  public record ExecutorProcess(int worker, String appId, String executorId, ProcessHandle handle) {
    /** Operating system process id. */
    public long pid() {
      return handle.pid();
    }

    @Override
    public String toString() {
      return "executor "
          + executorId
          + " of "
          + appId
          + " (pid "
          + pid()
          + ", worker "
          + worker
          + ")";
    }
  }

  /**
   * Outcome of {@link #submit}.
   *
   * @param exitCode the spark-submit JVM's exit code; 0 when the application's main returned
   * @param log its stdout and stderr
   */
  public record SubmitResult(int exitCode, Path log) {
    /** The whole log, for assertions and failure messages. */
    public String output() {
      try {
        return Files.readString(log, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
