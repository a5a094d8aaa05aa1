package io.maskgen.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

class ObjectStoreCommitTest {

  @Test
  void s3aOutputGetsTheMagicCommitterThroughSparksCloudBindings() {
    Map<String, String> s =
        ObjectStoreCommit.settings(new Path("s3a://bucket/out"), Map.of(), new Configuration());
    assertThat(s)
        .containsEntry("spark.sql.sources.commitProtocolClass",
            "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol")
        .containsEntry("spark.sql.parquet.output.committer.class",
            "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter")
        .containsEntry("fs.s3a.committer.name", "magic")
        .containsEntry("fs.s3a.committer.magic.enabled", "true")
        .containsEntry("mapreduce.outputcommitter.factory.scheme.s3a",
            "org.apache.hadoop.fs.s3a.commit.S3ACommitterFactory");
  }

  @Test
  void localAndHdfsOutputsKeepSparksDefaultCommitter() {
    for (String out : new String[] {"/tmp/out", "file:/tmp/out", "hdfs://nn/out"}) {
      assertThat(ObjectStoreCommit.settings(new Path(out), Map.of(), new Configuration()))
          .as(out)
          .isEmpty();
    }
  }

  @Test
  void aCommitterNamedByTheUserIsKept() {
    Configuration conf = new Configuration();
    conf.set("fs.s3a.committer.name", "directory");
    assertThat(ObjectStoreCommit.settings(new Path("s3a://b/o"), Map.of(), conf))
        .containsEntry("fs.s3a.committer.name", "directory")
        .doesNotContainKey("fs.s3a.committer.magic.enabled");
  }

  @Test
  void aCommitProtocolChosenByTheUserLeavesEverythingAsItIs() {
    assertThat(
            ObjectStoreCommit.settings(
                new Path("s3a://b/o"),
                Map.of("spark.sql.sources.commitProtocolClass", "com.example.MyProtocol"),
                new Configuration()))
        .isEmpty();
  }
}
