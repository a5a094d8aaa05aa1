package io.maskgen.job.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskgen.job.cli.MaskgenCommand;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code maskgen bench} on the example scenes with the shipped models, at tiny sizes. */
class BenchCommandTest {

  private static final Path EXAMPLES =
      Path.of(System.getProperty("maskgen.root.dir", "..")).resolve("notebooks/examples");

  @TempDir Path tmp;

  private record Outcome(int code, String out, String err) {}

  private static Outcome run(String... args) {
    CommandLine cl = MaskgenCommand.commandLine(args);
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    for (CommandLine sub : cl.getSubcommands().values()) {
      sub.setErr(new PrintWriter(err));
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.PrintStream saved = System.out;
    System.setOut(new java.io.PrintStream(out, true));
    try {
      int code = cl.execute(args);
      return new Outcome(code, out.toString(), err.toString());
    } finally {
      System.setOut(saved);
    }
  }

  @Test
  void gpuStandInReportsTheSimulatedGpusBusyFractionPerRun() throws Exception {
    Path out = tmp.resolve("gpu");
    Outcome o =
        run("bench", "--images", EXAMPLES.resolve("scene_00.png").toString(),
            "--images", EXAMPLES.resolve("scene_01.png").toString(),
            "--sizes", "0.05", "--pps", "8", "--gpu-standin", "--parallelism", "2",
            "--in-flight", "1,2", "--model-ms-per-image", "40",
            "--repeat", "2", "--warmup", "0", "--output", out.toString());
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.out()).contains("| run | in_flight |");
    assertThat(out.resolve("gpu.md")).isRegularFile();
    JsonNode runs = new ObjectMapper().readTree(out.resolve("results.json").toFile())
        .get("gpu_standin");
    assertThat(runs).hasSize(3);
    assertThat(runs.get(0).get("run").asText()).isEqualTo("calibration");
    assertThat(runs.get(1).get("run").asText()).isEqualTo("sequential");
    assertThat(runs.get(2).get("run").asText()).isEqualTo("pipelined");
    for (JsonNode r : runs) {
      assertThat(r.get("identical").asBoolean()).isTrue();
      assertThat(r.get("images").asInt()).isEqualTo(4);
      assertThat(r.get("cpu_ms_per_image").asDouble()).isPositive();
    }
    for (JsonNode r : List.of(runs.get(1), runs.get(2))) {
      assertThat(r.get("model_ms_per_image").asDouble()).isEqualTo(40.0);
      assertThat(r.get("model_bound_images_per_s").asDouble()).isEqualTo(25.0);
      // 4 images x 40 ms of device work can neither exceed the wall time nor be missing.
      double busy = r.get("gpu_busy").asDouble();
      assertThat(busy).isGreaterThan(0).isLessThanOrEqualTo(1.0);
      assertThat(busy * r.get("wall_s").asDouble()).isCloseTo(0.160, within(1e-6));
    }
  }

