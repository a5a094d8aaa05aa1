package io.maskgen.amg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskgen.model.SegmenterSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class AmgParamsTest {

  private static SegmenterSpec spec(boolean maskInput) {
    return new SegmenterSpec(
        "fake", 1024, new float[] {0, 0, 0}, new float[] {1, 1, 1}, 0f, maskInput);
  }

  @Test
  void defaultsAreTheReferenceDefaults() {
    AmgParams p = AmgParams.defaults();
    assertThat(p.pointsPerSide()).isEqualTo(32);
    assertThat(p.pointsPerBatch()).isEqualTo(64);
    assertThat(p.predIouThresh()).isEqualTo(0.88);
    assertThat(p.stabilityScoreThresh()).isEqualTo(0.95);
    assertThat(p.stabilityScoreOffset()).isEqualTo(1.0);
    assertThat(p.boxNmsThresh()).isEqualTo(0.7);
    assertThat(p.cropNLayers()).isZero();
    assertThat(p.cropNmsThresh()).isEqualTo(0.7);
    assertThat(p.cropOverlapRatio()).isEqualTo(512.0 / 1500);
    assertThat(p.cropNPointsDownscaleFactor()).isEqualTo(1);
    assertThat(p.pointGrids()).isNull();
    assertThat(p.minMaskRegionArea()).isZero();
    assertThat(p.multimaskOutput()).isTrue();
    assertThat(p.useM2m()).isFalse();
    assertThat(p.validate()).isSameAs(p);
  }

  @Test
  void withersAndBuilderChangeOneParameter() {
    AmgParams p = AmgParams.defaults().withPredIouThresh(0.8).withCropNLayers(2);
    assertThat(p.predIouThresh()).isEqualTo(0.8);
    assertThat(p.cropNLayers()).isEqualTo(2);
    assertThat(p.pointsPerSide()).isEqualTo(32);
    AmgParams q = AmgParams.builder().minMaskRegionArea(100).useM2m(true).build();
    assertThat(q.minMaskRegionArea()).isEqualTo(100);
    assertThat(q.useM2m()).isTrue();
  }

  @Test
  void rejectionsNameTheOptionTheValueAndTheRange() {
    assertThatThrownBy(() -> AmgParams.defaults().withPredIouThresh(1.5).validate())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid --pred-iou-thresh: 1.5 (allowed: [0, 1])");
    assertThatThrownBy(() -> AmgParams.defaults().withPointsPerSide(0).validate())
        .hasMessage("Invalid --points-per-side: 0 (allowed: [1, 1024])");
    assertThatThrownBy(() -> AmgParams.defaults().withPointsPerBatch(0).validate())
        .hasMessage("Invalid --points-per-batch: 0 (allowed: an integer >= 1)");
    assertThatThrownBy(() -> AmgParams.defaults().withStabilityScoreOffset(-1).validate())
        .hasMessageContaining("--stability-score-offset: -1.0");
    assertThatThrownBy(() -> AmgParams.defaults().withCropOverlapRatio(1.0).validate())
        .hasMessage("Invalid --crop-overlap-ratio: 1.0 (allowed: [0, 1))");
    assertThatThrownBy(() -> AmgParams.defaults().withCropNLayers(6).validate())
        .hasMessage("Invalid --crop-n-layers: 6 (allowed: [0, 5])");
    assertThatThrownBy(() -> AmgParams.defaults().withMinMaskRegionArea(-5).validate())
        .hasMessageContaining("--min-mask-region-area: -5");
    assertThatThrownBy(() -> AmgParams.defaults().withBoxNmsThresh(Double.NaN).validate())
        .hasMessageContaining("--box-nms-thresh: NaN");
  }

  @Test
  void rejectsADownscaleThatLeavesNoPoints() {
    AmgParams p =
        AmgParams.defaults()
            .withPointsPerSide(4)
            .withCropNLayers(2)
            .withCropNPointsDownscaleFactor(4);
    assertThatThrownBy(p::validate)
        .hasMessageContaining("--crop-n-points-downscale-factor: 4")
        .hasMessageContaining("layer 2");
  }

  @Test
  void explicitGridsReplaceThePointsPerSide() {
    double[][] grid = {{0.5, 0.5}, {0.25, 0.75}};
    AmgParams p = AmgParams.defaults().withPointGrids(List.<double[][]>of(grid)).validate();
    assertThat(p.pointsPerSide()).isZero();
    assertThat(p.layerPointGrids()).hasSize(1);
    assertThat(p.layerPointGrids().get(0)).isDeepEqualTo(grid);
    assertThatThrownBy(() -> p.withCropNLayers(1).validate())
        .hasMessageContaining("--point-grids: 1 grids for --crop-n-layers 1");
    assertThatThrownBy(
            () -> p.withPointGrids(List.<double[][]>of(new double[][] {{1.5, 0}})).validate())
        .hasMessageContaining("point 0 of layer 0 is [1.5, 0.0]");
    AmgParams both =
        new AmgParams(
            32, 64, 0.88, 0.95, 1, 0.7, 0, 0.7, 0.3, 1, List.<double[][]>of(grid), 0, true, false);
    assertThatThrownBy(both::validate).hasMessageContaining("exactly one of them");
  }

  @Test
  void m2mNeedsAModelWithMaskInput() {
    AmgParams p = AmgParams.defaults().withUseM2m(true);
    assertThat(p.validateFor(spec(true))).isSameAs(p);
    assertThatThrownBy(() -> p.validateFor(spec(false)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--use-m2m")
        .hasMessageContaining("'fake' does not accept a mask input");
  }

  @Test
  void fingerprintIsStableAndChangesWithEveryParameter() {
    String base = AmgParams.defaults().fingerprint();
    assertThat(base)
        .isEqualTo(
            "amg(points-per-side=32,points-per-batch=64,pred-iou-thresh=0.88,"
                + "stability-score-thresh=0.95,stability-score-offset=1.0,box-nms-thresh=0.7,"
                + "crop-n-layers=0,crop-nms-thresh=0.7,crop-overlap-ratio=0.3413333333333333,"
                + "crop-n-points-downscale-factor=1,point-grids=none,min-mask-region-area=0,"
                + "multimask-output=true,use-m2m=false)");
    AmgParams d = AmgParams.defaults();
    List<AmgParams> variants =
        List.of(
            d.withPointsPerSide(16),
            d.withPointsPerBatch(32),
            d.withPredIouThresh(0.8),
            d.withStabilityScoreThresh(0.9),
            d.withStabilityScoreOffset(2),
            d.withBoxNmsThresh(0.5),
            d.withCropNLayers(1),
            d.withCropNmsThresh(0.5),
            d.withCropOverlapRatio(0.2),
            d.withCropNPointsDownscaleFactor(2),
            d.withPointGrids(List.<double[][]>of(new double[][] {{0.5, 0.5}})),
            d.withMinMaskRegionArea(100),
            d.withMultimaskOutput(false),
            d.withUseM2m(true));
    assertThat(variants)
        .extracting(AmgParams::fingerprint)
        .doesNotContain(base)
        .doesNotHaveDuplicates();
    String grids = d.withPointGrids(List.<double[][]>of(new double[][] {{0.5, 0.5}})).fingerprint();
    assertThat(grids).contains("point-grids=sha256:");
    assertThat(d.withPointGrids(List.<double[][]>of(new double[][] {{0.5, 0.5}})).fingerprint())
        .isEqualTo(grids);
  }
}
