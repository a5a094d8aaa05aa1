package io.maskgen.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskgen.amg.AmgParams;
import io.maskgen.clip.MaskCrops;
import io.maskgen.job.cli.UsageException;
import io.maskgen.job.query.DatasetDir;
import io.maskgen.job.table.DatasetLock;
import io.maskgen.job.table.DatasetStore;
import io.maskgen.job.table.DeltaSessions;
import io.maskgen.job.table.DeltaTables;
import io.maskgen.job.table.Snapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Refreshes on a real local Spark session: re-running {@code generate} over a dataset skips what
 * it holds, processes what is new or changed, keeps one row per image and generator, undoes the
 * commits of an unfinished run, and refuses to run beside another writer.
 */
class RefreshIT {

  @TempDir static Path tmp;
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark =
        DeltaSessions.configure(SparkSession.builder())
            .master("local[2]")
            .appName("RefreshIT")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate();
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  static GenerateConfig config(Path in, Path out, int pointsPerSide, String runId, boolean retry) {
    AmgParams amg = AmgParams.builder().pointsPerSide(pointsPerSide).build().validate();
    return new GenerateConfig(
        List.of(in.toString()), out.toString(), "tiny-sam", "tiny-clip",
        MaskCrops.Background.GRAY, "cpu", amg, io.maskgen.image.ImageDecoder.DEFAULT_MAX_PIXELS,
        2, null, Map.of(), runId, false, retry);
  }

  static RunReport generate(Path in, Path out, int pointsPerSide, String runId, boolean retry) {
    return new GenerateJob(config(in, out, pointsPerSide, runId, retry), quiet())
        .run(spark);
  }

  /** A refresh that reads and hashes every input ({@code --verify-content}). */
  static RunReport verify(Path in, Path out, String runId) {
    return new GenerateJob(config(in, out, 8, runId, false).withVerifyContent(true), quiet())
        .run(spark);
  }

  /** A 24-bit BMP of a scene: the same size in bytes for every seed. */
  static byte[] bmp(long seed) throws IOException {
    return TestInputs.encode(TestInputs.scene(seed), "bmp");
  }

  /** Writes {@code bytes} over {@code file} and puts its modification time back. */
  static void overwriteKeepingTime(Path file, byte[] bytes) throws IOException {
    FileTime time = Files.getLastModifiedTime(file);
    assertThat(bytes).as("same size").hasSize((int) Files.size(file));
    Files.write(file, bytes);
    Files.setLastModifiedTime(file, time);
  }

  static void tar(Path file, Map<String, byte[]> members) throws IOException {
    Files.createDirectories(file.getParent());
    try (var tar = new TarArchiveOutputStream(
        Files.newOutputStream(file))) {
      for (Map.Entry<String, byte[]> m : members.entrySet()) {
        var e = new TarArchiveEntry(m.getKey());
        e.setSize(m.getValue().length);
        tar.putArchiveEntry(e);
        tar.write(m.getValue());
        tar.closeArchiveEntry();
      }
    }
  }

  static String sha256(byte[] bytes) {
    return GenerateFunction.sha256(bytes);
  }

  static Row imageRow(Path dataset, String id) {
    return DatasetDir.of(dataset.toString()).images(spark)
        .where(functions.col("image_id").equalTo(id)).collectAsList().get(0);
  }

  static DatasetStore store(Path dataset) {
    return new DatasetStore(new org.apache.hadoop.fs.Path(dataset.toUri()),
        spark.sparkContext().hadoopConfiguration());
  }

