package io.maskgen.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskgen.job.cluster.StandaloneCluster.ExecutorProcess;
import io.maskgen.job.cluster.StandaloneCluster.SubmitResult;
import io.maskgen.job.cluster.StandaloneCluster.Submitted;
import io.maskgen.job.cluster.StandaloneClusterExtension;
import io.maskgen.job.query.DatasetDir;
import io.maskgen.job.table.DeltaSessions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault tolerance of generate on a standalone cluster (master and two workers on loopback): a
 * SIGKILLed executor costs retries but never duplicates or loses a row; a SIGKILLed driver leaves
 * the dataset as it was, and the next run completes it; a reader querying in a loop meanwhile
 * only ever sees complete states.
 */
class RefreshOnClusterIT {

  @RegisterExtension
  static final StandaloneClusterExtension CLUSTER = new StandaloneClusterExtension(2);

  private static final Duration TIMEOUT = Duration.ofMinutes(8);

  /** The in-process driver, one application on the cluster (a spark-submit can run beside it). */
  static SparkSession spark;

  @TempDir static Path tmp;

  @BeforeAll
  static void startSession() {
    SparkSession.Builder b = DeltaSessions.configure(SparkSession.builder()).appName("RefreshIT");
    CLUSTER.cluster().driverConf().forEach(b::config);
    spark = b.config("spark.sql.shuffle.partitions", "2").getOrCreate();
  }

  @AfterAll
  static void stopSession() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static RunReport generate(Path in, Path out, String runId) {
    return new GenerateJob(RefreshIT.config(in, out, 8, runId, false), RefreshIT.quiet())
        .run(spark);
  }

  private static Map<String, Set<String>> tables(Path dataset) {
    return RefreshIT.tables(spark, dataset, null);
  }

  @Test
  void anExecutorKilledDuringARunLeavesTheSameDatasetAsACleanRun() throws Exception {
    Path in = tmp.resolve("exec/in");
    for (int i = 0; i < 4; i++) {
      RefreshIT.scene(in, "s" + i, i + 1);
    }
    FirstTask first = new FirstTask();
    spark.sparkContext().addSparkListener(first);
    ExecutorProcess killed;
    RunReport report;
    try {
      CompletableFuture<RunReport> run =
          CompletableFuture.supplyAsync(() -> generate(in, tmp.resolve("exec/out"), "killed"));
      String victim = first.executors.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertThat(victim).as("executor of the first task").isNotNull();
      killed = CLUSTER.cluster().killExecutor(spark.sparkContext().applicationId(), victim);
      report = run.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } finally {
      spark.sparkContext().removeSparkListener(first);
    }
    assertThat(killed.handle().isAlive()).isFalse();
    assertThat(report.images()).isEqualTo(4);

    generate(in, tmp.resolve("exec/clean"), "clean");
    assertThat(tables(tmp.resolve("exec/out"))).isEqualTo(tables(tmp.resolve("exec/clean")));
  }

