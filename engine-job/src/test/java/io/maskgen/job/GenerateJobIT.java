package io.maskgen.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskgen.amg.AmgParams;
import io.maskgen.clip.MaskCrops;
import io.maskgen.job.query.DatasetDir;
import io.maskgen.job.table.DeltaSessions;
import io.maskgen.schema.rle.Rle;
import io.maskgen.spark.SparkSchemas;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generation job end to end on a real local Spark session: a folder of good, unusual and
 * broken images plus a tar shard in, Parquet tables out.
 */
class GenerateJobIT {

  @TempDir static Path tmp;
  static SparkSession spark;
  static TestInputs inputs;
  static RunReport report;
  static Path out;

  static GenerateConfig config(List<String> in, String output, String model) {
    AmgParams amg = AmgParams.builder().pointsPerSide(16).build().validate();
    return new GenerateConfig(
        in, output, model, "tiny-clip", MaskCrops.Background.GRAY, "cpu", amg,
        io.maskgen.image.ImageDecoder.DEFAULT_MAX_PIXELS, 32, null, Map.of(), "it-run", false, false);
  }

  @BeforeAll
  static void run() throws Exception {
    spark =
        DeltaSessions.configure(SparkSession.builder())
            .master("local[2]")
            .appName("GenerateJobIT")
            .config("spark.ui.enabled", "false")
            .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
            .config("spark.kryo.registrator", JobKryoRegistrator.class.getName())
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate();
    Path in = tmp.resolve("in");
    inputs = new TestInputs().write(in);
    out = tmp.resolve("out");
    report = new GenerateJob(config(List.of(in.toString()), out.toString(), "tiny-sam")).run(spark);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static Dataset<Row> table(String name) {
    DatasetDir dir = DatasetDir.of(out.toString());
    return name.equals("images") ? dir.images(spark) : dir.masks(spark);
  }

  @Test
  void everyInputHasExactlyOneImageRowWithTheExpectedOutcome() {
    List<Row> rows = table("images").collectAsList();
    Map<String, Row> byId = new HashMap<>();
    for (Row r : rows) {
      assertThat(byId.put(r.getAs("image_id"), r)).as("duplicate %s", (Object) r.getAs("image_id")).isNull();
    }
    assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(inputs.expected.keySet());
    inputs.expected.forEach(
        (id, error) -> {
          Row r = byId.get(id);
          if (error == null) {
            assertThat((String) r.getAs("status")).as(id + ": " + r.getAs("error")).isEqualTo("ok");
            assertThat((int) r.getAs("mask_count")).as(id).isPositive();
            assertThat((String) r.getAs("sha256")).hasSize(64);
          } else {
            assertThat((String) r.getAs("status")).as(id).isEqualTo("failed");
            assertThat((String) r.getAs("error")).as(id).containsIgnoringCase(error);
            assertThat((int) r.getAs("mask_count")).isZero();
          }
          assertThat((String) r.getAs("run_id")).isEqualTo("it-run");
        });
    assertThat((String) byId.get("sa_7").getAs("source")).endsWith("shard_000.tar!sa_7.jpg");
  }

  @Test
  void masksMatchTheirImageRowsAndAreValid() {
    Map<String, Long> perImage =
        table("masks").groupBy("image_id").count().collectAsList().stream()
            .collect(Collectors.toMap(r -> r.getString(0), r -> r.getLong(1)));
    for (Row img : table("images").collectAsList()) {
      long expected = (int) img.getAs("mask_count");
      assertThat(perImage.getOrDefault((String) img.getAs("image_id"), 0L))
          .as((String) img.getAs("image_id"))
          .isEqualTo(expected);
    }
    List<Row> masks = table("masks").collectAsList();
    assertThat(masks.stream().map(r -> r.getAs("image_id") + "/" + r.getAs("mask_id")).distinct())
        .hasSize(masks.size());
    for (Row m : masks) {
      Rle rle = Rle.fromCocoString(m.getAs("rle"), m.getAs("height"), m.getAs("width"));
      assertThat(rle.area()).isEqualTo((long) m.getAs("area")).isPositive();
      List<Float> e = m.getList(m.fieldIndex("clip_embedding"));
      double norm = Math.sqrt(e.stream().mapToDouble(v -> v * v).sum());
      assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
      assertThat((String) m.getAs("generator")).startsWith("tiny-sam+tiny-clip:");
    }
  }

  @Test
  void tablesReadBackWithTheDocumentedSchema() {
    assertThat(table("images").schema().simpleString())
        .isEqualTo(SparkSchemas.images().simpleString());
    assertThat(table("masks").schema().simpleString())
        .isEqualTo(SparkSchemas.masks().simpleString());
  }

  @Test
  void runReportCountsImagesMasksAndStages() throws Exception {
    Path file = out.resolve("_runs/it-run.json");
    JsonNode json = new ObjectMapper().readTree(Files.readString(file));
    long failed = inputs.expected.values().stream().filter(v -> v != null).count();
    assertThat(json.get("images").asLong()).isEqualTo(inputs.expected.size());
    assertThat(json.get("images_failed").asLong()).isEqualTo(failed);
    assertThat(json.get("masks").asLong()).isEqualTo(table("masks").count());
    assertThat(json.get("stage_seconds").get("encode").asDouble()).isPositive();
    assertThat(json.get("parameters").get("points_per_side").asInt()).isEqualTo(16);
    assertThat(report.summaryLine()).contains("failed").contains(out.toString());
  }
}
