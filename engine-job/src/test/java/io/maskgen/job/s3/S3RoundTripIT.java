package io.maskgen.job.s3;

import static io.maskgen.job.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.maskgen.job.cli.CliRun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Input and output on {@code s3a://} against a real S3 API server on loopback: the example images
 * and a tar shard are put into a bucket through the S3 API, {@code maskgen generate} reads them
 * from and writes the dataset to the bucket, and {@code sql} / {@code inspect} on the s3a dataset
 * must show the same tables as a run on the same inputs on the local disk. Everything goes through
 * the command line, as a user would run it.
 */
class S3RoundTripIT {

  private static final String BUCKET = "maskgen";
  private static final Path ROOT = Path.of(System.getProperty("maskgen.root.dir", "../"));
  private static final List<String> IMAGES =
      List.of("scene_00", "scene_01", "shard/scene_02", "shard/scene_03");

  @RegisterExtension static final S3ProxyExtension S3 = new S3ProxyExtension(BUCKET);

  @TempDir static Path tmp;

  private static String localOut;
  private static final String S3_OUT = "s3a://" + BUCKET + "/out";

  @BeforeAll
  static void generateLocallyAndOnS3() throws IOException {
    Path in = Files.createDirectories(tmp.resolve("in"));
    Path examples = ROOT.resolve("notebooks/examples");
    for (String name : List.of("scene_00.png", "scene_01.png")) {
      Files.copy(examples.resolve(name), in.resolve(name));
    }
    Files.write(
        in.resolve("shard.tar"),
        tar(
            Map.of(
                "shard/scene_02.json", "{}".getBytes(StandardCharsets.UTF_8),
                "shard/scene_02.png", Files.readAllBytes(examples.resolve("scene_02.png")),
                "shard/scene_03.png", Files.readAllBytes(examples.resolve("scene_03.png")))));
    try (var files = Files.list(in)) {
      for (Path f : files.sorted().toList()) {
        S3.server()
            .client()
            .putObject(
                b -> b.bucket(BUCKET).key("in/" + f.getFileName()), RequestBody.fromFile(f));
      }
    }

    localOut = tmp.resolve("local-out").toString();
    CliRun local = generate(in.toString(), localOut);
    assertThat(local.code()).as(local.err()).isZero();
    CliRun remote = generate("s3a://" + BUCKET + "/in", S3_OUT);
    assertThat(remote.code()).as(remote.err() + "\nS3Proxy log:\n" + S3.server().log()).isZero();
  }

  @AfterAll
  static void noSessionLeft() {
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
  }

  @Test
  void imagesTableOnS3EqualsTheLocalRun() {
    String query =
        "SELECT image_id, status, sha256, width, height, mask_count, generator, run_id FROM images"
            + " ORDER BY image_id";
    String remote = sql(S3_OUT, query);
    assertThat(remote).isEqualTo(sql(localOut, query));
    for (String id : IMAGES) {
      assertThat(remote).contains(id + ",ok,");
    }
  }

  @Test
  void masksTableOnS3EqualsTheLocalRun() {
    String query =
        "SELECT image_id, mask_id, rle, area, to_json(bbox), predicted_iou, stability_score,"
            + " to_json(point_coords), to_json(crop_box), to_json(clip_embedding) FROM masks"
            + " ORDER BY image_id, mask_id";
    String remote = sql(S3_OUT, query);
    assertThat(remote.lines().count()).as(remote).isGreaterThan(1 + IMAGES.size());
    assertThat(remote).isEqualTo(sql(localOut, query));
  }

  @Test
  void sourcesPointIntoTheBucket() {
    String sources = sql(S3_OUT, "SELECT source FROM images ORDER BY image_id");
    assertThat(sources.lines().skip(1).toList())
        .containsExactly(
            "s3a://maskgen/in/scene_00.png",
            "s3a://maskgen/in/scene_01.png",
            "s3a://maskgen/in/shard.tar!shard/scene_02.png",
            "s3a://maskgen/in/shard.tar!shard/scene_03.png");
  }

  @Test
  void inspectOfTheS3DatasetReadsLikeTheLocalOne() {
    CliRun remote = run(withS3("inspect", "--dataset", S3_OUT, "--master", "local[2]"));
    assertThat(remote.code()).as(remote.err()).isZero();
    CliRun local = run("inspect", "--dataset", localOut, "--master", "local[2]");
    assertThat(remote.out()).startsWith("Dataset " + S3_OUT).contains("images  4 (4 ok, 0 failed)");
    // Equal but for the first line (the dataset's path) and the runs (their start times).
    assertThat(body(remote.out())).isEqualTo(body(local.out()));
    assertThat(remote.out()).containsPattern("\\n  s3-round-trip +\\S+ +4 +\\d+ +tiny-sam");
  }

  @Test
  void outputIsTwoDeltaTablesAndAPublishedSnapshotWithNothingLeftBehind() {
    List<String> keys = new ArrayList<>();
    for (S3Object o :
        S3.server().client().listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix("out/")).contents()) {
      keys.add(o.key());
    }
    assertThat(keys)
        .anyMatch(k -> k.startsWith("out/images/_delta_log/") && k.endsWith(".json"))
        .anyMatch(k -> k.startsWith("out/masks/_delta_log/") && k.endsWith(".json"))
        .anyMatch(k -> k.startsWith("out/images/") && k.endsWith(".parquet"))
        .anyMatch(k -> k.startsWith("out/masks/") && k.endsWith(".parquet"))
        .anyMatch(k -> k.startsWith("out/_maskgen/snapshots/") && k.endsWith(".json"));
    // The run released its lock, and no temporary objects stay behind. (S3Proxy's file system
    // backend lists an emptied folder as a "dir/" marker key, which S3 itself would not.)
    assertThat(keys)
        .filteredOn(k -> !k.endsWith("/"))
        .noneMatch(k -> k.equals("out/_maskgen/lock") || k.contains("_temporary"));
  }

  @Test
  void missingBucketFailsNamingTheInput() {
    CliRun r = generate("s3a://no-such-bucket/in", "s3a://" + BUCKET + "/never");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("Input not found: s3a://no-such-bucket/in (bucket no-such-bucket does not exist)");
  }

  @Test
  void missingPrefixFailsNamingTheInput() {
    CliRun r = generate("s3a://" + BUCKET + "/no/such/prefix", "s3a://" + BUCKET + "/never");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Input not found: s3a://maskgen/no/such/prefix");
  }

  @Test
  void missingOutputBucketFailsBeforeTheJobRuns() {
    CliRun r = generate("s3a://" + BUCKET + "/in", "s3a://no-such-bucket/out");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("Cannot use --output s3a://no-such-bucket/out: bucket no-such-bucket does not exist");
  }

  @Test
  void queryOfAMissingS3DatasetNamesIt() {
    CliRun r = run(withS3("sql", "--dataset", "s3a://" + BUCKET + "/nothing", "SELECT 1"));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("s3a://maskgen/nothing has no images/ folder");
  }

  private static CliRun generate(String input, String output) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "generate", "--input", input, "--output", output, "--master", "local[2]",
                "--points-per-side", "8", "--run-id", "s3-round-trip", "--no-progress",
                "--conf", "spark.ui.enabled=false"));
    S3.server().hadoopConf().forEach((k, v) -> args.addAll(List.of("--conf", k + "=" + v)));
    return run(args.toArray(String[]::new));
  }

  private static String sql(String dataset, String query) {
    CliRun r =
        run(withS3("sql", "--dataset", dataset, "--format", "csv", "--max-rows", "0",
            "--master", "local[2]", query));
    assertThat(r.code()).as(r.err()).isZero();
    return r.out();
  }

  /** A query command with the S3A settings inserted after its name. */
  private static String[] withS3(String command, String... rest) {
    List<String> args = new ArrayList<>(List.of(command));
    S3.server().hadoopConf().forEach((k, v) -> args.addAll(List.of("--conf", k + "=" + v)));
    args.addAll(List.of(rest));
    return args.toArray(String[]::new);
  }

  private static String body(String inspect) {
    return inspect.substring(inspect.indexOf('\n') + 1, inspect.lastIndexOf("\nruns\n"));
  }

  private static byte[] tar(Map<String, byte[]> members) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
      for (String name : members.keySet().stream().sorted().toList()) {
        byte[] data = members.get(name);
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        out.putArchiveEntry(e);
        out.write(data);
        out.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }
}