  @Test
  void aDriverKilledDuringARefreshLeavesThePreviousStateAndTheNextRunCompletesIt()
      throws Exception {
    Path in = tmp.resolve("driver/in");
    Path out = tmp.resolve("driver/out");
    RefreshIT.scene(in, "a", 1);
    RefreshIT.scene(in, "b", 2);
    generate(in, out, "first");
    Map<String, Set<String>> before = tables(out);
    Set<String> idsBefore = ids(out);

    RefreshIT.scene(in, "c", 3);
    RefreshIT.scene(in, "d", 4);
    Path clean = tmp.resolve("driver/clean");
    generate(in, clean, "clean");
    Map<String, Set<String>> complete = tables(clean);
    Set<String> idsAfter = ids(clean);

    Reader reader = new Reader(out);
    CompletableFuture<Void> reading = CompletableFuture.runAsync(reader);
    try {
      // The refresh commits both tables, then waits before publishing: kill -9 its driver there.
      Path marker = tmp.resolve("driver/paused");
      Submitted refresh =
          CLUSTER
              .cluster()
              .startSubmit(
                  Main.class.getName(),
                  submitArgs(in, out, "killed"),
                  Map.of(GenerateJob.PAUSE_BEFORE_PUBLISH, marker.toString()));
      awaitFile(marker, refresh);
      refresh.process().destroyForcibly();
      assertThat(refresh.process().waitFor(1, TimeUnit.MINUTES)).isTrue();
      assertThat(tables(out)).as("after the kill").isEqualTo(before);

      SubmitResult rerun =
          CLUSTER
              .cluster()
              .submit(Main.class.getName(), submitArgs(in, out, "rerun"), Map.of(), TIMEOUT);
      assertThat(rerun.exitCode()).as(rerun::output).isZero();
      assertThat(rerun.output())
          .contains("taking over the lock of run killed")
          .contains("undoing versions")
          .contains("2 images processed")
          .contains("2 skipped");
      assertThat(tables(out)).as("after the re-run").isEqualTo(complete);
    } finally {
      reader.stop.set(true);
      reading.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
    assertThat(reader.problems).isEmpty();
    assertThat(reader.seen).as("states the reader saw").isNotEmpty();
    assertThat(reader.seen).allSatisfy(s -> assertThat(s).isIn(idsBefore, idsAfter));
    assertThat(reader.seen.get(reader.seen.size() - 1)).isEqualTo(idsAfter);
  }

  private static List<String> submitArgs(Path in, Path out, String runId) {
    return List.of(
        "generate", "--input", in.toString(), "--output", out.toString(), "--points-per-side",
        "8", "--device", "cpu", "--run-id", runId, "--no-progress", "--files-per-shard", "2");
  }

  private static Set<String> ids(Path dataset) {
    Set<String> ids = new TreeSet<>();
    for (Row r : DatasetDir.of(dataset.toString()).images(spark).collectAsList()) {
      ids.add(r.getAs("image_id"));
    }
    return ids;
  }

  private static void awaitFile(Path file, Submitted driver) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!Files.exists(file)) {
      if (!driver.process().isAlive()) {
        throw new AssertionError(
            "the refresh ended before pausing:\n" + driver.await(TIMEOUT).output());
      }
      if (System.nanoTime() > deadline) {
        driver.process().destroyForcibly();
        throw new AssertionError("the refresh did not pause within " + TIMEOUT);
      }
      Thread.sleep(100);
    }
  }

  /** The executor of each task that starts. */
  private static final class FirstTask extends SparkListener {
    final BlockingQueue<String> executors = new LinkedBlockingQueue<>();

    @Override
    public void onTaskStart(SparkListenerTaskStart taskStart) {
      executors.add(taskStart.taskInfo().executorId());
    }
  }

  /**
   * Reads the dataset in a loop, as a query command would (one snapshot per read), until told to
   * stop (at most 2000 reads): records each state's image ids and any inconsistency within one
   * state (masks that do not match their images rows).
   */
  private static final class Reader implements Runnable {
    final Path dataset;
    final AtomicBoolean stop = new AtomicBoolean();
    final List<Set<String>> seen = new CopyOnWriteArrayList<>();
    final List<String> problems = new CopyOnWriteArrayList<>();

    Reader(Path dataset) {
      this.dataset = dataset;
    }

    @Override
    public void run() {
      for (int i = 0; i < 2000 && !stop.get(); i++) {
        try {
          DatasetDir dir = DatasetDir.of(dataset.toString());
          dir.images(spark).createOrReplaceTempView("reader_images");
          dir.masks(spark).createOrReplaceTempView("reader_masks");
          Set<String> ids = new TreeSet<>();
          for (Row r : dir.images(spark).select("image_id").collectAsList()) {
            ids.add(r.getString(0));
          }
          List<Row> bad =
              spark
                  .sql(
                      "SELECT i.image_id, i.mask_count, m.n FROM reader_images i FULL OUTER JOIN"
                          + " (SELECT image_id, count(*) AS n FROM reader_masks GROUP BY image_id)"
                          + " m ON i.image_id = m.image_id"
                          + " WHERE coalesce(i.mask_count, -1) != coalesce(m.n, 0)")
                  .collectAsList();
          if (!bad.isEmpty()) {
            problems.add("masks do not match images in " + ids + ": " + bad);
          }
          if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(ids)) {
            seen.add(ids);
          }
        } catch (Exception e) {
          problems.add(e.toString());
        }
      }
      // One last read once the writers are done.
      List<String> last = new ArrayList<>();
      DatasetDir dir = DatasetDir.of(dataset.toString());
      for (Row r : dir.images(spark).select("image_id").collectAsList()) {
        last.add(r.getString(0));
      }
      Set<String> ids = new TreeSet<>(last);
      if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(ids)) {
        seen.add(ids);
      }
    }
  }
}
