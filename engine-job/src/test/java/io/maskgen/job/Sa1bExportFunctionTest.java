package io.maskgen.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

class Sa1bExportFunctionTest {

  @Test
  void numericIdIsTheNumberOfAnSa1bNameElseAStable52BitHash() {
    assertThat(Sa1bExportFunction.numericId("sa_123")).isEqualTo(123);
    assertThat(Sa1bExportFunction.numericId("shard_0/sa_7")).isEqualTo(7);
    assertThat(Sa1bExportFunction.numericId("42")).isEqualTo(42);
    long dog = Sa1bExportFunction.numericId("photos/dog");
    assertThat(dog).isBetween(0L, (1L << 52) - 1).isEqualTo(Sa1bExportFunction.numericId("photos/dog"));
    assertThat(Sa1bExportFunction.numericId("photos/cat")).isNotEqualTo(dog);
    assertThat(Sa1bExportFunction.numericId("sa_12x")).isBetween(0L, (1L << 52) - 1);
  }

  @Test
  void fileNameIsTheLastPartOfTheSourceOrOfItsTarMember() {
    assertThat(Sa1bExportFunction.fileName("file:/data/in/a/dog.jpg")).isEqualTo("dog.jpg");
    assertThat(Sa1bExportFunction.fileName("s3a://b/sa_000000.tar!sa_1.jpg")).isEqualTo("sa_1.jpg");
    assertThat(Sa1bExportFunction.fileName("file:/t/x.tar!./shard/sa_2.jpg")).isEqualTo("sa_2.jpg");
  }

  @Test
  void onlyRelativePathsNameFilesUnderTheOutput() {
    assertThat(Sa1bExportFunction.unsafeReason("shard/sa_1")).isNull();
    assertThat(Sa1bExportFunction.unsafeReason("a:b/c d")).isNull();
    for (String bad : new String[] {"", "/abs", "a/../../etc", "a//b", "./a", "a/"}) {
      assertThat(Sa1bExportFunction.unsafeReason(bad)).as(bad).isNotNull();
    }
  }

  @Test
  void fileForMirrorsTheIdFoldersAndKeepsAColonInTheName() {
    Path root = new Path("file:/out/sa1b");
    assertThat(Sa1bExportFunction.fileFor(root, "shard/sa_1").toString())
        .isEqualTo("file:/out/sa1b/shard/sa_1.json");
    assertThat(Sa1bExportFunction.fileFor(root, "a:b/c").toString())
        .isEqualTo("file:/out/sa1b/a:b/c.json");
    assertThat(Sa1bExportFunction.fileFor(new Path("s3a://bucket/x"), "sa_1").toString())
        .isEqualTo("s3a://bucket/x/sa_1.json");
  }
}
