package io.maskgen.model.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import io.maskgen.image.PreparedImage;
import io.maskgen.image.Preprocessing;
import io.maskgen.image.RgbImage;
import io.maskgen.model.ClipModel;
import io.maskgen.model.DecodedMasks;
import io.maskgen.model.ImageEmbedding;
import io.maskgen.model.PointPrompts;
import io.maskgen.model.SegmentationModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DJL runtime on the shipped models, with both engines: real loading and inference. */
class DjlRuntimeTest {

  @TempDir Path tmp;

  static Path shipped(String name) {
    Path p = Path.of("models", name);
    return Files.isDirectory(p) ? p : Path.of("model-udf", "models", name);
  }

  /** 512 x 384 gray image with a red square [100, 300) x [60, 260). */
  static RgbImage redSquare() {
    int w = 512;
    int h = 384;
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        boolean in = x >= 100 && x < 300 && y >= 60 && y < 260;
        int p = (y * w + x) * 3;
        rgb[p] = (byte) (in ? 220 : 90);
        rgb[p + 1] = (byte) (in ? 30 : 140);
        rgb[p + 2] = (byte) (in ? 30 : 90);
      }
    }
    return new RgbImage(w, h, rgb);
  }

  private static DecodedMasks decodeSquare(SegmentationModel m) {
    PreparedImage in =
        Preprocessing.prepare(redSquare(), m.spec().imageSize(), m.spec().pixelMean(), m.spec().pixelStd());
    try (ImageEmbedding e = m.encode(in)) {
      // (200, 160) in the image is (400, 320) in the 1024 frame (scale 2).
      return m.decode(e, PointPrompts.singlePoints(new float[] {400, 320, 20, 20}));
    }
  }

  @Test
  void bothEnginesGiveTheSameLogitsFromTheSamePackageFormat() {
    try (SegmentationModel onnx = ModelPackages.loadSegmenter(shipped("tiny-sam"), DeviceChoice.CPU);
        SegmentationModel torch =
            ModelPackages.loadSegmenter(shipped("tiny-sam-torchscript"), DeviceChoice.CPU)) {
      DecodedMasks a = decodeSquare(onnx);
      DecodedMasks b = decodeSquare(torch);
      assertThat(b.batch()).isEqualTo(a.batch());
      assertThat(b.masksPerPrompt()).isEqualTo(a.masksPerPrompt());
      assertThat(b.height()).isEqualTo(a.height());
      for (int i = 0; i < a.logits().length; i++) {
        assertThat(b.logits()[i]).isCloseTo(a.logits()[i], within(1e-3f));
      }
      for (int i = 0; i < a.iouPredictions().length; i++) {
        assertThat(b.iouPredictions()[i]).isCloseTo(a.iouPredictions()[i], within(1e-4f));
      }
    }
  }

  @Test
  void aThreadLimitKeepsOnnxRuntimeOnTheCallingThreadAndChangesNoResult() throws IOException {
    // A session of 2 threads computes on a pool thread besides the caller (pool threads spin,
    // each taking about as much CPU as the caller); one thread keeps all the work on the caller.
    // The control asks for 2 threads explicitly: ONNX Runtime's default (one per core it detects)
    // was 1 on some 2-vCPU hosts. Measured per OS thread (/proc/self/task) during encode +
    // decode calls of warm models: the busiest other thread against the calling thread.
    org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2);
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/task")));
    try (SegmentationModel one =
            ModelPackages.loadSegmenter(shipped("tiny-sam"), DeviceChoice.CPU, 1);
        SegmentationModel all =
            ModelPackages.loadSegmenter(shipped("tiny-sam"), DeviceChoice.CPU, 2)) {
      DecodedMasks a = decodeSquare(one);
      DecodedMasks b = decodeSquare(all);
      assertThat(a.logits()).containsExactly(b.logits());
      assertThat(a.iouPredictions()).containsExactly(b.iouPredictions());
      double oneOther = busiestOtherThreadShare(one);
      double allOther = busiestOtherThreadShare(all);
      assertThat(oneOther).as("busiest other thread per caller CPU, 1 thread").isLessThan(0.3);
      assertThat(allOther).as("busiest other thread per caller CPU, 2 threads").isGreaterThan(0.3);
    }
  }

  /** CPU of the busiest thread but this one, per CPU of this thread, over model calls. */
  private static double busiestOtherThreadShare(SegmentationModel m) throws IOException {
    for (int i = 0; i < 3; i++) {
      decodeSquare(m);
    }
    String self = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    java.util.Map<String, Long> before = threadTicks();
    for (int i = 0; i < 12; i++) {
      decodeSquare(m);
    }
    java.util.Map<String, Long> after = threadTicks();
    long mine = after.get(self) - before.getOrDefault(self, 0L);
    long busiest = 0;
    for (java.util.Map.Entry<String, Long> e : after.entrySet()) {
      if (!e.getKey().equals(self)) {
        busiest = Math.max(busiest, e.getValue() - before.getOrDefault(e.getKey(), 0L));
      }
    }
    return (double) busiest / Math.max(1, mine);
  }

  /** User + system clock ticks of every thread of this process, by thread id. */
  private static java.util.Map<String, Long> threadTicks() throws IOException {
    java.util.Map<String, Long> ticks = new java.util.HashMap<>();
    try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        String stat;
        try {
          stat = Files.readString(t.resolve("stat"));
        } catch (IOException gone) {
          continue; // the thread ended meanwhile
        }
        // Fields after "(comm)": state is field 3, utime 14, stime 15.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        ticks.put(t.getFileName().toString(), Long.parseLong(f[11]) + Long.parseLong(f[12]));
      }
    }
    return ticks;
  }

  @Test
  void pointInsideTheRedSquareSegmentsTheSquare() {
    try (SegmentationModel m = ModelPackages.loadSegmenter(shipped("tiny-sam"), DeviceChoice.CPU)) {
      DecodedMasks d = decodeSquare(m);
      int l = d.height();
      assertThat(l).isEqualTo(256);
      // The square is [200, 600) x [120, 520) in the 1024 frame: cells [50, 150) x [30, 130).
      int inside = 0;
      int insideOn = 0;
      int outsideOn = 0;
      int off = d.offset(0, 0);
      for (int y = 0; y < 96; y++) { // the image covers 768 / 4 rows of the padded frame
        for (int x = 0; x < 128; x++) {
          boolean in = x >= 50 && x < 150 && y >= 30 && y < 130;
          boolean on = d.logits()[off + y * l + x] > 0;
          inside += in ? 1 : 0;
          insideOn += in && on ? 1 : 0;
          outsideOn += !in && on ? 1 : 0;
        }
      }
      assertThat(insideOn).isGreaterThan((int) (0.95 * inside));
      assertThat(outsideOn).isLessThan((int) (0.02 * inside));
      assertThat(d.iouPredictions()[0]).isGreaterThan(0.88f);
    }
  }

  @Test
  void clipTextRedIsClosestToTheRedPatchOnBothEngines() {
    for (String pkg : new String[] {"tiny-clip", "tiny-clip-torchscript"}) {
      try (ClipModel clip = ModelPackages.loadClip(shipped(pkg), DeviceChoice.CPU)) {
        int s = clip.spec().imageSize();
        int[][] colours = {{220, 30, 30}, {40, 170, 50}, {30, 60, 210}};
        float[] batch = new float[3 * 3 * s * s];
        for (int i = 0; i < 3; i++) {
          for (int c = 0; c < 3; c++) {
            float v = (colours[i][c] / 255f - clip.spec().pixelMean()[c]) / clip.spec().pixelStd()[c];
            java.util.Arrays.fill(batch, (i * 3 + c) * s * s, (i * 3 + c + 1) * s * s, v);
          }
        }
        float[][] images = clip.embedImages(batch, 3);
        String[] words = {"red", "a green object", "BLUE"};
        for (int q = 0; q < 3; q++) {
          float[] t = clip.embedText(words[q]);
          assertThat(norm(t)).isCloseTo(1.0, within(1e-5));
          int best = 0;
          for (int i = 1; i < 3; i++) {
            if (dot(images[i], t) > dot(images[best], t)) {
              best = i;
            }
          }
          assertThat(best).as(pkg + ": " + words[q]).isEqualTo(q);
        }
      }
    }
  }

  @Test
  void noNativeArraysOutliveTheirCallsAndClosingReleasesEverything() {
    DjlSegmentationModel m =
        (DjlSegmentationModel) ModelPackages.loadSegmenter(shipped("tiny-sam"), DeviceChoice.CPU);
    NDManager root = encoderManager(m);
    int before = root.getManagedArrays().size();
    for (int i = 0; i < 3; i++) {
      decodeSquare(m);
    }
    assertThat(m.openEmbeddings()).isZero();
    assertThat(root.getManagedArrays()).hasSize(before);
    m.close();
    assertThat(root.isOpen()).isFalse();
  }

  private static NDManager encoderManager(DjlSegmentationModel m) {
    try {
      var f = DjlSegmentationModel.class.getDeclaredField("encoder");
      f.setAccessible(true);
      return ((ai.djl.Model) f.get(m)).getNDManager();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void badPackagesNameTheFileAndTheField() throws IOException {
    Path dir = tmp.resolve("pkg");
    Files.createDirectories(dir);
    assertThatThrownBy(() -> ModelPackages.readSegmenterSpec(dir))
        .hasMessageContaining("has no model.json");
    Files.writeString(dir.resolve("model.json"), "{\"name\": \"x\", \"engine\": \"TensorFlow\"}");
    assertThatThrownBy(() -> ModelPackages.readSegmenterSpec(dir))
        .hasMessageContaining("model.json: field 'engine' is 'TensorFlow' (allowed: OnnxRuntime, PyTorch)");
    Files.writeString(
        dir.resolve("model.json"),
        "{\"name\": \"x\", \"engine\": \"OnnxRuntime\", \"encoder\": \"e.onnx\"}");
    assertThatThrownBy(() -> ModelPackages.readSegmenterSpec(dir))
        .hasMessageContaining("field 'encoder' names e.onnx, which does not exist");
    Files.writeString(dir.resolve("model.json"), "{\"name\": ");
    assertThatThrownBy(() -> ModelPackages.readSegmenterSpec(dir))
        .hasMessageContaining("model.json: invalid JSON");
  }

  @Test
  void deviceChoicesParseOrNameTheAllowedForms() {
    assertThat(DeviceChoice.parse("auto")).isEqualTo(DeviceChoice.AUTO);
    assertThat(DeviceChoice.parse("CPU")).isEqualTo(DeviceChoice.CPU);
    assertThat(DeviceChoice.parse("gpu:3")).hasToString("gpu:3");
    assertThat(DeviceChoice.parse("gpu")).hasToString("gpu:0");
    assertThatThrownBy(() -> DeviceChoice.parse("gpu:-1")).hasMessageContaining("allowed: auto, cpu");
    assertThatThrownBy(() -> DeviceChoice.parse("tpu")).hasMessageContaining("Invalid --device: 'tpu'");
    assertThat(DeviceChoice.AUTO.toDevice("OnnxRuntime").isGpu())
        .isEqualTo(ai.djl.engine.Engine.getEngine("OnnxRuntime").getGpuCount() > 0);
  }

  static double dot(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d += a[i] * b[i];
    }
    return d;
  }

  @Test
  void boxPromptsNeedAPackageThatLeavesThePaddingPointToTheRuntime() throws IOException {
    PointPrompts box =
        new PointPrompts(1, 2, new float[] {350, 270, 450, 370}, new float[] {2, 3}, null);
    try (SegmentationModel padsItself =
        ModelPackages.loadSegmenter(shipped("tiny-sam"), DeviceChoice.CPU)) {
      assertThat(padsItself.spec().acceptsBoxes()).isFalse();
      PreparedImage in = Preprocessing.prepare(redSquare(), 1024,
          padsItself.spec().pixelMean(), padsItself.spec().pixelStd());
      try (ImageEmbedding e = padsItself.encode(in)) {
        assertThatThrownBy(() -> padsItself.decode(e, box))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("tiny-sam cannot take box prompts");
      }
    }
    // The same files declaring that the runtime pads (tiny-sam ignores labels other than 0, 1).
    Path dir = tmp.resolve("tiny-sam-runtime-padding");
    Files.createDirectories(dir);
    for (String f : new String[] {"encoder.onnx", "decoder.onnx"}) {
      Files.copy(shipped("tiny-sam").resolve(f), dir.resolve(f));
    }
    String json = Files.readString(shipped("tiny-sam").resolve("model.json"));
    Files.writeString(
        dir.resolve("model.json"),
        json.replace("\"mask_threshold\"", "\"decoder_pads_points\": false, \"mask_threshold\""));
    try (SegmentationModel m = ModelPackages.loadSegmenter(dir, DeviceChoice.CPU)) {
      assertThat(m.spec().acceptsBoxes()).isTrue();
      PreparedImage in =
          Preprocessing.prepare(redSquare(), 1024, m.spec().pixelMean(), m.spec().pixelStd());
      try (ImageEmbedding e = m.encode(in)) {
        assertThat(m.decode(e, box).batch()).isEqualTo(1);
        // A point prompt decodes as before: the padding point appended by the runtime.
        DecodedMasks points = m.decode(e, PointPrompts.singlePoints(new float[] {400, 320}));
        float[] first = Arrays.copyOf(decodeSquare(m).logits(), points.logits().length);
        assertThat(points.logits()).containsExactly(first);
        PointPrompts mixed =
            new PointPrompts(2, 2, new float[] {1, 1, 9, 9, 1, 1, 9, 9},
                new float[] {2, 3, 1, 1}, null);
        assertThatThrownBy(() -> m.decode(e, mixed))
            .hasMessageContaining("mixes prompts with and without a box");
      }
    }
  }

  @Test
  void thePaddingPointIsAppendedToEveryPrompt() {
    PointPrompts p =
        new PointPrompts(2, 1, new float[] {1, 2, 3, 4}, new float[] {1, 0}, null)
            .withPaddingPoint();
    assertThat(p.points()).isEqualTo(2);
    assertThat(p.coords()).containsExactly(1f, 2f, 0f, 0f, 3f, 4f, 0f, 0f);
    assertThat(p.labels()).containsExactly(1f, -1f, 0f, -1f);
    assertThat(p.hasBox(0)).isFalse();
  }

  static double norm(float[] a) {
    return Math.sqrt(dot(a, a));
  }
}
