package io.maskgen.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskgen.job.input.FileState;
import io.maskgen.job.input.InputImage;
import io.maskgen.job.input.InputScanner;
import io.maskgen.job.table.DatasetStore;
import io.maskgen.job.table.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a refresh decides to read from a real listing and the recorded files kept beside the
 * snapshot (no Spark: with the list kept, nothing else is read).
 */
class RefreshPlanTest {

  @TempDir Path tmp;

  static final String GEN = "tiny-sam+noclip:0123";

  private DatasetStore dataset(List<RecordedFiles.Entry> entries) {
    DatasetStore store =
        new DatasetStore(new org.apache.hadoop.fs.Path(tmp.resolve("out").toUri()),
            new Configuration());
    RecordedFiles.write(store, 3, GEN, entries);
    return store;
  }

  private static Optional<Snapshot> snapshot() {
    return Optional.of(new Snapshot(3, "r", "2026-01-01T00:00:00Z", 5, 5,
        List.of(new Snapshot.Generator(GEN, "tiny-sam", null, Map.of(), "r", "r"))));
  }

  private InputScanner.ScanResult scan() {
    return new InputScanner(new Configuration()).scan(List.of(tmp.resolve("in").toString()));
  }

  private static RecordedFiles.Entry entry(String file, FileState s, long images, long failed,
      String id) {
    return new RecordedFiles.Entry(file, s.size(), s.modified(), s.etag(), images, failed, id);
  }

  private static FileState state(Path file) throws Exception {
    return new FileState(Files.size(file), Files.getLastModifiedTime(file).toMillis(), null);
  }

  @Test
  void filesRecordedAsListedAreNotReadAndTheOthersAre() throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    Path same = Files.write(in.resolve("same.png"), new byte[] {1, 2, 3});
    Path touched = Files.write(in.resolve("touched.png"), new byte[] {1, 2, 3});
    Path grown = Files.write(in.resolve("grown.png"), new byte[] {1, 2, 3});
    Path moved = Files.write(in.resolve("moved.png"), new byte[] {1, 2, 3});
    Files.write(in.resolve("new.png"), new byte[] {1});
    Path tar = Files.write(in.resolve("shard.tar"), new byte[1024]);
    Path failedTar = Files.write(in.resolve("failed.tar"), new byte[2048]);
    String u = in.toUri().toString().replaceFirst("^file:///", "file:/");
    List<RecordedFiles.Entry> recorded =
        List.of(
            entry(u + "same.png", state(same), 1, 0, "same"),
            entry(u + "touched.png", state(touched), 1, 0, "touched"),
            entry(u + "grown.png", state(grown), 1, 0, "grown"),
            // Recorded under another id (another input root): read again.
            entry(u + "moved.png", state(moved), 1, 0, "elsewhere/moved"),
            entry(u + "shard.tar", state(tar), 10, 0, "sa_1"),
            // An older state of the same tar does not hide the current one.
            new RecordedFiles.Entry(u + "shard.tar", 512L, 1L, null, 4, 0, "sa_1"),
            entry(u + "failed.tar", state(failedTar), 5, 1, "sa_20"));
    DatasetStore store = dataset(recorded);
    Files.setLastModifiedTime(touched, FileTime.fromMillis(
        Files.getLastModifiedTime(touched).toMillis() + 2000));
    FileTime t = Files.getLastModifiedTime(grown);
    Files.write(grown, new byte[] {1, 2, 3, 4});
    Files.setLastModifiedTime(grown, t);

    RefreshPlan plan = RefreshPlan.of(null, scan(), store, snapshot(), GEN, false, false);
    assertThat(names(plan.changed())).containsExactlyInAnyOrder(
        "touched.png", "grown.png", "moved.png", "new.png");
    assertThat(plan.unchangedFiles()).isEqualTo(3);
    assertThat(plan.unchangedImages()).isEqualTo(1 + 10 + 5);

    RefreshPlan retry = RefreshPlan.of(null, scan(), store, snapshot(), GEN, true, false);
    assertThat(names(retry.changed())).contains("failed.tar").doesNotContain("shard.tar");
    assertThat(retry.unchangedImages()).isEqualTo(1 + 10);

    RefreshPlan other = RefreshPlan.of(null, scan(), store, snapshot(), "other", false, false);
    assertThat(other.unchangedFiles()).isZero();
    assertThat(names(other.changed())).hasSize(7);
  }

  @Test
  void anEntityTagDecidesOverTheModificationTime() {
    FileState s3 = new FileState(10, 1000, "\"abc\"");
    assertThat(s3.matches(10L, 999L, "\"abc\"")).isTrue();
    assertThat(s3.matches(10L, 1000L, "\"abd\"")).isFalse();
    assertThat(s3.matches(10L, 1000L, null)).isTrue();
    assertThat(s3.matches(11L, 1000L, "\"abc\"")).isFalse();
    assertThat(new FileState(10, 1000, null).matches(null, 1000L, null)).isFalse();
    assertThat(new FileState(10, 1000, null).matches(10L, null, null)).isFalse();
  }

  private static List<String> names(InputScanner.ScanResult scan) {
    return java.util.stream.Stream.concat(
            scan.files().stream().map(InputImage::uri), scan.tars().stream())
        .map(s -> s.substring(s.lastIndexOf('/') + 1))
        .toList();
  }
}
