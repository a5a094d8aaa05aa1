package io.maskgen.amg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskgen.image.PreparedImage;
import io.maskgen.image.RgbImage;
import io.maskgen.model.DecodedMasks;
import io.maskgen.model.ImageEmbedding;
import io.maskgen.model.PointPrompts;
import io.maskgen.model.SegmentationModel;
import io.maskgen.model.SegmenterSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AutomaticMaskGeneratorTest {

  private static final AmgParams SMALL = AmgParams.defaults().withPointsPerSide(16);

  /** Fewer prompts where the literal port (which upsamples every candidate) or reruns are slow. */
  private static final AmgParams TINY = AmgParams.defaults().withPointsPerSide(8);

  private static FakeSegmentationModel model() {
    return new FakeSegmentationModel(128, 3, true);
  }

  private static List<GeneratedMask> run(
      FakeSegmentationModel m, AmgParams p, RgbImage image, int threads) {
    try (AutomaticMaskGenerator g = new AutomaticMaskGenerator(m, p, threads)) {
      return g.generate(image).masks();
    }
  }

  /**
   * The outputs whose mask matches {@code truth} with IoU above 0.78 (the fake model works on
   * 4-pixel cells of the model input; a mask dilated by one cell stays below).
   */
  private static List<GeneratedMask> matching(List<GeneratedMask> masks, byte[] truth) {
    return masks.stream()
        .filter(g -> Scenes.iou(g.segmentation().decodeRowMajor(), truth) > 0.78)
        .toList();
  }

  private static void assertSameMasks(List<GeneratedMask> actual, List<GeneratedMask> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.size(); i++) {
      GeneratedMask a = actual.get(i);
      GeneratedMask e = expected.get(i);
      assertThat(a.segmentation()).as("mask %d", i).isEqualTo(e.segmentation());
      assertThat(a.bboxXywh()).as("bbox %d", i).containsExactly(e.bboxXywh());
      assertThat(a.area()).isEqualTo(e.area());
      assertThat(a.predictedIou()).isEqualTo(e.predictedIou());
      assertThat(a.stabilityScore()).isEqualTo(e.stabilityScore());
      assertThat(a.pointCoords()).isDeepEqualTo(e.pointCoords());
      assertThat(a.cropBoxXywh()).containsExactly(e.cropBoxXywh());
    }
  }

  @Test
  void findsEveryShapeOnceWithConsistentFields() {
    Scenes scene = Scenes.threeShapes();
    List<GeneratedMask> masks = run(model(), SMALL, scene.image(), 1);
    for (int[] colour : List.of(Scenes.RED, Scenes.GREEN, Scenes.BLUE)) {
      assertThat(matching(masks, scene.mask(colour))).hasSize(1);
    }
    for (GeneratedMask g : masks) {
      double[] coco = g.segmentation().bboxXywh();
      assertThat(g.bboxXywh()).containsExactly(coco[0], coco[1], coco[2] - 1, coco[3] - 1);
      assertThat(g.area()).isEqualTo(g.segmentation().area()).isPositive();
      assertThat(g.predictedIou()).isGreaterThan(0.88f);
      assertThat(g.stabilityScore()).isGreaterThanOrEqualTo(0.95f);
      assertThat(g.cropBoxXywh()).containsExactly(0, 0, 240, 160);
      double[] pt = g.pointCoords()[0];
      assertThat(pt[0]).isBetween(0.0, 240.0);
      assertThat(pt[1]).isBetween(0.0, 160.0);
    }
    // In-crop NMS: no two remaining boxes overlap by more than box-nms-thresh.
    for (int i = 0; i < masks.size(); i++) {
      for (int j = i + 1; j < masks.size(); j++) {
        int[] two = new int[8];
        System.arraycopy(Boxes.rleToBoxXyxy(masks.get(i).segmentation()), 0, two, 0, 4);
        System.arraycopy(Boxes.rleToBoxXyxy(masks.get(j).segmentation()), 0, two, 4, 4);
        assertThat(BoxNms.nms(two, new float[] {1, 0}, 0.7)).hasSize(2);
      }
    }
    // Sorted by predicted IoU, descending.
    for (int i = 1; i < masks.size(); i++) {
      assertThat(masks.get(i).predictedIou()).isLessThanOrEqualTo(masks.get(i - 1).predictedIou());
    }
  }

  @Test
  void zoomedCropsWinOverTheWholeImageAndDropMasksCutByACropEdge() {
    Scenes scene = Scenes.threeShapes();
    List<GeneratedMask> masks = run(model(), SMALL.withCropNLayers(1), scene.image(), 1);
    // Layer 1 of 240 x 160: overlap 54, crops 147 x 107 at x0 in {0, 93}, y0 in {0, 53}.
    assertThat(matching(masks, scene.mask(Scenes.RED)))
        .singleElement()
        .satisfies(g -> assertThat(g.cropBoxXywh()).containsExactly(0, 0, 147, 107));
    assertThat(matching(masks, scene.mask(Scenes.BLUE)))
        .singleElement()
        .satisfies(g -> assertThat(g.cropBoxXywh()).containsExactly(93, 0, 147, 107));
    // The green disc comes within 20 px of an inner edge of every crop it is in: only layer 0.
    assertThat(matching(masks, scene.mask(Scenes.GREEN)))
        .singleElement()
        .satisfies(g -> assertThat(g.cropBoxXywh()).containsExactly(0, 0, 240, 160));
    for (GeneratedMask g : masks) {
      int[] c = g.cropBoxXywh();
      CropBox crop = new CropBox(c[0], c[1], c[0] + c[2], c[1] + c[3], c[2] == 240 ? 0 : 1);
      int[] box = Boxes.rleToBoxXyxy(g.segmentation());
      int[] inCrop = {box[0] - c[0], box[1] - c[1], box[2] - c[0], box[3] - c[1]};
      assertThat(Boxes.isBoxNearCropEdge(inCrop, crop, 240, 160)).isFalse();
    }
    // Crops are processed smallest first in the output.
    for (int i = 1; i < masks.size(); i++) {
      int[] a = masks.get(i - 1).cropBoxXywh();
      int[] b = masks.get(i).cropBoxXywh();
      assertThat((long) a[2] * a[3]).isLessThanOrEqualTo((long) b[2] * b[3]);
    }
  }

  @Test
  void smallRegionRemovalFillsTheHoleAndDropsTheIsland() {
    Scenes scene = Scenes.holeAndIsland();
    int hole = 81 * 240 + 81;
    int island = 27 * 240 + 207;
    int disc = 40 * 240 + 80;
    List<GeneratedMask> raw = run(model(), SMALL, scene.image(), 1);
    byte[] before =
        raw.stream()
            .map(g -> g.segmentation().decodeRowMajor())
            .filter(m -> m[disc] == 1 && m[island] == 1)
            .findFirst()
            .orElseThrow();
    assertThat(before[hole]).isZero();
    List<GeneratedMask> clean = run(model(), SMALL.withMinMaskRegionArea(400), scene.image(), 1);
    List<byte[]> red =
        clean.stream()
            .map(g -> g.segmentation().decodeRowMajor())
            .filter(m -> m[disc] == 1)
            .toList();
    assertThat(red).isNotEmpty();
    for (byte[] m : red) {
      assertThat(m[hole]).isEqualTo((byte) 1);
      assertThat(m[island]).isZero();
    }
    // The cleaned mask's box and area are recomputed.
    for (GeneratedMask g : clean) {
      double[] coco = g.segmentation().bboxXywh();
      assertThat(g.bboxXywh()).containsExactly(coco[0], coco[1], coco[2] - 1, coco[3] - 1);
      assertThat(g.area()).isEqualTo(g.segmentation().area());
    }
  }

  @Test
  void agreesWithALiteralPortOfTheReference() {
    RgbImage three = Scenes.threeShapes().image();
    RgbImage holes = Scenes.holeAndIsland().image();
    // The literal port upsamples every candidate: a few configurations per image keep it quick.
    List<Map.Entry<AmgParams, RgbImage>> cases =
        List.of(
            Map.entry(TINY, three),
            Map.entry(TINY, holes),
            Map.entry(TINY.withCropNLayers(1), three),
            Map.entry(
                TINY.withCropNLayers(2).withCropNPointsDownscaleFactor(2).withPointsPerBatch(37),
                three),
            Map.entry(TINY.withMinMaskRegionArea(400), holes),
            Map.entry(TINY.withMinMaskRegionArea(400).withCropNLayers(1), three),
            Map.entry(TINY.withMultimaskOutput(false), three),
            Map.entry(TINY.withUseM2m(true), holes),
            Map.entry(TINY.withPredIouThresh(0).withStabilityScoreThresh(0), three),
            Map.entry(TINY.withPredIouThresh(0.92).withStabilityScoreOffset(3), holes));
    for (Map.Entry<AmgParams, RgbImage> c : cases) {
      List<GeneratedMask> expected = ReferenceAmg.generate(model(), c.getKey(), c.getValue());
      assertThat(expected).as(c.getKey().fingerprint()).isNotEmpty();
      assertSameMasks(run(model(), c.getKey(), c.getValue(), 1), expected);
    }
  }

  @Test
  void earlyIouFilterGivesTheSameMasksAsFilteringAfterUpsampling() {
    // At 0.92 the dilated (0.9) and whole-image (0.6) candidates never get upsampled; the literal
    // port upsamples them all first. Same output, and the filter did remove candidates.
    AmgParams p = TINY.withPredIouThresh(0.92);
    RgbImage image = Scenes.threeShapes().image();
    List<GeneratedMask> early = run(model(), p, image, 1);
    assertSameMasks(early, ReferenceAmg.generate(model(), p, image));
    assertThat(early).allSatisfy(g -> assertThat(g.predictedIou()).isEqualTo(0.95f));
    assertThat(run(model(), TINY, image, 1))
        .anySatisfy(g -> assertThat(g.predictedIou()).isEqualTo(0.9f));
  }

  @Test
  void outputDoesNotDependOnParallelism() {
    RgbImage image = Scenes.holeAndIsland().image();
    AmgParams p = TINY.withCropNLayers(1).withPointsPerBatch(10).withMinMaskRegionArea(400);
    List<GeneratedMask> one = run(model(), p, image, 1);
    assertThat(one).isNotEmpty();
    for (int threads : new int[] {2, 3, 8}) {
      assertSameMasks(run(model(), p, image, threads), one);
    }
  }

  @Test
  void encodesOncePerCropAndClosesEveryEmbedding() {
    FakeSegmentationModel m = model();
    try (AutomaticMaskGenerator g =
        new AutomaticMaskGenerator(m, SMALL.withCropNLayers(1).withPointsPerBatch(50), 4)) {
      AmgResult r = g.generate(Scenes.threeShapes().image());
      assertThat(m.encodeCalls.get()).isEqualTo(5);
      // 256 points per crop in batches of 50: 6 decodes per crop.
      assertThat(m.decodeCalls.get()).isEqualTo(30);
      assertThat(m.openEmbeddings.get()).isZero();
      assertThat(r.encodeNanos()).isPositive();
      assertThat(r.decodeNanos()).isPositive();
      assertThat(r.postprocessNanos()).isPositive();
      assertThat(r.preprocessNanos()).isPositive();
      assertThat(r.totalNanos()).isGreaterThanOrEqualTo(r.encodeNanos());
    }
  }

  @Test
  void aFailingDecodeClosesTheEmbeddingAndPropagates() {
    FakeSegmentationModel inner = model();
    SegmentationModel failing =
        new SegmentationModel() {
          @Override
          public SegmenterSpec spec() {
            return inner.spec();
          }

          @Override
          public ImageEmbedding encode(PreparedImage image) {
            return inner.encode(image);
          }

          @Override
          public DecodedMasks decode(ImageEmbedding e, PointPrompts prompts) {
            if (inner.decodeCalls.incrementAndGet() == 3) {
              throw new IllegalStateException("device lost");
            }
            return inner.decode(e, prompts);
          }

          @Override
          public void close() {}
        };
    for (int threads : new int[] {1, 4}) {
      try (AutomaticMaskGenerator g =
          new AutomaticMaskGenerator(failing, SMALL.withPointsPerBatch(16), threads)) {
        inner.decodeCalls.set(0);
        assertThatThrownBy(() -> g.generate(Scenes.threeShapes().image()))
            .hasMessage("device lost");
        assertThat(inner.openEmbeddings.get()).isZero();
      }
    }
  }

  @Test
  void singleMaskModeUsesMaskZero() {
    RgbImage image = Scenes.threeShapes().image();
    assertThat(run(model(), SMALL.withMultimaskOutput(false), image, 1))
        .isNotEmpty()
        .allSatisfy(g -> assertThat(g.predictedIou()).isEqualTo(0.95f));
    // With 4 masks per prompt (SAM's raw tokens) mask 0 is the single-mask token...
    FakeSegmentationModel four = new FakeSegmentationModel(128, 4, true);
    assertThat(run(four, SMALL.withMultimaskOutput(false), image, 1))
        .isNotEmpty()
        .allSatisfy(g -> assertThat(g.predictedIou()).isEqualTo(0.93f));
    // ... and multimask mode takes masks 1..3 only.
    List<GeneratedMask> multi = run(four, SMALL, image, 1);
    assertThat(multi).noneSatisfy(g -> assertThat(g.predictedIou()).isEqualTo(0.93f));
    assertSameMasks(multi, run(model(), SMALL, image, 1));
  }

  @Test
  void m2mRefinesEveryCandidateWithItsOwnLogits() {
    FakeSegmentationModel m = model();
    List<GeneratedMask> refined = run(m, SMALL.withUseM2m(true), Scenes.threeShapes().image(), 1);
    assertThat(refined).isNotEmpty().allSatisfy(g -> assertThat(g.predictedIou()).isEqualTo(0.97f));
    // Every one of the 256 x 3 candidates was re-decoded.
    assertThat(m.maskInputPrompts.get()).isEqualTo(256 * 3);
  }

  @Test
  void m2mNeedsAModelThatAcceptsAMaskInput() {
    FakeSegmentationModel noMaskInput = new FakeSegmentationModel(128, 3, false);
    assertThatThrownBy(() -> new AutomaticMaskGenerator(noMaskInput, SMALL.withUseM2m(true)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--use-m2m");
    assertThatThrownBy(() -> new AutomaticMaskGenerator(model(), SMALL.withPointsPerBatch(0)))
        .hasMessageContaining("--points-per-batch");
  }
}
