package io.maskgen.job.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator scripts in {@code deploy/}: each submit script's {@code --dry-run} prints the
 * spark-submit command it would run, which is parsed back into its arguments with bash and checked
 * (class, jar, maskgen's arguments, GPU, memory and Kryo settings); bad options fail naming the
 * option; every shell script passes shellcheck (required when {@code CI=true}); the Kubernetes
 * manifest parses; the Airflow DAG compiles when python3 is installed (optional: the build never
 * needs Python).
 */
class DeployScriptsTest {

  private static final Path ROOT =
      Path.of(System.getProperty("maskgen.root.dir", "..")).toAbsolutePath().normalize();
  private static final Path DEPLOY = ROOT.resolve("deploy");
  private static final List<String> GENERATE =
      List.of(
          "generate", "--input", "s3a://bucket/sa1b/sa_0000*.tar", "--output",
          "s3a://bucket/masks/v1", "--run-id", "a run", "--device", "gpu");

  @TempDir Path tmp;

  /** Exit code, stdout and stderr of a process. */
  record Result(int code, String out, String err) {}

  /** A dry run's command: the program, and the arguments as spark-submit receives them. */
  record Command(List<String> argv) {
    String program() {
      return argv.get(0);
    }

    /** The value after {@code option}; the first occurrence. */
    String option(String option) {
      int i = argv.indexOf(option);
      assertThat(i).as("%s in %s", option, argv).isPositive();
      return argv.get(i + 1);
    }

    /** Every {@code --conf KEY=VALUE}; a later one wins, as in spark-submit. */
    Map<String, String> confs() {
      Map<String, String> m = new LinkedHashMap<>();
      for (int i = 1; i + 1 < argv.size(); i++) {
        if (argv.get(i).equals("--conf")) {
          String kv = argv.get(i + 1);
          m.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
      }
      return m;
    }

    /** The primary resource (the jar) and the application's arguments after it. */
    List<String> jarAndAppArgs(int appArgs) {
      return argv.subList(argv.size() - appArgs - 1, argv.size());
    }
  }

  @Test
  void standaloneDryRunPrintsTheSubmitCommandWithGpuAndMemorySettings() throws Exception {
    Path jar = fakeJar();
    Command c =
        dryRun(
            "submit-standalone.sh", "--master", "spark://master:7077", "--jar", jar.toString(),
            "--executors", "3");
    assertThat(c.program()).isEqualTo("spark-submit");
    assertThat(c.option("--master")).isEqualTo("spark://master:7077");
    assertThat(c.option("--deploy-mode")).isEqualTo("client");
    assertThat(c.option("--class")).isEqualTo("io.maskgen.job.Main");
    assertThat(c.jarAndAppArgs(GENERATE.size())).isEqualTo(concat(jar.toString(), GENERATE));
    Map<String, String> conf = c.confs();
    assertCommonSettings(conf);
    assertThat(conf)
        .containsEntry("spark.executor.resource.gpu.discoveryScript",
            "/opt/maskgen/conf/getGpusResources.sh")
        .containsEntry("spark.executor.instances", "3")
        .containsEntry("spark.cores.max", "12");
  }

  @Test
  void yarnDryRunSubmitsInClusterModeToTheQueue() throws Exception {
    Path jar = fakeJar();
    Command c =
        dryRun("submit-yarn.sh", "--jar", jar.toString(), "--queue", "gpu", "--gpus-per-task",
            "0.5", "--executor-cores", "8", "--memory-overhead", "20g");
    assertThat(c.option("--master")).isEqualTo("yarn");
    assertThat(c.option("--deploy-mode")).isEqualTo("cluster");
    assertThat(c.option("--class")).isEqualTo("io.maskgen.job.Main");
    assertThat(c.jarAndAppArgs(GENERATE.size())).isEqualTo(concat(jar.toString(), GENERATE));
    assertThat(c.confs())
        .containsEntry("spark.yarn.queue", "gpu")
        .containsEntry("spark.executor.resource.gpu.amount", "1")
        .containsEntry("spark.task.resource.gpu.amount", "0.5")
        .containsEntry("spark.executor.cores", "8")
        .containsEntry("spark.task.cpus", "8")
        .containsEntry("spark.executor.memoryOverhead", "20g")
        .containsEntry("spark.kryo.registrator", "io.maskgen.job.JobKryoRegistrator");
  }

  @Test
  void k8sDryRunUsesTheImageJarAndNvidiaGpusAndLetsConfWin() throws Exception {
    Command c =
        dryRun(
            "submit-k8s.sh", "--master", "k8s://https://kube:6443", "--image",
            "registry.example.com/maskgen:0.1.0", "--namespace", "maskgen", "--conf",
            "spark.executor.memoryOverhead=24g");
    assertThat(c.option("--master")).isEqualTo("k8s://https://kube:6443");
    assertThat(c.option("--deploy-mode")).isEqualTo("cluster");
    assertThat(c.option("--class")).isEqualTo("io.maskgen.job.Main");
    assertThat(c.jarAndAppArgs(GENERATE.size()))
        .isEqualTo(concat("local:///opt/maskgen/jars/maskgen-spark.jar", GENERATE));
    Map<String, String> conf = c.confs();
    assertCommonSettings(
        new LinkedHashMap<>(conf) {
          {
            put("spark.executor.memoryOverhead", "12g");
          }
        });
    assertThat(conf)
        .containsEntry("spark.executor.memoryOverhead", "24g")
        .containsEntry("spark.kubernetes.container.image", "registry.example.com/maskgen:0.1.0")
        .containsEntry("spark.kubernetes.namespace", "maskgen")
        .containsEntry("spark.kubernetes.authenticate.driver.serviceAccountName", "spark")
        .containsEntry("spark.executor.resource.gpu.vendor", "nvidia.com");
  }

  @Test
  void dockerfileProvidesTheJarAndDiscoveryScriptTheK8sScriptUses() throws IOException {
    String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
    assertThat(dockerfile)
        .contains("COPY engine-job/target/engine-job-*-spark.jar /opt/maskgen/jars/maskgen-spark.jar")
        .contains("COPY conf/ /opt/maskgen/conf/")
        .contains("hadoop-aws");
  }

  @Test
  void cpuOnlyRunHasNoGpuSettings() throws Exception {
    Command c =
        dryRun("submit-standalone.sh", "--master", "spark://m:7077", "--jar",
            fakeJar().toString(), "--gpus-per-executor", "0");
    assertThat(c.confs().keySet()).noneMatch(k -> k.contains(".resource.gpu."));
  }

  @Test
  void sparkHomeChoosesItsSparkSubmit() throws Exception {
    Result r =
        run(Map.of("SPARK_HOME", "/opt/spark 4"),
            concat(script("submit-yarn.sh"), List.of("--dry-run", "--jar", fakeJar().toString(),
                "--", "inspect", "--dataset", "s3a://b/d")));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(parse(r.out()).program()).isEqualTo("/opt/spark 4/bin/spark-submit");
  }

  @Test
  void defaultJarIsTheHighestVersionShadedJarOfTheCheckoutOrAClearError() throws Exception {
    // A copy of deploy/ in an otherwise empty checkout: the scripts look for ../engine-job/target.
    Path checkout = tmp.resolve("checkout");
    copyTree(DEPLOY, checkout.resolve("deploy"));
    List<String> args =
        List.of("bash", checkout.resolve("deploy/submit-standalone.sh").toString(), "--dry-run",
            "--master", "spark://m:7077", "--", "inspect", "--dataset", "d");
    Result missing = run(Map.of(), args);
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err())
        .contains("no jar in " + checkout.resolve("engine-job/target"))
        .contains("mvn -B package");

    Path target = Files.createDirectories(checkout.resolve("engine-job/target"));
    Files.write(target.resolve("engine-job-0.1.0-spark.jar"), new byte[] {1});
    Files.write(target.resolve("engine-job-0.10.0-spark.jar"), new byte[] {1});
    Files.write(target.resolve("engine-job-0.9.0-spark.jar"), new byte[] {1});
    Files.write(target.resolve("engine-job-0.10.0.jar"), new byte[] {1});
    Result found = run(Map.of(), args);
    assertThat(found.code()).as(found.err()).isZero();
    assertThat(parse(found.out()).jarAndAppArgs(3).get(0))
        .isEqualTo(target.resolve("engine-job-0.10.0-spark.jar").toString());
  }

  @Test
  void badOptionsFailNamingTheOption() throws Exception {
    String jar = fakeJar().toString();
    assertFails(List.of("submit-standalone.sh", "--master", "spark://m:7077", "--jar", jar,
        "--executors", "many", "--", "inspect"), "invalid --executors: 'many'");
    assertFails(List.of("submit-standalone.sh", "--master", "spark://m:7077", "--jar", jar,
        "--executor-memory", "16", "--", "inspect"), "invalid --executor-memory: '16'");
    assertFails(List.of("submit-standalone.sh", "--master", "spark://m:7077", "--jar", jar,
        "--bogus", "--", "inspect"), "unknown option '--bogus'");
    assertFails(List.of("submit-standalone.sh", "--master", "yarn", "--jar", jar, "--",
        "inspect"), "invalid --master: 'yarn'");
    assertFails(List.of("submit-standalone.sh", "--master", "spark://m:7077", "--jar", jar),
        "no maskgen command");
    assertFails(List.of("submit-yarn.sh", "--jar", tmp.resolve("nope.jar").toString(), "--",
        "inspect"), "--jar " + tmp.resolve("nope.jar") + ": no such file");
    assertFails(List.of("submit-yarn.sh", "--jar", jar, "--conf", "novalue", "--", "inspect"),
        "invalid --conf: 'novalue'");
    assertFails(List.of("submit-k8s.sh", "--master", "k8s://https://k:6443", "--", "inspect"),
        "missing --image");
  }

  @Test
  void helpListsTheOptions() throws Exception {
    for (String s : List.of("submit-standalone.sh", "submit-yarn.sh", "submit-k8s.sh")) {
      Result r = run(Map.of(), concat(script(s), List.of("--help")));
      assertThat(r.code()).as(s).isZero();
      assertThat(r.out()).as(s).contains("Usage: deploy/" + s).contains("--gpus-per-executor")
          .contains("--dry-run");
    }
  }

  @Test
  void everyShellScriptPassesShellcheck() throws Exception {
    boolean installed = onPath("shellcheck");
    if (!installed && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true but shellcheck is not installed (.ci/run installs it)");
    }
    assumeThat(installed).as("shellcheck is not installed; skipped outside CI").isTrue();
    List<String> scripts = new ArrayList<>();
    for (Path dir : List.of(DEPLOY, ROOT.resolve("conf"))) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.filter(Files::isRegularFile).filter(DeployScriptsTest::isShellScript)
            .forEach(p -> scripts.add(ROOT.relativize(p).toString()));
      }
    }
    assertThat(scripts).contains("deploy/submit-k8s.sh", "deploy/lib/submit-common.sh",
        "conf/getGpusResources.sh");
    Result r = run(Map.of(), concat("shellcheck", concat("-x", scripts)));
    assertThat(r.code()).as(r.out() + r.err()).isZero();
  }

  @Test
  void cronJobManifestParsesAndSubmitsARefreshInClusterMode() throws IOException {
    Map<String, JsonNode> byKind = new LinkedHashMap<>();
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    try (MappingIterator<JsonNode> docs =
        yaml.readerFor(JsonNode.class).readValues(DEPLOY.resolve("k8s/cronjob.yaml").toFile())) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        byKind.put(doc.path("kind").asText(), doc);
      }
    }
    assertThat(byKind).containsKeys("ServiceAccount", "Role", "RoleBinding", "CronJob");
    JsonNode cron = byKind.get("CronJob");
    assertThat(cron.path("apiVersion").asText()).isEqualTo("batch/v1");
    assertThat(cron.at("/spec/schedule").asText()).matches("\\S+( \\S+){4}");
    assertThat(cron.at("/spec/concurrencyPolicy").asText()).isEqualTo("Forbid");
    JsonNode pod = cron.at("/spec/jobTemplate/spec/template/spec");
    assertThat(pod.path("restartPolicy").asText()).isEqualTo("Never");
    assertThat(pod.path("serviceAccountName").asText())
        .isEqualTo(byKind.get("ServiceAccount").at("/metadata/name").asText());
    String script = pod.at("/containers/0/args/0").asText();
    assertThat(script)
        .contains("/opt/maskgen/deploy/submit-k8s.sh")
        .contains("--master k8s://https://kubernetes.default.svc")
        .contains("-- generate")
        .contains("--output \"$MASKGEN_OUTPUT\"")
        .contains("--retry-failed");
  }

  @Test
  void airflowDagCompilesWhenPython3IsInstalled() throws Exception {
    // Optional check: the build does not need Python; skipped where there is none.
    assumeThat(Files.isExecutable(Path.of("/usr/bin/python3"))).as("no /usr/bin/python3").isTrue();
    Path dag = DEPLOY.resolve("airflow/maskgen_refresh_dag.py");
    Result r =
        run(Map.of(), List.of("/usr/bin/python3", "-c",
            "import sys; compile(open(sys.argv[1]).read(), sys.argv[1], 'exec')", dag.toString()));
    assertThat(r.code()).as(r.err()).isZero();
  }

  // ---- helpers ----

  private static void assertCommonSettings(Map<String, String> conf) {
    assertThat(conf)
        .containsEntry("spark.executor.resource.gpu.amount", "1")
        .containsEntry("spark.task.resource.gpu.amount", "1")
        .containsEntry("spark.executor.cores", "4")
        .containsEntry("spark.task.cpus", "4")
        .containsEntry("spark.executor.memory", "16g")
        .containsEntry("spark.executor.memoryOverhead", "12g")
        .containsEntry("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .containsEntry("spark.kryo.registrator", "io.maskgen.job.JobKryoRegistrator")
        .containsEntry("spark.executor.extraJavaOptions", "-Dai.djl.offline=true -Doffline=true")
        .containsKey("spark.executor.resource.gpu.discoveryScript");
  }

  private Command dryRun(String script, String... options) throws Exception {
    List<String> args = new ArrayList<>(script(script));
    args.add("--dry-run");
    args.addAll(Arrays.asList(options));
    args.add("--");
    args.addAll(GENERATE);
    Result r = run(Map.of(), args);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines()).as("one line").hasSize(1);
    return parse(r.out());
  }

  /** Splits a printed command line into its arguments the way bash would run it. */
  private Command parse(String line) throws Exception {
    Result r =
        run(Map.of(), List.of("bash", "-c", "eval \"set -- $1\"; printf '%s\\0' \"$@\"", "_",
            line.strip()));
    assertThat(r.code()).as(r.err()).isZero();
    return new Command(List.of(r.out().split("\0")));
  }

  private void assertFails(List<String> scriptAndArgs, String message) throws Exception {
    Result r =
        run(Map.of(), concat(script(scriptAndArgs.get(0)),
            concat("--dry-run", scriptAndArgs.subList(1, scriptAndArgs.size()))));
    assertThat(r.code()).as(String.join(" ", scriptAndArgs)).isEqualTo(2);
    assertThat(r.err()).contains(message);
    assertThat(r.out()).isEmpty();
  }

  private Path fakeJar() throws IOException {
    Path jar = tmp.resolve("engine-job-0.1.0-SNAPSHOT-spark.jar");
    if (!Files.exists(jar)) {
      Files.write(jar, new byte[] {0x50, 0x4b, 5, 6});
    }
    return jar;
  }

  private static List<String> script(String name) {
    return List.of("bash", DEPLOY.resolve(name).toString());
  }

  private Result run(Map<String, String> env, List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
    pb.environment().remove("SPARK_HOME");
    pb.environment().putAll(env);
    File out = Files.createTempFile(tmp, "out", ".txt").toFile();
    File err = Files.createTempFile(tmp, "err", ".txt").toFile();
    pb.redirectOutput(out).redirectError(err);
    int code = pb.start().waitFor();
    return new Result(
        code,
        Files.readString(out.toPath(), StandardCharsets.UTF_8),
        Files.readString(err.toPath(), StandardCharsets.UTF_8));
  }

  private static boolean isShellScript(Path p) {
    if (p.toString().endsWith(".sh")) {
      return true;
    }
    try {
      String first = Files.readAllLines(p, StandardCharsets.UTF_8).stream().findFirst().orElse("");
      return first.startsWith("#!") && (first.contains("bash") || first.endsWith("/sh"));
    } catch (IOException | java.io.UncheckedIOException e) {
      return false; // binary or unreadable: not a script
    }
  }

  private static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path dest = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(p, dest);
        }
      }
    }
  }

  private static List<String> concat(String first, List<String> rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(rest);
    return all;
  }

  private static List<String> concat(List<String> first, List<String> rest) {
    List<String> all = new ArrayList<>(first);
    all.addAll(rest);
    return all;
  }
}
