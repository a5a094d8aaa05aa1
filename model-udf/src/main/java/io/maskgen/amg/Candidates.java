package io.maskgen.amg;

import io.maskgen.amg.MaskUpsampler.Binarized;
import io.maskgen.amg.MaskUpsampler.Thresholds;
import io.maskgen.schema.rle.Rle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A crop's screened candidates ({@link PromptBatch}): each with its exact box, predicted IoU,
 * prompt point and compacted logits, in the reference's order (batch, prompt, mask).
 *
 * @param upsampler the crop's upsampling (null when there are no candidates)
 * @param boxesXyxy 4 ints per candidate, in the crop's frame
 * @param pointsXy 2 doubles per candidate, in the crop's frame
 */
record Candidates(
    MaskUpsampler upsampler,
    List<CompactLogits> logits,
    int[] boxesXyxy,
    float[] iouPreds,
    double[] pointsXy) {

  int size() {
    return iouPreds.length;
  }

  /** All candidates of {@code parts}, in order. */
  static Candidates cat(List<Candidates> parts) {
    MaskUpsampler up = null;
    List<CompactLogits> logits = new ArrayList<>();
    int n = 0;
    for (Candidates c : parts) {
      n += c.size();
      if (up == null && c.size() > 0) {
        up = c.upsampler;
      }
    }
    int[] boxes = new int[4 * n];
    float[] iou = new float[n];
    double[] points = new double[2 * n];
    int at = 0;
    for (Candidates c : parts) {
      int m = c.size();
      logits.addAll(c.logits);
      System.arraycopy(c.boxesXyxy, 0, boxes, 4 * at, 4 * m);
      System.arraycopy(c.iouPreds, 0, iou, at, m);
      System.arraycopy(c.pointsXy, 0, points, 2 * at, 2 * m);
      at += m;
    }
    return new Candidates(up, logits, boxes, iou, points);
  }

  /**
   * The rest of segment-anything's {@code _process_batch} and the crop's NMS: the stability filter,
   * then box NMS by predicted IoU. The NMS runs first and asks for a candidate's stability score
   * only when no kept box suppresses it ({@link BoxNms#nms(int[], float[], double,
   * java.util.function.IntPredicate)}), so only those candidates are binarised; the kept rows are
   * exactly those of filtering every candidate and then running NMS.
   *
   * @return kept rows by predicted IoU descending, masks in the image frame, boxes and points in
   *     the crop's frame
   */
  MaskData select(
      AmgParams params,
      Thresholds thresholds,
      CropBox crop,
      int imageHeight,
      int imageWidth) {
    int n = size();
    float stabilityThresh = (float) params.stabilityScoreThresh();
    Binarized[] masks = new Binarized[n];
    int[] keep =
        BoxNms.nms(
            boxesXyxy,
            iouPreds,
            params.boxNmsThresh(),
            i -> {
              Binarized b =
                  upsampler.binarize(
                      logits.get(i), thresholds, crop.x0(), crop.y0(), imageHeight, imageWidth);
              if (!Arrays.equals(b.boxXyxy(), 0, 4, boxesXyxy, 4 * i, 4 * i + 4)) {
                throw new IllegalStateException(
                    "Screened box "
                        + Arrays.toString(Arrays.copyOfRange(boxesXyxy, 4 * i, 4 * i + 4))
                        + " differs from the mask's "
                        + Arrays.toString(b.boxXyxy()));
              }
              masks[i] = b;
              // Comparisons in float32, like the reference's.
              return !(params.stabilityScoreThresh() > 0
                  && !(b.stabilityScore() >= stabilityThresh));
            });
    List<Rle> rles = new ArrayList<>(keep.length);
    int[] boxes = new int[4 * keep.length];
    float[] iou = new float[keep.length];
    float[] stability = new float[keep.length];
    double[] points = new double[2 * keep.length];
    for (int k = 0; k < keep.length; k++) {
      int i = keep[k];
      rles.add(masks[i].rle());
      System.arraycopy(boxesXyxy, 4 * i, boxes, 4 * k, 4);
      iou[k] = iouPreds[i];
      stability[k] = masks[i].stabilityScore();
      points[2 * k] = pointsXy[2 * i];
      points[2 * k + 1] = pointsXy[2 * i + 1];
    }
    return new MaskData(
        rles, boxes, iou, stability, points, Collections.nCopies(keep.length, crop));
  }
}
