package io.maskgen.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskgen.job.GenerateConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Option parsing and validation of {@code generate}, before any Spark work. */
class GenerateCommandTest {

  @TempDir Path tmp;

  private GenerateConfig parse(String... args) {
    CommandLine cl = MaskgenCommand.commandLine(args);
    CommandLine.ParseResult r = cl.parseArgs(args);
    GenerateCommand cmd = (GenerateCommand) r.subcommand().commandSpec().userObject();
    return cmd.toConfig();
  }

  /** Runs the real command line; returns exit code and error text. */
  private Object[] run(String... args) {
    CommandLine cl = MaskgenCommand.commandLine(args);
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    for (CommandLine sub : cl.getSubcommands().values()) {
      sub.setErr(new PrintWriter(err));
    }
    int code = cl.execute(args);
    return new Object[] {code, err.toString()};
  }

  @Test
  void defaultsAreTheReferenceGeneratorsAndTheShippedModels() {
    GenerateConfig c = parse("generate", "--input", "a", "--output", "o");
    assertThat(c.model()).isEqualTo("tiny-sam");
    assertThat(c.clip()).isEqualTo("tiny-clip");
    assertThat(c.amg().pointsPerSide()).isEqualTo(32);
    assertThat(c.amg().predIouThresh()).isEqualTo(0.88);
    assertThat(c.amg().cropOverlapRatio()).isEqualTo(512.0 / 1500, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(c.device()).isEqualTo("auto");
  }

  @Test
  void configFileFillsOptionsAndFlagsWin() throws Exception {
    Path yaml = tmp.resolve("job.yaml");
    Files.writeString(
        yaml,
        "input: [x, y]\noutput: out\npoints_per_side: 16\npred-iou-thresh: 0.5\nclip: none\n"
            + "conf:\n  spark.executor.memory: 2g\n");
    GenerateConfig c = parse("generate", "--config", yaml.toString(), "--points-per-side", "8");
    assertThat(c.inputs()).containsExactly("x", "y");
    assertThat(c.amg().pointsPerSide()).isEqualTo(8);
    assertThat(c.amg().predIouThresh()).isEqualTo(0.5);
    assertThat(c.clip()).isNull();
    assertThat(c.sparkConf()).containsEntry("spark.executor.memory", "2g");
  }

  @Test
  void unknownConfigKeyIsRejectedWithTheAllowedKeys() throws Exception {
    Path json = tmp.resolve("job.json");
    Files.writeString(json, "{\"input\": \"x\", \"output\": \"o\", \"pionts-per-side\": 3}");
    Object[] r = run("generate", "--config", json.toString());
    assertThat(r[0]).isEqualTo(2);
    assertThat((String) r[1]).contains("unknown key 'pionts-per-side'").contains("points-per-side");
  }

  @Test
  void wrongValuesFailAtOnceNamingOptionValueAndRule() {
    Object[][] cases = {
      run("generate", "--input", "a", "--output", "o", "--pred-iou-thresh", "1.5"),
      run("generate", "--input", "a", "--output", "o", "--device", "tpu"),
      run("generate", "--input", "a", "--output", "o", "--clip-background", "pink"),
      run("generate", "--input", "a", "--output", "o", "--points-per-side", "many"),
      run("generate", "--output", "o"),
    };
    String[] expected = {
      "Invalid --pred-iou-thresh: 1.5 (allowed: [0, 1])",
      "Invalid --device: 'tpu' (allowed: auto, cpu, gpu, gpu:N with N >= 0)",
      "Invalid --clip-background: 'pink' (allowed: blur, gray)",
      "'--points-per-side': 'many' is not an int",
      "Missing required option: '--input",
    };
    for (int i = 0; i < cases.length; i++) {
      assertThat(cases[i][0]).as(expected[i]).isEqualTo(2);
      assertThat((String) cases[i][1]).contains(expected[i]);
    }
  }

  @Test
  void helpDocumentsEveryOption() {
    StringWriter out = new StringWriter();
    CommandLine cl = MaskgenCommand.commandLine(new String[0]);
    cl.getSubcommands().get("generate").usage(new PrintWriter(out));
    for (String option :
        new String[] {
          "--input", "--output", "--model", "--clip", "--points-per-side", "--points-per-batch",
          "--pred-iou-thresh", "--stability-score-thresh", "--stability-score-offset",
          "--box-nms-thresh", "--crop-n-layers", "--crop-nms-thresh", "--crop-overlap-ratio",
          "--crop-n-points-downscale-factor", "--min-mask-region-area", "--use-m2m",
          "--multimask-output", "--clip-background", "--device", "--master", "--conf",
          "--config", "--max-image-pixels"
        }) {
      assertThat(out.toString()).contains(option);
    }
  }
}
