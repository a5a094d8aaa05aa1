package io.maskgen.job.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetStoreTest {

  @TempDir Path tmp;

  private DatasetStore store() {
    return new DatasetStore(new org.apache.hadoop.fs.Path(tmp.toUri()), new Configuration());
  }

  private static Snapshot snapshot(long n, String... generators) {
    return new Snapshot(
        n,
        "run-" + n,
        "2025-11-26T00:00:00Z",
        10 + n,
        20 + n,
        java.util.Arrays.stream(generators)
            .map(g -> new Snapshot.Generator(g, "m", null, Map.of("points_per_side", 8), "r", "r"))
            .toList());
  }

  @Test
  void latestIsTheHighestNumberAndIgnoresTemporaryFiles() throws Exception {
    DatasetStore store = store();
    assertThat(store.latest()).isEmpty();
    store.publish(snapshot(1, "g1"));
    store.publish(snapshot(2, "g1", "g2"));
    Files.writeString(tmp.resolve("_maskgen/snapshots/.00000000000000000003.json.x.tmp"), "{");
    Snapshot latest = store.latest().orElseThrow();
    assertThat(latest).isEqualTo(snapshot(2, "g1", "g2"));
    assertThat(latest.newest().orElseThrow().name()).isEqualTo("g2");
    assertThat(store.layout()).isEqualTo(DatasetStore.Layout.DELTA);
  }

  @Test
  void aSnapshotNumberIsPublishedOnlyOnce() {
    DatasetStore store = store();
    store.publish(snapshot(1, "g1"));
    assertThatThrownBy(() -> store.publish(snapshot(1, "other")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("another run changed the dataset meanwhile");
    assertThat(store.latest().orElseThrow().generatorNames()).containsExactly("g1");
  }

  @Test
  void withLastMovesTheRunGeneratorToTheEnd() {
    Snapshot s = snapshot(1, "a", "b", "c");
    Snapshot.Generator a2 = new Snapshot.Generator("a", "m2", null, Map.of(), "r", "r9");
    List<Snapshot.Generator> out = Snapshot.withLast(s.generators(), a2);
    assertThat(out).extracting(Snapshot.Generator::name).containsExactly("b", "c", "a");
    assertThat(out.get(2).lastRun()).isEqualTo("r9");
  }

  @Test
  void plainParquetImagesFolderIsTheLegacyLayout() throws Exception {
    Files.createDirectories(tmp.resolve("images"));
    Files.writeString(tmp.resolve("images/part-0.parquet"), "x");
    assertThat(store().layout()).isEqualTo(DatasetStore.Layout.LEGACY_PARQUET);
    Files.createDirectories(tmp.resolve("images/_delta_log"));
    assertThat(store().layout()).isEqualTo(DatasetStore.Layout.EMPTY);
  }

  @Test
  void aSecondLockIsRefusedNamingTheHolderAndReleaseFreesIt() {
    DatasetStore store = store();
    PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    try (DatasetLock first = DatasetLock.acquire(store, "run-a", log)) {
      assertThatThrownBy(() -> DatasetLock.acquire(store, "run-b", log))
          .isInstanceOf(DatasetLock.HeldException.class)
          .hasMessageContaining("is being changed by run run-a")
          .hasMessageContaining("pid " + ProcessHandle.current().pid())
          .hasMessageContaining("If that run is dead, delete ")
          .hasMessageContaining("_maskgen/lock and run again");
    }
    assertThat(tmp.resolve("_maskgen/lock")).doesNotExist();
    try (DatasetLock second = DatasetLock.acquire(store, "run-b", log)) {
      assertThat(second.holder().runId()).isEqualTo("run-b");
    }
  }

  @Test
  void aLockOfAGoneProcessOnThisHostIsTakenOver() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    Files.createDirectories(tmp.resolve("_maskgen"));
    Files.writeString(
        tmp.resolve("_maskgen/lock"),
        "{\"run_id\":\"dead\",\"host\":\""
            + java.net.InetAddress.getLocalHost().getHostName()
            + "\",\"pid\":"
            + p.pid()
            + ",\"started\":\"2025-01-01T00:00:00Z\"}");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DatasetLock lock =
        DatasetLock.acquire(store(), "run-c", new PrintStream(out, true, StandardCharsets.UTF_8))) {
      assertThat(lock.holder().runId()).isEqualTo("run-c");
    }
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("taking over the lock of run dead (process " + p.pid());
  }
}
