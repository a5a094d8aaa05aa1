package io.maskgen.job.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputScannerTest {

  @TempDir Path dir;

  private final InputScanner scanner = new InputScanner(new Configuration());

  private Path touch(String rel) throws IOException {
    Path p = dir.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.write(p, new byte[] {1, 2, 3});
    return p;
  }

  @Test
  void directoryIsSearchedRecursivelyForImagesWithIdsRelativeToIt() throws IOException {
    touch("a/one.jpg");
    touch("a/sub/two.PNG");
    touch("a/sub/two.json");
    touch("a/notes.txt");
    touch("a/.hidden.jpg");
    touch("a/shard.tar");

    InputScanner.ScanResult r = scanner.scan(List.of(dir.resolve("a").toString()));

    assertThat(r.files()).extracting(InputImage::imageId).containsExactly("one", "sub/two");
    assertThat(r.files()).allSatisfy(f -> assertThat(f.length()).isEqualTo(3));
    assertThat(r.tars()).singleElement().asString().endsWith("a/shard.tar");
  }

  @Test
  void singleFileIdIsItsNameWithoutExtensionWhateverItsExtension() throws IOException {
    Path f = touch("x/photo.bin");
    InputScanner.ScanResult r = scanner.scan(List.of(f.toString()));
    assertThat(r.files()).extracting(InputImage::imageId).containsExactly("photo");
  }

  @Test
  void globIdsAreRelativeToTheFolderBeforeTheFirstWildcard() throws IOException {
    touch("g/d1/a.jpg");
    touch("g/d2/b.jpg");
    touch("g/d2/c.png");
    InputScanner.ScanResult r = scanner.scan(List.of(dir.resolve("g") + "/d*/*.jpg"));
    assertThat(r.files()).extracting(InputImage::imageId).containsExactly("d1/a", "d2/b");
  }

  @Test
  void listFileEntriesResolveAgainstItsFolderAndSkipComments() throws IOException {
    touch("l/imgs/a.jpg");
    touch("l/imgs/b.jpg");
    Files.writeString(dir.resolve("l/inputs.txt"), "# my inputs\nimgs/a.jpg\n\n" + dir.resolve("l/imgs/b.jpg") + "\n");
    InputScanner.ScanResult r = scanner.scan(List.of(dir.resolve("l/inputs.txt").toString()));
    assertThat(r.files()).extracting(InputImage::imageId).containsExactly("a", "b");
  }

  @Test
  void sameFileNamedTwiceIsProcessedOnce() throws IOException {
    Path f = touch("d/a.jpg");
    InputScanner.ScanResult r = scanner.scan(List.of(dir.resolve("d").toString(), f.toString()));
    assertThat(r.files()).hasSize(1);
  }

  @Test
  void clashingImageIdsFromDifferentRootsAreRejected() throws IOException {
    Path a = touch("r1/same.jpg");
    Path b = touch("r2/same.png");
    assertThatThrownBy(() -> scanner.scan(List.of(a.toString(), b.toString())))
        .isInstanceOf(InputException.class)
        .hasMessageContaining("same image_id 'same'");
  }

  @Test
  void missingInputNamesThePath() {
    String missing = dir.resolve("nope").toString();
    assertThatThrownBy(() -> scanner.scan(List.of(missing)))
        .isInstanceOf(InputException.class)
        .hasMessageContaining("Input not found: " + missing);
  }

  @Test
  void globMatchingNothingIsAnError() {
    assertThatThrownBy(() -> scanner.scan(List.of(dir + "/*.jpg")))
        .isInstanceOf(InputException.class)
        .hasMessageContaining("matches nothing");
  }

  @Test
  void plannerSpreadsFewFilesOverTaskSlotsAndKeepsTarsWhole() throws IOException {
    for (int i = 0; i < 10; i++) {
      touch("p/img" + i + ".jpg");
    }
    touch("p/s1.tar");
    InputScanner.ScanResult r = scanner.scan(List.of(dir.resolve("p").toString()));

    List<Shard> shards = ShardPlanner.plan(r, 32, 2);

    assertThat(shards.get(0).isTar()).isTrue();
    List<Shard> fileShards = shards.subList(1, shards.size());
    assertThat(fileShards).hasSize(4); // ceil(10 / (2 * 2)) = 3 files per shard
    assertThat(fileShards.stream().mapToInt(s -> s.files().size()).sum()).isEqualTo(10);
    assertThat(shards).extracting(Shard::index).containsExactly(0, 1, 2, 3, 4);
    assertThat(ShardPlanner.plan(r, 2, 1).stream().filter(s -> !s.isTar()))
        .allSatisfy(s -> assertThat(s.files().size()).isLessThanOrEqualTo(2));
  }
}
