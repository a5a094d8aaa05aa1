package io.maskgen.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskgen.amg.AmgParams;
import io.maskgen.amg.AmgResult;
import io.maskgen.amg.AutomaticMaskGenerator;
import io.maskgen.amg.GeneratedMask;
import io.maskgen.clip.MaskCrops;
import io.maskgen.model.ClipModel;
import io.maskgen.model.SegmentationModel;
import io.maskgen.model.djl.DeviceChoice;
import io.maskgen.model.djl.ModelPackages;
import io.maskgen.schema.rle.Rle;
import io.maskgen.schema.rle.RleOps;
import io.maskgen.synth.SyntheticScenes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped tiny-sam with the reference generator's default parameters on 50 synthetic scenes
 * with ground truth (3 to 6 flat-coloured shapes each, of different sizes, touching, overlapping
 * and cut by the image edge): most objects are found, each by one mask, and both engines give the
 * same masks.
 */
class ShippedModelsQualityIT {

  static final int SCENES = 50;
  static final int W = 400;
  static final int H = 300;

  static SegmentationModel onnx;
  static SegmentationModel torch;
  static List<AmgResult> onnxResults = new ArrayList<>();
  static List<SyntheticScenes.Scene> scenes = new ArrayList<>();

  @BeforeAll
  static void generate() {
    onnx = ModelPackages.loadSegmenter(ShippedModels.dir("tiny-sam"), DeviceChoice.CPU);
    torch = ModelPackages.loadSegmenter(ShippedModels.dir("tiny-sam-torchscript"), DeviceChoice.CPU);
    try (AutomaticMaskGenerator g = new AutomaticMaskGenerator(onnx, AmgParams.defaults(), 2)) {
      for (int s = 0; s < SCENES; s++) {
        SyntheticScenes.Scene scene = SyntheticScenes.generate(1000 + s, W, H);
        scenes.add(scene);
        onnxResults.add(g.generate(scene.image()));
      }
    }
  }

  @AfterAll
  static void close() {
    onnx.close();
    torch.close();
  }

  @Test
  void findsAtLeast95PercentOfObjectsAtMaskIou90AndMostByOneMask() {
    int objects = 0;
    int found = 0;
    int single = 0;
    for (int s = 0; s < SCENES; s++) {
      List<GeneratedMask> masks = onnxResults.get(s).masks();
      for (SyntheticScenes.GroundTruth gt : scenes.get(s).objects()) {
        Rle truth = Rle.encodeRowMajor(gt.mask(), H, W);
        double best = 0;
        int matching = 0;
        for (GeneratedMask m : masks) {
          double iou = RleOps.iou(truth, m.segmentation());
          best = Math.max(best, iou);
          if (iou >= 0.5) {
            matching++;
          }
        }
        objects++;
        found += best >= 0.9 ? 1 : 0;
        single += matching <= 1 ? 1 : 0;
      }
    }
    double recall = found / (double) objects;
    double oneMask = single / (double) objects;
    System.out.printf("tiny-sam on %d scenes: %d objects, recall@0.9 %.3f, one mask per object %.3f%n",
        SCENES, objects, recall, oneMask);
    assertThat(recall).isGreaterThanOrEqualTo(0.95);
    assertThat(oneMask).isGreaterThanOrEqualTo(0.90);
  }

  @Test
  void shippedClipRanksTheObjectOfTheQueriedColourFirst() {
    int queries = 0;
    int right = 0;
    try (ClipModel clip = ModelPackages.loadClip(ShippedModels.dir("tiny-clip"), DeviceChoice.CPU)) {
      MaskCrops crops = MaskCrops.of(clip.spec(), MaskCrops.Background.GRAY);
      for (int s = 0; s < SCENES; s++) {
        List<GeneratedMask> masks = onnxResults.get(s).masks();
        float[] batch = new float[masks.size() * crops.floatsPerCrop()];
        for (int i = 0; i < masks.size(); i++) {
          crops.write(scenes.get(s).image(), masks.get(i).segmentation(), batch,
              i * crops.floatsPerCrop());
        }
        float[][] embeddings = clip.embedImages(batch, masks.size());
        for (SyntheticScenes.GroundTruth gt : scenes.get(s).objects()) {
          float[] text = clip.embedText(gt.colour().word());
          int best = 0;
          for (int i = 1; i < masks.size(); i++) {
            if (dot(embeddings[i], text) > dot(embeddings[best], text)) {
              best = i;
            }
          }
          Rle truth = Rle.encodeRowMajor(gt.mask(), H, W);
          queries++;
          right += RleOps.iou(truth, masks.get(best).segmentation()) >= 0.5 ? 1 : 0;
        }
      }
    }
    double share = right / (double) queries;
    System.out.printf("tiny-clip: the top mask is the queried colour's object in %d/%d = %.3f%n",
        right, queries, share);
    assertThat(share).isGreaterThanOrEqualTo(0.95);
  }

  static double dot(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d += a[i] * b[i];
    }
    return d;
  }

  @Test
  void torchScriptAndOnnxGiveTheSameMasks() {
    try (AutomaticMaskGenerator g = new AutomaticMaskGenerator(torch, AmgParams.defaults(), 2)) {
      for (int s = 0; s < SCENES; s++) {
        List<GeneratedMask> a = onnxResults.get(s).masks();
        List<GeneratedMask> b = g.generate(scenes.get(s).image()).masks();
        assertThat(b).as("scene %d", s).hasSameSizeAs(a);
        for (int i = 0; i < a.size(); i++) {
          assertThat(b.get(i).segmentation()).as("scene %d mask %d", s, i)
              .isEqualTo(a.get(i).segmentation());
          assertThat(b.get(i).predictedIou()).isCloseTo(a.get(i).predictedIou(),
              org.assertj.core.data.Offset.offset(1e-4f));
        }
      }
    }
  }
}