  @Test
  void writesTableCsvJsonAndPlotForEveryCase() throws Exception {
    Path out = tmp.resolve("bench");
    Outcome o =
        run("bench", "--images", EXAMPLES.resolve("scene_00.png").toString(),
            "--images", EXAMPLES.resolve("scene_01.png").toString(),
            "--sizes", "0.02,0.05", "--pps", "4,8", "--crop-layers", "0,1",
            "--repeat", "1", "--warmup", "0", "--output", out.toString());
    assertThat(o.code()).as(o.err()).isZero();

    // Baseline (first values, as 1 MP / 32 / 0 are not all listed), then one change at a time.
    List<String> csv = Files.readAllLines(out.resolve("results.csv"));
    assertThat(csv).hasSize(1 + 4);
    assertThat(csv.get(0)).startsWith("megapixels,size,points_per_side,crop_n_layers,runs,");
    assertThat(csv.subList(1, 5))
        .extracting(l -> String.join(",", List.of(l.split(",")).subList(0, 4)))
        .containsExactly("0.020,163x122,4,0", "0.050,258x194,4,0", "0.020,163x122,8,0",
            "0.020,163x122,4,1");
    assertThat(o.out()).contains("| megapixels | size |").contains("| 0.050 | 258x194 | 4 | 0 |");

    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(json.get("cases")).hasSize(4);
    for (JsonNode c : json.get("cases")) {
      assertThat(c.get("runs").asInt()).isEqualTo(2);
      assertThat(c.get("masks_per_image").asDouble()).isPositive();
      assertThat(c.get("total_ms").asDouble()).isPositive();
      assertThat(c.get("postprocess_ms").asDouble()).isPositive();
      assertThat(c.get("clip_ms").asDouble()).isPositive();
      assertThat(c.get("heap_peak_mb").asDouble()).isPositive();
    }
    assertThat(Files.readAllLines(out.resolve("per-image.csv"))).hasSize(1 + 4 * 2);
    assertThat(out.resolve("sa1b/scene_00.json")).isRegularFile();

    BufferedImage plot = ImageIO.read(out.resolve("bench.png").toFile());
    assertThat(plot.getWidth()).isEqualTo(3 * 420); // size, points per side, crop layers
    assertThat(plot.getHeight()).isEqualTo(400);
  }

  @Test
  void comparesThroughputOnSparkMasters() throws Exception {
    Path out = tmp.resolve("scaling");
    Outcome o =
        run("bench", "--images", EXAMPLES.resolve("scene_00.png").toString(),
            "--sizes", "0.02", "--pps", "4", "--clip", "none", "--copies", "3",
            "--throughput-only", "--warm", "--masters", "local[1],local[2]",
            "--output", out.toString());
    assertThat(o.code()).as(o.err()).isZero();
    // --warm: one untimed run per master before the timed one, which alone is counted.
    assertThat(out.resolve("throughput/warmup-2/masks")).isDirectory();
    assertThat(out.resolve("results.csv")).doesNotExist();
    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    JsonNode t = json.get("throughput");
    assertThat(t).hasSize(2);
    assertThat(t.get(0).get("master").asText()).isEqualTo("local[1]");
    assertThat(t.get(1).get("master").asText()).isEqualTo("local[2]");
    for (JsonNode r : t) {
      assertThat(r.get("images").asLong()).isEqualTo(3);
      assertThat(r.get("masks").asLong()).isPositive();
      assertThat(r.get("images_per_s").asDouble()).isPositive();
    }
    assertThat(t.get(0).get("speedup").asDouble()).isEqualTo(1.0);
    assertThat(out.resolve("throughput/run-2/masks")).isDirectory();
    assertThat(Files.readString(out.resolve("throughput.md"))).contains("| local[2] | 3 |");
  }

  @Test
  void badOptionsFailBeforeAnyWorkNamingTheOption() throws Exception {
    Outcome sizes = run("bench", "--images", EXAMPLES.toString(), "--sizes", "-1",
        "--output", tmp.resolve("a").toString());
    assertThat(sizes.code()).isEqualTo(2);
    assertThat(sizes.err()).contains("Invalid --sizes: [-1.0]");

    Files.createDirectories(tmp.resolve("full"));
    Files.writeString(tmp.resolve("full/x"), "x");
    Outcome full = run("bench", "--images", EXAMPLES.toString(), "--output",
        tmp.resolve("full").toString());
    assertThat(full.code()).isEqualTo(2);
    assertThat(full.err()).contains("Invalid --output: " + tmp.resolve("full") + " is not empty");

    Outcome missing = run("bench", "--images", tmp.resolve("nope").toString(), "--output",
        tmp.resolve("b").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("Invalid --images: " + tmp.resolve("nope"));

    Outcome only = run("bench", "--images", EXAMPLES.toString(), "--throughput-only",
        "--output", tmp.resolve("c").toString());
    assertThat(only.code()).isEqualTo(2);
    assertThat(only.err()).contains("--throughput-only needs --masters");
  }
}
