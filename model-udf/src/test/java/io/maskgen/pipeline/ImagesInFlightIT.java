package io.maskgen.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskgen.amg.AmgParams;
import io.maskgen.clip.MaskCrops;
import io.maskgen.image.ImageDecoder;
import io.maskgen.image.RgbImage;
import io.maskgen.model.ClipModel;
import io.maskgen.model.SegmentationModel;
import io.maskgen.model.djl.DeviceChoice;
import io.maskgen.model.djl.ModelPackages;
import io.maskgen.model.standin.ModelTape;
import io.maskgen.model.standin.SimulatedDevice;
import io.maskgen.schema.ImageRecord;
import io.maskgen.synth.SyntheticScenes;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped tiny-sam and tiny-clip on synthetic scenes: several images in the pipeline at once
 * ({@link InOrder}) give the rows of one image after another, and the stand-in models of a {@link
 * ModelTape} replay the real models' rows exactly while holding the simulated device for each call.
 */
class ImagesInFlightIT {
  static final int SCENES = 4;
  static final AmgParams PARAMS = AmgParams.defaults().withPointsPerSide(16);

  static SegmentationModel sam;
  static ClipModel clip;
  static List<byte[]> pngs = new ArrayList<>();

  @BeforeAll
  static void load() {
    sam = ModelPackages.loadSegmenter(ShippedModels.dir("tiny-sam"), DeviceChoice.CPU, 2);
    clip = ModelPackages.loadClip(ShippedModels.dir("tiny-clip"), DeviceChoice.CPU, 2);
    for (int s = 0; s < SCENES; s++) {
      pngs.add(png(SyntheticScenes.generate(2000 + s, 320, 240).image()));
    }
  }

  @AfterAll
  static void close() {
    sam.close();
    clip.close();
  }

  @Test
  void imagesInFlightGiveTheRowsOfOneImageAfterAnother() {
    List<ImageResult> sequential = run(sam, clip, 1, 1);
    List<ImageResult> pipelined = run(sam, clip, 3, 2);
    assertThat(sequential.stream().mapToInt(r -> r.masks().size()).sum()).isGreaterThan(SCENES);
    assertSameRows(pipelined, sequential);
  }

  @Test
  void standInsReplayTheRecordedRowsAndHoldTheDeviceForEveryCall() {
    ModelTape tape = new ModelTape();
    List<ImageResult> recorded = run(tape.recording(sam), tape.recordingClip(clip), 1, 1);
    ModelTape.Counts counts = tape.counts();
    assertThat(counts.encoderCalls()).isEqualTo(SCENES);
    assertThat(counts.prompts()).isEqualTo(SCENES * 16 * 16);

    SimulatedDevice idle = new SimulatedDevice();
    assertSameRows(
        run(tape.replaying(idle, ModelTape.Timing.NONE),
            tape.replayingClip(idle, ModelTape.Timing.NONE), 3, 2),
        recorded);

    SimulatedDevice device = new SimulatedDevice();
    ModelTape.Timing timing = new ModelTape.Timing(2_000_000, 10_000, 50_000);
    List<ImageResult> replayed =
        run(tape.replaying(device, timing), tape.replayingClip(device, timing), 2, 2);
    assertSameRows(replayed, recorded);
    long clipCalls = 0;
    for (ImageResult r : recorded) {
      clipCalls += (r.masks().size() + ImagePipeline.CLIP_BATCH - 1) / ImagePipeline.CLIP_BATCH;
    }
    assertThat(device.calls())
        .isEqualTo(counts.encoderCalls() + counts.decoderCalls() + clipCalls);
    assertThat(device.busyNanos())
        .isEqualTo(
            counts.encoderCalls() * timing.encodeNanos()
                + counts.prompts() * timing.decodeNanosPerPrompt()
                + counts.clipCrops() * timing.clipNanosPerCrop());
  }

  @Test
  void aStandInRecordsImagesItHasNotSeenAndReplaysTheOthers() {
    ModelTape tape = new ModelTape();
    SimulatedDevice device = new SimulatedDevice();
    ModelTape.Timing timing = new ModelTape.Timing(1_000_000, 1_000, 1_000);
    SegmentationModel seg = tape.replayingOrRecording(sam, device, timing);
    ClipModel c = tape.replayingOrRecordingClip(clip, device, timing);
    List<ImageResult> first = run(seg, c, 2, 2);
    assertThat(device.calls()).isZero();
    assertThat(tape.counts().encoderCalls()).isEqualTo(SCENES);
    List<ImageResult> second = run(seg, c, 2, 2);
    assertThat(tape.counts().encoderCalls()).isEqualTo(SCENES);
    assertThat(device.calls()).isGreaterThan(SCENES * 4L);
    assertSameRows(second, first);
    assertSameRows(first, run(sam, clip, 1, 1));
  }

  @Test
  void aStandInRefusesAnImageItHasNotRecorded() {
    ModelTape tape = new ModelTape();
    run(tape.recording(sam), null, 1, 1);
    SegmentationModel standIn = tape.replaying(new SimulatedDevice(), ModelTape.Timing.NONE);
    byte[] other = png(SyntheticScenes.generate(9999, 320, 240).image());
    try (ImagePipeline p = pipeline(standIn, null, 1)) {
      DecodedImage d = p.decode("other", "other.png", other, null, System.nanoTime());
      assertThatThrownBy(() -> p.process(d))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("No recorded encoder call for this 320x240 image");
    }
  }

  private static List<ImageResult> run(
      SegmentationModel seg, ClipModel clipModel, int inFlight, int parallelism) {
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < SCENES; i++) {
      ids.add(i);
    }
    List<ImageResult> out = new ArrayList<>();
    try (ImagePipeline p = pipeline(seg, clipModel, parallelism);
        InOrder<Integer, ImageResult> results =
            new InOrder<>(
                ids.iterator(),
                i -> p.process(
                    p.decode("scene-" + i, "scene-" + i + ".png", pngs.get(i), null,
                        System.nanoTime())),
                inFlight)) {
      results.forEachRemaining(out::add);
    }
    return out;
  }

  private static ImagePipeline pipeline(SegmentationModel seg, ClipModel c, int parallelism) {
    return new ImagePipeline(
        seg, c, PARAMS, MaskCrops.Background.GRAY, ImageDecoder.MAX_SUPPORTED_PIXELS, "gen",
        "run", parallelism);
  }

  private static void assertSameRows(List<ImageResult> actual, List<ImageResult> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(fields(actual.get(i).image())).as("image %d", i)
          .isEqualTo(fields(expected.get(i).image()));
      assertThat(actual.get(i).masks()).as("masks of image %d", i)
          .isEqualTo(expected.get(i).masks());
    }
  }

  /** Every column but the time the image took. */
  private static List<Object> fields(ImageRecord r) {
    return Arrays.asList(
        r.imageId(), r.source(), r.sha256(), r.width(), r.height(), r.status(), r.error(),
        r.maskCount(), r.generator(), r.runId());
  }

  private static byte[] png(RgbImage image) {
    BufferedImage b =
        new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
    byte[] rgb = image.rgb();
    for (int y = 0; y < image.height(); y++) {
      for (int x = 0; x < image.width(); x++) {
        int i = (y * image.width() + x) * 3;
        b.setRGB(x, y, (rgb[i] & 0xff) << 16 | (rgb[i + 1] & 0xff) << 8 | (rgb[i + 2] & 0xff));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(b, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
