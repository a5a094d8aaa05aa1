package io.maskgen.amg;

import io.maskgen.amg.MaskUpsampler.Binarized;
import io.maskgen.amg.MaskUpsampler.Screened;
import io.maskgen.amg.MaskUpsampler.Thresholds;
import io.maskgen.image.ImageDecoder;
import io.maskgen.image.PreparedImage;
import io.maskgen.image.Preprocessing;
import io.maskgen.image.RgbImage;
import io.maskgen.model.DecodedMasks;
import io.maskgen.model.ImageEmbedding;
import io.maskgen.model.PointPrompts;
import io.maskgen.model.SegmentationModel;
import io.maskgen.model.SegmenterSpec;
import io.maskgen.model.djl.DeviceChoice;
import io.maskgen.model.djl.ModelPackages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * JMH benchmarks of the generator's per-candidate post-processing on real decoder output: the
 * shipped tiny-sam on a photo at its own size (default {@code ../shared/testdata/photos/truck.jpg},
 * 1800 x 1200; {@code -p image=PATH} for another), one batch of 64 grid prompts from the middle of
 * the default 32 x 32 grid (192 candidates at 256 x 256).
 *
 * <ul>
 *   <li>{@code screen}: what every candidate costs now ({@link MaskUpsampler#screen}: exact box and
 *       compacted logits).
 *   <li>{@code binarize}: the full pass (stability counts, mask, box, RLE) that only candidates NMS
 *       has not suppressed get.
 *   <li>{@code binarizeCompacted}: the same from compacted logits.
 * </ul>
 *
 * <p>Scores are per batch of 192 candidates. Run from the repository root: {@code mvn -B -pl
 * model-udf -am test-compile} then {@code mvn -B -pl model-udf exec:exec@postprocess-bench}; JMH
 * options go in {@code -Dexec.args="-cp %classpath io.maskgen.amg.PostprocessBenchmarks OPTIONS"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgs = {"-Xmx2g", "-Dai.djl.offline=true", "-Doffline=true"})
public class PostprocessBenchmarks {

  @Param({"../shared/testdata/photos/truck.jpg"})
  public String image;

  private MaskUpsampler up;
  private Thresholds thresholds;
  private float[] logits;
  private int[] offsets;
  private List<CompactLogits> compacted;
  private int imageHeight;
  private int imageWidth;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Path photo = Path.of(image);
    if (!Files.exists(photo)) {
      photo = Path.of("..").resolve(image); // run from the repository root
    }
    RgbImage rgb = new ImageDecoder().decode(Files.readAllBytes(photo), photo.toString());
    imageHeight = rgb.height();
    imageWidth = rgb.width();
    Path model = Path.of("models", "tiny-sam");
    if (!Files.isDirectory(model)) {
      model = Path.of("model-udf", "models", "tiny-sam");
    }
    try (SegmentationModel sam = ModelPackages.loadSegmenter(model, DeviceChoice.CPU)) {
      SegmenterSpec spec = sam.spec();
      PreparedImage prepared =
          Preprocessing.prepare(rgb, spec.imageSize(), spec.pixelMean(), spec.pixelStd());
      double[][] grid = PointGrids.buildPointGrid(32);
      int from = 16 * 32; // rows 16-17 of the grid
      float[] xy = new float[2 * 64];
      for (int i = 0; i < 64; i++) {
        xy[2 * i] = (float) (grid[from + i][0] * prepared.inputWidth());
        xy[2 * i + 1] = (float) (grid[from + i][1] * prepared.inputHeight());
      }
      DecodedMasks d;
      try (ImageEmbedding e = sam.encode(prepared)) {
        d = sam.decode(e, PointPrompts.singlePoints(xy));
      }
      up =
          MaskUpsampler.create(
              d.height(),
              d.width(),
              prepared.size(),
              prepared.inputHeight(),
              prepared.inputWidth(),
              imageHeight,
              imageWidth);
      thresholds = Thresholds.of(spec.maskThreshold(), 1.0);
      logits = d.logits();
      int[] masks = PromptBatch.selectedMasks(d.masksPerPrompt(), true);
      offsets = new int[64 * masks.length];
      for (int b = 0; b < 64; b++) {
        for (int m = 0; m < masks.length; m++) {
          offsets[b * masks.length + m] = d.offset(b, masks[m]);
        }
      }
    }
    compacted = new ArrayList<>();
    long exact = 0;
    for (int o : offsets) {
      CompactLogits c = up.screen(logits, o, thresholds).logits();
      compacted.add(c);
      exact += c.exactCount();
    }
    int plane = up.outHeight() > 0 ? 256 * 256 : 0;
    System.out.printf(
        "%n%d candidates of 256x256 logits on a %dx%d image; %.1f%% of logits kept exactly%n",
        offsets.length, imageWidth, imageHeight, 100.0 * exact / ((double) offsets.length * plane));
  }

  @Benchmark
  public void screen(Blackhole bh) {
    for (int o : offsets) {
      Screened s = up.screen(logits, o, thresholds);
      bh.consume(s);
    }
  }

  @Benchmark
  public void binarize(Blackhole bh) {
    for (int o : offsets) {
      Binarized b = up.binarize(logits, o, thresholds, 0, 0, imageHeight, imageWidth);
      bh.consume(b);
    }
  }

  @Benchmark
  public void binarizeCompacted(Blackhole bh) {
    for (CompactLogits c : compacted) {
      bh.consume(up.binarize(c, thresholds, 0, 0, imageHeight, imageWidth));
    }
  }

  public static void main(String[] args) throws Exception {
    try {
      new Runner(
              args.length > 0
                  ? new CommandLineOptions(args)
                  : new CommandLineOptions(PostprocessBenchmarks.class.getSimpleName()))
          .run();
    } catch (CommandLineOptionException e) {
      System.err.println("Bad JMH options: " + e.getMessage());
      System.exit(2);
    }
  }
}
