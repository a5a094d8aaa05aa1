package io.maskgen.amg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.maskgen.image.PreparedImage;
import io.maskgen.image.RgbImage;
import io.maskgen.model.DecodedMasks;
import io.maskgen.model.ImageEmbedding;
import io.maskgen.model.PointPrompts;
import io.maskgen.model.SegmentationModel;
import io.maskgen.model.SegmenterSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaskPredictorTest {

  /** A model that records the prompts it is given and returns empty masks. */
  private static final class Recording implements SegmentationModel {
    final SegmenterSpec spec;
    final List<PointPrompts> prompts = new ArrayList<>();

    Recording(boolean acceptsBoxes) {
      spec =
          new SegmenterSpec(
              "recording", 64, new float[] {0, 0, 0}, new float[] {1, 1, 1}, 0f, false,
              acceptsBoxes);
    }

    @Override
    public SegmenterSpec spec() {
      return spec;
    }

    @Override
    public ImageEmbedding encode(PreparedImage image) {
      return () -> {};
    }

    @Override
    public DecodedMasks decode(ImageEmbedding embedding, PointPrompts p) {
      prompts.add(p);
      return new DecodedMasks(1, 4, 16, 16, new float[4 * 256], new float[4]);
    }

    @Override
    public void close() {}
  }

  @Test
  void promptsReachTheDecoderInTheModelFrameWithTheBoxCornersLast() {
    Recording model = new Recording(true);
    // 200 x 100 resized into a 64 frame: 64 x 32, both axes scaled by 0.32.
    try (MaskPredictor.ImageSession s =
        new MaskPredictor(model).setImage(new RgbImage(200, 100, new byte[200 * 100 * 3]))) {
      s.predict(
          new MaskPrompt(
              new double[] {50, 25, 199, 99}, new int[] {1, 0},
              new double[] {10, 20, 110, 60}, null, true));
    }
    PointPrompts p = model.prompts.get(0);
    assertThat(p.batch()).isEqualTo(1);
    assertThat(p.points()).isEqualTo(4);
    assertThat(p.labels()).containsExactly(1f, 0f, 2f, 3f);
    assertThat(p.coords())
        .containsExactly(
            new float[] {16f, 8f, 63.68f, 31.68f, 3.2f, 6.4f, 35.2f, 19.2f}, within(1e-5f));
  }

  @Test
  void boxPromptsNeedADecoderThatLeavesThePaddingPointToTheRuntime() {
    Recording model = new Recording(false);
    try (MaskPredictor.ImageSession s =
        new MaskPredictor(model).setImage(new RgbImage(20, 10, new byte[600]))) {
      assertThatThrownBy(() -> s.predict(MaskPrompt.box(new double[] {1, 1, 5, 5}, true)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cannot take box prompts")
          .hasMessageContaining("decoder_pads_points");
      s.predict(MaskPrompt.points(new double[] {3, 3}, new int[] {1}, true));
    }
    assertThat(model.prompts).hasSize(1);
  }

  @Test
  void multimaskGivesTheThreeMultimaskOutputsAndSingleMaskTheFirstToken() {
    // The fake model works on 4-pixel cells of its 128 input (7.5 image pixels): IoU > 0.78.
    Scenes scene = Scenes.threeShapes();
    byte[] red = scene.mask(Scenes.RED);
    FakeSegmentationModel model = new FakeSegmentationModel(128, 4, false);
    MaskPredictor predictor = new MaskPredictor(model);
    try (MaskPredictor.ImageSession s = predictor.setImage(scene.image())) {
      Prediction multi = s.predict(MaskPrompt.points(new double[] {45, 45}, new int[] {1}, true));
      assertThat(multi.masks()).extracting(Prediction.Mask::score)
          .containsExactly(0.95f, 0.9f, 0.6f);
      assertThat(multi.lowResLogits()).hasSize(3 * 32 * 32);
      assertThat(multi.lowResHeight()).isEqualTo(32);
      Prediction.Mask region = multi.masks().get(0);
      assertThat(region.rle().height()).isEqualTo(160);
      assertThat(region.rle().width()).isEqualTo(240);
      assertThat(Scenes.iou(region.rle().decodeRowMajor(), red)).isGreaterThan(0.78);
      assertThat(region.bboxXywh()[0]).isCloseTo(20, within(3.0));
      // The dilated and whole-image outputs grow.
      assertThat(multi.masks().get(1).rle().area()).isGreaterThan(region.rle().area());
      assertThat(multi.masks().get(2).rle().area()).isGreaterThan(240L * 150);

      Prediction single =
          s.predict(MaskPrompt.points(new double[] {45, 45}, new int[] {1}, false));
      assertThat(single.masks()).hasSize(1);
      assertThat(single.masks().get(0).score()).isEqualTo(0.93f);
      assertThat(single.masks().get(0).rle()).isEqualTo(region.rle());
      assertThat(single.lowResLogits(0)).containsExactly(multi.lowResLogits(0));

      Prediction green =
          s.predict(MaskPrompt.points(new double[] {170, 100}, new int[] {1}, false));
      assertThat(Scenes.iou(green.masks().get(0).rle().decodeRowMajor(),
          scene.mask(Scenes.GREEN))).isGreaterThan(0.78);
    }
    assertThat(model.openEmbeddings.get()).isZero();
    assertThat(model.encodeCalls.get()).isEqualTo(1);
  }

  @Test
  void promptsAreValidated() {
    assertThatThrownBy(() -> new MaskPrompt(null, null, null, null, true))
        .hasMessageContaining("at least one point or a box");
    assertThatThrownBy(() -> MaskPrompt.points(new double[] {1, 2}, new int[] {2}, true))
        .hasMessageContaining("Invalid point label: 2");
    assertThatThrownBy(() -> MaskPrompt.points(new double[] {1, 2, 3}, new int[] {1}, true))
        .hasMessageContaining("points");
    assertThatThrownBy(() -> MaskPrompt.box(new double[] {1, 2, 3}, true))
        .hasMessageContaining("Invalid box");
  }
}
