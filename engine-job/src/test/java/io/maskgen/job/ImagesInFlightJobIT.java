package io.maskgen.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskgen.amg.AmgParams;
import io.maskgen.clip.MaskCrops;
import io.maskgen.image.ImageDecoder;
import io.maskgen.job.query.DatasetDir;
import io.maskgen.job.table.DeltaSessions;
import io.maskgen.schema.DatasetColumns;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generate job with one image in the pipeline at a time and with three: the same rows in both
 * tables (all but the time each image took), and the setting reaches the tasks.
 */
class ImagesInFlightJobIT {
  @TempDir static Path tmp;
  static SparkSession spark;
  static Path in;

  @BeforeAll
  static void start() throws Exception {
    spark =
        DeltaSessions.configure(SparkSession.builder())
            .master("local[2]")
            .appName("ImagesInFlightJobIT")
            .config("spark.ui.enabled", "false")
            .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
            .config("spark.kryo.registrator", JobKryoRegistrator.class.getName())
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate();
    in = tmp.resolve("in");
    new TestInputs().write(in);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.conf().unset(GenerateFunction.IN_FLIGHT_CONF);
      spark.stop();
    }
  }

  @Test
  void threeImagesInFlightWriteTheRowsOfOneAtATime() {
    Path one = generate(1);
    Path three = generate(3);
    assertThat(json(three, "masks")).isNotEmpty().isEqualTo(json(one, "masks"));
    assertThat(json(three, "images")).isNotEmpty().isEqualTo(json(one, "images"));
  }

  @Test
  void theSettingReachesTheTasks() {
    MapFunction<Long, Integer> depth = x -> GenerateFunction.imagesInFlight();
    spark.conf().set(GenerateFunction.IN_FLIGHT_CONF, "3");
    assertThat(spark.range(2).map(depth, Encoders.INT()).collectAsList()).containsOnly(3);
    spark.conf().unset(GenerateFunction.IN_FLIGHT_CONF);
    assertThat(spark.range(2).map(depth, Encoders.INT()).collectAsList())
        .containsOnly(GenerateFunction.DEFAULT_IN_FLIGHT);
    spark.conf().set(GenerateFunction.IN_FLIGHT_CONF, "0");
    try {
      assertThatThrownBy(() -> spark.range(1).map(depth, Encoders.INT()).collectAsList())
          .hasStackTraceContaining("Invalid spark.maskgen.imagesInFlight: 0");
    } finally {
      spark.conf().unset(GenerateFunction.IN_FLIGHT_CONF);
    }
  }

  private static Path generate(int inFlight) {
    Path out = tmp.resolve("out-" + inFlight);
    spark.conf().set(GenerateFunction.IN_FLIGHT_CONF, String.valueOf(inFlight));
    try {
      AmgParams amg = AmgParams.builder().pointsPerSide(16).build().validate();
      new GenerateJob(
              new GenerateConfig(
                  List.of(in.toString()), out.toString(), "tiny-sam", "tiny-clip",
                  MaskCrops.Background.GRAY, "cpu", amg, ImageDecoder.DEFAULT_MAX_PIXELS, 32, null,
                  Map.of(), "it-run", false, false))
          .run(spark);
    } finally {
      spark.conf().unset(GenerateFunction.IN_FLIGHT_CONF);
    }
    return out;
  }

  /** The table's rows as JSON (every float in full), sorted; images without their seconds. */
  private static List<String> json(Path out, String table) {
    DatasetDir dir = DatasetDir.of(out.toString());
    Dataset<Row> rows = table.equals("images") ? dir.images(spark) : dir.masks(spark);
    if (table.equals("images")) {
      rows = rows.drop(DatasetColumns.SECONDS);
    }
    return rows.toJSON().collectAsList().stream().sorted().toList();
  }
}
