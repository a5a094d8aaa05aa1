package io.maskgen.job.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardReaderTest {

  @TempDir Path dir;

  static byte[] tar(String... namesAndContents) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        byte[] content = namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(namesAndContents[i]);
        e.setSize(content.length);
        out.putArchiveEntry(e);
        out.write(content);
        out.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  private List<ShardReader.Item> readAll(Shard shard) throws IOException {
    List<ShardReader.Item> items = new ArrayList<>();
    try (ShardReader r = new ShardReader(shard, new Configuration())) {
      r.forEachRemaining(items::add);
    }
    return items;
  }

  @Test
  void tarShardYieldsImageMembersInOrderAndSkipsSideFiles() throws IOException {
    Path t = dir.resolve("sa_000000.tar");
    Files.write(t, tar("sa_1.jpg", "one", "sa_1.json", "{}", "./sub/sa_2.png", "two"));

    List<ShardReader.Item> items = readAll(Shard.ofTar(0, t.toUri().toString()));

    assertThat(items).extracting(ShardReader.Item::imageId).containsExactly("sa_1", "sub/sa_2");
    assertThat(new String(items.get(1).bytes(), StandardCharsets.UTF_8)).isEqualTo("two");
    assertThat(items.get(0).source()).endsWith("sa_000000.tar!sa_1.jpg");
    assertThat(items).allSatisfy(i -> assertThat(i.error()).isNull());
  }

  @Test
  void truncatedTarKeepsMembersBeforeTheBreakAndReportsIt() throws IOException {
    byte[] whole = tar("a.jpg", "x".repeat(2000), "b.jpg", "y".repeat(3000));
    Path t = dir.resolve("cut.tar");
    Files.write(t, Arrays.copyOf(whole, 512 + 2048 + 512 + 1000)); // cut inside b.jpg

    List<ShardReader.Item> items = readAll(Shard.ofTar(0, t.toUri().toString()));

    assertThat(items).hasSize(2);
    assertThat(items.get(0).imageId()).isEqualTo("a");
    assertThat(items.get(0).bytes()).hasSize(2000);
    assertThat(items.get(1).imageId()).isEqualTo("b");
    assertThat(items.get(1).bytes()).isNull();
    assertThat(items.get(1).error()).contains("truncated tar shard after 1 members");
  }

  @Test
  void unreadableLooseFileBecomesAnItemWithAnError() throws IOException {
    Path ok = dir.resolve("ok.jpg");
    Files.write(ok, new byte[] {1, 2});
    InputImage good = new InputImage(ok.toUri().toString(), "ok", 2);
    InputImage gone = new InputImage(dir.resolve("gone.jpg").toUri().toString(), "gone", 2);

    List<ShardReader.Item> items = readAll(Shard.ofFiles(0, List.of(gone, good)));

    assertThat(items.get(0).error()).startsWith("unreadable");
    assertThat(items.get(1).bytes()).containsExactly(1, 2);
  }
}
