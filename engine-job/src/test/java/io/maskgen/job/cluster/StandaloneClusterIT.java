package io.maskgen.job.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.maskgen.job.cluster.StandaloneCluster.ExecutorProcess;
import io.maskgen.job.cluster.StandaloneCluster.SubmitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs Spark jobs on a real standalone cluster (one Master, two Workers, separate JVMs on loopback)
 * to prove {@link StandaloneCluster} works for end-to-end tests: work spreads over both executors,
 * Parquet written by executors reads back, a SIGKILLed executor costs a retry but not the job, and
 * spark-submit's main class runs an application on the cluster.
 */
class StandaloneClusterIT {

  @RegisterExtension
  static final StandaloneClusterExtension CLUSTER = new StandaloneClusterExtension(2);

  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(2);

  /** One application for the in-process tests; executors take seconds to start. */
  private static SparkSession spark;

  @TempDir Path tempDir;

  @BeforeAll
  static void startSession() {
    spark = session("StandaloneClusterIT");
  }

  @AfterAll
  static void stopSession() {
    if (spark != null) {
      spark.stop();
    }
  }

  @BeforeEach
  void awaitTwoExecutors() {
    // A test that killed an executor leaves its replacement starting.
    String appId = spark.sparkContext().applicationId();
    long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
    while (registeredExecutors() != 2 || CLUSTER.cluster().executors(appId).size() != 2) {
      if (System.nanoTime() > deadline) {
        fail(
            "Expected two executors within %s, found %s",
            JOB_TIMEOUT, CLUSTER.cluster().executors());
      }
      sleep(200);
    }
  }

  @Test
  void jobRunsInTwoExecutorJvmsOfTheCluster() {
    List<String> partitions =
        jsc()
            .parallelize(IntStream.rangeClosed(1, 1000).boxed().toList(), 4)
            .mapPartitions(StandaloneClusterIT::describePartition)
            .collect();

    // Each partition reports "<executor id> <pid> <count> <sum>".
    List<String[]> fields = partitions.stream().map(p -> p.split(" ")).toList();
    assertThat(fields.stream().mapToLong(f -> Long.parseLong(f[2])).sum()).isEqualTo(1000);
    assertThat(fields.stream().mapToLong(f -> Long.parseLong(f[3])).sum()).isEqualTo(500500);
    assertThat(fields.stream().map(f -> f[0]).distinct()).hasSize(2);
    List<Long> taskPids = fields.stream().map(f -> Long.parseLong(f[1])).distinct().toList();
    List<ExecutorProcess> executors =
        CLUSTER.cluster().executors(spark.sparkContext().applicationId());
    assertThat(taskPids)
        .doesNotContain(ProcessHandle.current().pid())
        .containsExactlyInAnyOrderElementsOf(executors.stream().map(ExecutorProcess::pid).toList());
  }

  @Test
  void parquetWrittenByExecutorsReadsBack() throws Exception {
    Path table = tempDir.resolve("squares.parquet");
    spark
        .range(0, 100, 1, 4)
        .selectExpr("id", "id * id AS square")
        .write()
        .parquet(table.toString());

    try (Stream<Path> files = Files.list(table)) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".parquet")))
          .hasSize(4);
    }
    Row totals =
        spark.read().parquet(table.toString()).selectExpr("count(*)", "sum(square)").first();
    assertThat(totals.getLong(0)).isEqualTo(100);
    assertThat(totals.getLong(1)).isEqualTo(328350); // sum of i^2 for i in 0..99
  }

  @Test
  void jobCompletesWhenAnExecutorIsKilledMidTask() throws Exception {
    TaskEvents events = new TaskEvents();
    spark.sparkContext().addSparkListener(events);
    try {
      JavaFutureAction<List<Integer>> job =
          jsc()
              .parallelize(IntStream.range(0, 8).boxed().toList(), 8)
              .map(StandaloneClusterIT::slowDouble)
              .collectAsync();

      String victim = events.started.poll(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertThat(victim).as("executor of the first task").isNotNull();
      ExecutorProcess killed =
          CLUSTER.cluster().killExecutor(spark.sparkContext().applicationId(), victim);

      assertThat(job.get(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
          .containsExactly(0, 2, 4, 6, 8, 10, 12, 14);
      assertThat(killed.handle().isAlive()).isFalse();
      assertThat(events.lostOn).as("tasks lost with their executor").contains(victim);
    } finally {
      spark.sparkContext().removeSparkListener(events);
    }
  }

  @Test
  void sparkSubmitRunsAnApplicationOnTheCluster() throws Exception {
    Path output = tempDir.resolve("probe.txt");
    SubmitResult result =
        CLUSTER
            .cluster()
            .submit(
                ClusterProbeApp.class.getName(), List.of(output.toString()), Map.of(), JOB_TIMEOUT);

    assertThat(result.exitCode()).as(() -> "spark-submit output:\n" + result.output()).isZero();
    assertThat(Files.readAllLines(output)).containsExactly("sum=500500", "executors=2");
  }

  private static SparkSession session(String name) {
    SparkSession.Builder builder = SparkSession.builder().appName(name);
    CLUSTER.cluster().driverConf().forEach(builder::config);
    return builder.getOrCreate();
  }

  private static JavaSparkContext jsc() {
    return JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  /** Executors the driver has registered, itself not counted. */
  private static int registeredExecutors() {
    return spark.sparkContext().statusTracker().getExecutorInfos().length - 1;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Iterator<String> describePartition(Iterator<Integer> values) {
    long count = 0;
    long sum = 0;
    while (values.hasNext()) {
      count++;
      sum += values.next();
    }
    String where = SparkEnv.get().executorId() + " " + ProcessHandle.current().pid();
    return List.of(where + " " + count + " " + sum).iterator();
  }

  private static int slowDouble(int value) throws InterruptedException {
    Thread.sleep(1500); // long enough for the kill to land while tasks run
    return 2 * value;
  }

  /** Records where tasks started and where tasks were lost with their executor. */
  private static final class TaskEvents extends SparkListener {
    final BlockingQueue<String> started = new LinkedBlockingQueue<>();
    final List<String> lostOn = new CopyOnWriteArrayList<>();

    @Override
    public void onTaskStart(SparkListenerTaskStart taskStart) {
      started.add(taskStart.taskInfo().executorId());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
      if (taskEnd.reason() instanceof ExecutorLostFailure) {
        lostOn.add(taskEnd.taskInfo().executorId());
      }
    }
  }
}