  static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }

  static void scene(Path dir, String name, long seed) throws IOException {
    Files.createDirectories(dir);
    ImageIO.write(TestInputs.scene(seed), "png", dir.resolve(name + ".png").toFile());
  }

  /** Both tables' rows as text, without run id and timings; fails on a duplicate row. */
  static Map<String, Set<String>> tables(Path dataset, String generator) {
    return tables(spark, dataset, generator);
  }

  static Map<String, Set<String>> tables(SparkSession spark, Path dataset, String generator) {
    DatasetDir dir = DatasetDir.of(dataset.toString()).withGenerator(generator);
    return Map.of(
        "images", rows(dir.images(spark).drop("run_id", "seconds").collectAsList()),
        "masks", rows(dir.masks(spark).drop("run_id").collectAsList()));
  }

  private static Set<String> rows(List<Row> rows) {
    Set<String> out = rows.stream().map(Row::toString).collect(Collectors.toSet());
    assertThat(out).as("duplicate rows").hasSize(rows.size());
    return out;
  }

  @Test
  void refreshProcessesOnlyNewImagesAndEqualsACleanRun() throws Exception {
    Path in = tmp.resolve("grow/in");
    Path out = tmp.resolve("grow/out");
    scene(in, "a", 1);
    scene(in, "b", 2);
    Files.write(in.resolve("bad.png"), new byte[] {1, 2, 3});
    RunReport first = generate(in, out, 8, "r1", false);
    assertThat(first.images()).isEqualTo(3);
    assertThat(first.imagesFailed()).isEqualTo(1);
    assertThat(first.imagesSkipped()).isZero();

    // N = 3 there, M = 2 added.
    scene(in, "c", 3);
    scene(in.resolve("sub"), "d", 4);
    RunReport second = generate(in, out, 8, "r2", false);
    assertThat(second.images()).as("processed").isEqualTo(2);
    assertThat(second.imagesSkipped()).as("skipped").isEqualTo(3);
    assertThat(second.snapshot()).isEqualTo(2L);

    Path clean = tmp.resolve("grow/clean");
    generate(in, clean, 8, "clean", false);
    String generator = second.generator();
    assertThat(tables(out, null)).isEqualTo(tables(clean, generator));

    // Nothing new: nothing changes, not even the Delta versions.
    DatasetStore store = new DatasetStore(new org.apache.hadoop.fs.Path(out.toUri()),
        spark.sparkContext().hadoopConfiguration());
    Snapshot before = store.latest().orElseThrow();
    RunReport third = generate(in, out, 8, "r3", false);
    assertThat(third.images()).isZero();
    assertThat(third.imagesSkipped()).isEqualTo(5);
    assertThat(third.snapshot()).isEqualTo(before.number());
    assertThat(store.latest()).contains(before);
    assertThat(DeltaTables.latestVersion(spark, store.table("images")))
        .isEqualTo(before.imagesVersion());

    // A changed image replaces its rows; the failed one is retried only when asked.
    scene(in, "a", 7);
    RunReport changed = generate(in, out, 8, "r4", false);
    assertThat(changed.images()).isEqualTo(1);
    assertThat(changed.imagesSkipped()).isEqualTo(4);
    RunReport retried = generate(in, out, 8, "r5", true);
    assertThat(retried.images()).isEqualTo(1);
    assertThat(retried.imagesFailed()).isEqualTo(1);
    assertThat(retried.imagesSkipped()).isEqualTo(4);

    Path clean2 = tmp.resolve("grow/clean2");
    generate(in, clean2, 8, "clean2", false);
    assertThat(tables(out, null)).isEqualTo(tables(clean2, generator));
    assertKeptFilesAreTheTables(out, generator);
    DatasetDir dir = DatasetDir.of(out.toString());
    Row a =
        dir.images(spark).where(functions.col("image_id").equalTo("a")).collectAsList().get(0);
    assertThat((String) a.getAs("run_id")).isEqualTo("r4");
  }

  @Test
  void aFileWithItsRecordedSizeAndTimeIsNotReadAndVerifyContentFindsItsNewBytes()
      throws Exception {
    Path in = tmp.resolve("listing/in");
    Path out = tmp.resolve("listing/out");
    Files.createDirectories(in);
    Files.write(in.resolve("a.bmp"), bmp(1));
    Files.write(in.resolve("b.bmp"), bmp(2));
    generate(in, out, 8, "s1", false);
    Map<String, Set<String>> first = tables(out, null);
    Snapshot published = store(out).latest().orElseThrow();

    // Other bytes of the same size, modification time put back: a refresh does not open it.
    overwriteKeepingTime(in.resolve("a.bmp"), bmp(7));
    RunReport quiet = generate(in, out, 8, "s2", false);
    assertThat(quiet.images()).isZero();
    assertThat(quiet.imagesSkipped()).isEqualTo(2);
    assertThat(quiet.tasks()).isZero();
    assertThat(quiet.refresh().filesUnchanged()).isEqualTo(2);
    assertThat(quiet.refresh().imagesUnread()).isEqualTo(2);
    assertThat(tables(out, null)).isEqualTo(first);
    assertThat(store(out).latest()).contains(published);
    assertThat(DeltaTables.latestVersion(spark, store(out).table("images")))
        .isEqualTo(published.imagesVersion());

    // --verify-content reads every file and finds the new bytes.
    RunReport verified = verify(in, out, "s3");
    assertThat(verified.images()).isEqualTo(1);
    assertThat(verified.imagesSkipped()).isEqualTo(1);
    assertThat(verified.refresh().filesUnchanged()).isZero();
    Row a = imageRow(out, "a");
    assertThat((String) a.getAs("sha256")).isEqualTo(sha256(bmp(7)));
    assertThat((String) a.getAs("run_id")).isEqualTo("s3");

    // A touched file with the same bytes is read once, and its new time recorded.
    Path b = in.resolve("b.bmp");
    Files.setLastModifiedTime(b, FileTime.fromMillis(
        Files.getLastModifiedTime(b).toMillis() + 60_000));
    Snapshot beforeTouch = store(out).latest().orElseThrow();
    RunReport touched = generate(in, out, 8, "s4", false);
    assertThat(touched.images()).isZero();
    assertThat(touched.refresh().filesUnchanged()).isEqualTo(1);
    assertThat(touched.refresh().imagesRestamped()).isEqualTo(1);
    Snapshot restamped = store(out).latest().orElseThrow();
    assertThat(restamped.number()).isEqualTo(beforeTouch.number() + 1);
    assertThat(restamped.masksVersion()).isEqualTo(beforeTouch.masksVersion());
    assertThat((Long) imageRow(out, "b").getAs("input_modified"))
        .isEqualTo(Files.getLastModifiedTime(b).toMillis());
    assertThat((String) imageRow(out, "b").getAs("run_id")).isEqualTo("s1");
    RunReport after = generate(in, out, 8, "s5", false);
    assertThat(after.refresh().filesUnchanged()).isEqualTo(2);
    assertThat(store(out).latest()).contains(restamped);

    Path clean = tmp.resolve("listing/clean");
    generate(in, clean, 8, "clean", false);
    assertThat(tables(out, null)).isEqualTo(tables(clean, verified.generator()));
    assertKeptFilesAreTheTables(out, verified.generator());
  }

  /** The list of recorded files kept for the newest snapshot is what the table holds. */
  static void assertKeptFilesAreTheTables(Path dataset, String generator) {
    DatasetStore store = store(dataset);
    Snapshot s = store.latest().orElseThrow();
    assertThat(RecordedFiles.read(store, s.number(), generator))
        .hasValueSatisfying(kept -> assertThat(kept).containsExactlyInAnyOrderElementsOf(
            RefreshPlan.derivedRecordedFiles(spark, store, s, generator)));
  }

  @Test
  void anUnchangedTarShardIsSkippedWholeAndVerifyContentReadsIt() throws Exception {
    Path in = tmp.resolve("tar/in");
    Path out = tmp.resolve("tar/out");
    Path shard = in.resolve("shard_0.tar");
    Map<String, byte[]> members = new java.util.LinkedHashMap<>();
    members.put("sa_1.bmp", bmp(1));
    members.put("sa_2.bmp", bmp(2));
    tar(shard, members);
    generate(in, out, 8, "t1", false);
    Map<String, Set<String>> first = tables(out, null);
    Row recorded = imageRow(out, "sa_1");
    assertThat((String) recorded.getAs("input_file")).endsWith("shard_0.tar");
    assertThat((Long) recorded.getAs("input_size")).isEqualTo(Files.size(shard));

    FileTime time = Files.getLastModifiedTime(shard);
    members.put("sa_1.bmp", bmp(7));
    tar(shard, members);
    Files.setLastModifiedTime(shard, time);
    assertThat(Files.size(shard)).isEqualTo((long) recorded.getAs("input_size"));
    RunReport quiet = generate(in, out, 8, "t2", false);
    assertThat(quiet.images()).isZero();
    assertThat(quiet.tasks()).isZero();
    assertThat(quiet.refresh().filesUnchanged()).isEqualTo(1);
    assertThat(quiet.refresh().imagesUnread()).isEqualTo(2);
    assertThat(tables(out, null)).isEqualTo(first);

    RunReport verified = verify(in, out, "t3");
    assertThat(verified.images()).isEqualTo(1);
    assertThat(verified.imagesSkipped()).isEqualTo(1);
    assertThat((String) imageRow(out, "sa_1").getAs("sha256")).isEqualTo(sha256(bmp(7)));
    assertThat((String) imageRow(out, "sa_2").getAs("run_id")).isEqualTo("t1");
    assertKeptFilesAreTheTables(out, verified.generator());
  }

  @Test
  void aDatasetWithoutRecordedFileStatesRefreshesByContentOnceThenByListing() throws Exception {
    Path in = tmp.resolve("old/in");
    Path out = tmp.resolve("old/out");
    scene(in, "a", 1);
    scene(in, "b", 2);
    RunReport first = generate(in, out, 8, "o1", false);

    // What a dataset written before the input_* columns holds.
    DatasetStore store = store(out);
    Snapshot s = store.latest().orElseThrow();
    DeltaTables.read(spark, store.table("images"), s.imagesVersion())
        .drop("input_file", "input_size", "input_modified", "input_etag")
        .write().format("delta").mode("overwrite").option("overwriteSchema", "true")
        .save(store.table("images").toString());
    long oldVersion = DeltaTables.latestVersion(spark, store.table("images"));
    store.publish(new Snapshot(s.number() + 1, "old", s.published(), oldVersion,
        s.masksVersion(), s.generators()));
    assertThat(DatasetDir.of(out.toString()).images(spark).columns()).doesNotContain("input_file");

    RunReport upgraded = generate(in, out, 8, "o2", false);
    assertThat(upgraded.images()).isZero();
    assertThat(upgraded.imagesSkipped()).isEqualTo(2);
    assertThat(upgraded.refresh().filesUnchanged()).isZero();
    assertThat(upgraded.refresh().imagesRestamped()).isEqualTo(2);
    RunReport next = generate(in, out, 8, "o3", false);
    assertThat(next.refresh().filesUnchanged()).isEqualTo(2);
    assertThat(next.snapshot()).isEqualTo(upgraded.snapshot());

    Path clean = tmp.resolve("old/clean");
    generate(in, clean, 8, "clean", false);
    assertThat(tables(out, null)).isEqualTo(tables(clean, first.generator()));
  }

  @Test
  void newParametersReprocessEverythingUnderANewGeneratorAndTheOldStaysQueryable()
      throws Exception {
    Path in = tmp.resolve("params/in");
    Path out = tmp.resolve("params/out");
    scene(in, "a", 1);
    scene(in, "b", 2);
    RunReport old = generate(in, out, 8, "p1", false);
    RunReport next = generate(in, out, 6, "p2", false);
    assertThat(next.generator()).isNotEqualTo(old.generator());
    assertThat(next.images()).isEqualTo(2);
    assertThat(next.imagesSkipped()).isZero();

    DatasetDir dir = DatasetDir.of(out.toString());
    var conf = spark.sparkContext().hadoopConfiguration();
    assertThat(dir.generators(conf)).containsExactly(old.generator(), next.generator());
    assertThat(dir.generator(conf)).isEqualTo(next.generator());
    assertThat(dir.images(spark).select("generator").distinct().collectAsList())
        .extracting(r -> r.getString(0))
        .containsExactly(next.generator());
    DatasetDir oldDir = dir.withGenerator(old.generator());
    assertThat(oldDir.images(spark).count()).isEqualTo(2);
    assertThat(oldDir.masks(spark).count()).isEqualTo(old.masks());
    assertThat(dir.masks(spark).count()).isEqualTo(next.masks());
    assertThatThrownBy(() -> dir.withGenerator("nope").images(spark))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("Unknown --generator 'nope'")
        .hasMessageContaining(old.generator());

    // Back to the first parameters: that generator's rows are current and nothing is redone.
    RunReport again = generate(in, out, 8, "p3", false);
    assertThat(again.images()).isZero();
    assertThat(again.imagesSkipped()).isEqualTo(2);
  }

  @Test
  void commitsOfAnUnfinishedRunAreInvisibleAndUndoneByTheNextRun() throws Exception {
    Path in = tmp.resolve("killed/in");
    Path out = tmp.resolve("killed/out");
    scene(in, "a", 1);
    generate(in, out, 8, "k1", false);
    Map<String, Set<String>> before = tables(out, null);

    // What a driver killed between its table commits and its snapshot leaves behind.
    DatasetStore store = new DatasetStore(new org.apache.hadoop.fs.Path(out.toUri()),
        spark.sparkContext().hadoopConfiguration());
    DatasetDir dir = DatasetDir.of(out.toString());
    DeltaTables.append(spark, store.table("images"),
        dir.images(spark).withColumn("image_id", functions.lit("ghost")));
    DeltaTables.append(spark, store.table("masks"), dir.masks(spark));
    assertThat(tables(out, null)).isEqualTo(before);

    scene(in, "b", 2);
    RunReport next = generate(in, out, 8, "k2", false);
    assertThat(next.images()).isEqualTo(1);
    assertThat(next.imagesSkipped()).isEqualTo(1);
    Path clean = tmp.resolve("killed/clean");
    generate(in, clean, 8, "clean", false);
    assertThat(tables(out, null)).isEqualTo(tables(clean, next.generator()));
  }

  @Test
  void aSecondWriterIsRefusedWithTheHoldersDetails() throws Exception {
    Path in = tmp.resolve("lock/in");
    Path out = tmp.resolve("lock/out");
    scene(in, "a", 1);
    generate(in, out, 8, "l1", false);
    DatasetStore store = new DatasetStore(new org.apache.hadoop.fs.Path(out.toUri()),
        spark.sparkContext().hadoopConfiguration());
    Snapshot before = store.latest().orElseThrow();

    scene(in, "b", 2);
    try (DatasetLock held = DatasetLock.acquire(store, "holder-run", quiet())) {
      assertThatThrownBy(() -> generate(in, out, 8, "l2", false))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("is being changed by run holder-run")
          .hasMessageContaining("pid " + ProcessHandle.current().pid())
          .hasMessageContaining("_maskgen/lock");
      assertThat(store.latest()).contains(before);
    }

    // A lock whose process is gone (a killed driver on this host) is taken over.
    Files.writeString(
        out.resolve("_maskgen/lock"),
        "{\"run_id\":\"dead\",\"host\":\""
            + java.net.InetAddress.getLocalHost().getHostName()
            + "\",\"pid\":"
            + deadPid()
            + ",\"started\":\"2025-01-01T00:00:00Z\"}");
    RunReport after = generate(in, out, 8, "l3", false);
    assertThat(after.images()).isEqualTo(1);
    assertThat(Files.exists(out.resolve("_maskgen/lock"))).isFalse();

    // One from another host is not.
    Files.writeString(
        out.resolve("_maskgen/lock"),
        "{\"run_id\":\"remote\",\"host\":\"other-host.invalid\",\"pid\":1,"
            + "\"started\":\"2025-01-01T00:00:00Z\"}");
    assertThatThrownBy(() -> generate(in, out, 8, "l4", false))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("run remote (host other-host.invalid");
  }

  @Test
  void pruneRemovesAGeneratorAndItsFilesAndTheCommandsSeeTheRest() throws Exception {
    Path in = tmp.resolve("prune/in");
    Path out = tmp.resolve("prune/out");
    scene(in, "a", 1);
    RunReport old = generate(in, out, 8, "q1", false);
    RunReport next = generate(in, out, 6, "q2", false);

    Cli sql = cli("sql", "--dataset", out.toString(), "--generator", old.generator(),
        "--format", "csv", "SELECT generator, count(*) AS n FROM masks GROUP BY generator");
    assertThat(sql.code()).as(sql.err()).isZero();
    assertThat(sql.out()).contains(old.generator() + "," + old.masks());
    Cli inspect = cli("inspect", "--dataset", out.toString());
    assertThat(inspect.code()).as(inspect.err()).isZero();
    assertThat(inspect.out())
        .contains("  " + old.generator() + "\n* " + next.generator() + "\n");
    long filesBefore = dataFiles(out);

    Cli prune = cli("prune", "--dataset", out.toString(), "--generator", old.generator());
    assertThat(prune.code()).as(prune.err()).isZero();
    assertThat(prune.out())
        .contains("removed " + old.generator() + " (1 images rows, " + old.masks() + " masks rows)")
        .contains("generators left: " + next.generator());
    assertThat(dataFiles(out)).isLessThan(filesBefore);
    assertThat(tables(out, null).get("masks")).hasSize((int) next.masks());

    Cli gone = cli("sql", "--dataset", out.toString(), "--generator", old.generator(),
        "SELECT 1");
    assertThat(gone.code()).isEqualTo(2);
    assertThat(gone.err()).contains("Unknown --generator '" + old.generator() + "'");
    Cli nothing = cli("prune", "--dataset", out.toString(), "--keep-latest");
    assertThat(nothing.code()).as(nothing.err()).isZero();
    assertThat(nothing.out()).contains("nothing to remove");
    // The vacuum's own commits are no unfinished run: nothing was restored.
    assertThat(
            io.delta.tables.DeltaTable.forPath(spark, out.resolve("images").toString())
                .history()
                .select("operation")
                .collectAsList())
        .extracting(r -> r.getString(0))
        .doesNotContain("RESTORE");
  }

  record Cli(int code, String out, String err) {}

  static Cli cli(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    var cl = io.maskgen.job.cli.MaskgenCommand.commandLine();
    cl.setOut(new java.io.PrintWriter(out));
    cl.setErr(new java.io.PrintWriter(err));
    int code = cl.execute(args);
    return new Cli(code, out.toString(), err.toString());
  }

  /** Parquet data files under the dataset's tables. */
  static long dataFiles(Path dataset) throws IOException {
    try (var files = Files.walk(dataset)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".parquet"))
          .filter(f -> !f.toString().contains("_delta_log"))
          .count();
    }
  }

  @Test
  void twoRefreshesAtOnceOneIsRefusedAndTheOtherCompletes() throws Exception {
    Path in = tmp.resolve("concurrent/in");
    Path out = tmp.resolve("concurrent/out");
    scene(in, "a", 1);
    generate(in, out, 8, "c1", false);
    scene(in, "b", 2);

    // The first refresh commits its tables and waits before publishing, holding the lock.
    Path marker = tmp.resolve("concurrent/paused");
    spark.conf().set(GenerateJob.PAUSE_BEFORE_PUBLISH, marker.toString());
    java.util.concurrent.CompletableFuture<RunReport> first;
    try {
      first = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> generate(in, out, 8, "c2", false));
      while (!Files.exists(marker)) {
        assertThat(first).isNotDone();
        Thread.sleep(100);
      }
      assertThatThrownBy(() -> generate(in, out, 8, "c3", false))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("is being changed by run c2");
    } finally {
      spark.conf().unset(GenerateJob.PAUSE_BEFORE_PUBLISH);
    }
    Files.delete(marker);
    RunReport done = first.get(10, java.util.concurrent.TimeUnit.MINUTES);
    assertThat(done.images()).isEqualTo(1);
    assertThat(done.imagesSkipped()).isEqualTo(1);

    Path clean = tmp.resolve("concurrent/clean");
    generate(in, clean, 8, "clean", false);
    assertThat(tables(out, null)).isEqualTo(tables(clean, done.generator()));
  }

  /** The pid of a process that has ended. */
  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }
}
