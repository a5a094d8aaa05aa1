package io.maskgen.amg;

import io.maskgen.amg.MaskUpsampler.Thresholds;
import io.maskgen.model.DecodedMasks;
import io.maskgen.model.ImageEmbedding;
import io.maskgen.model.PointPrompts;
import io.maskgen.model.SegmentationModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * segment-anything's {@code _process_batch}, first half: decodes one batch of point prompts on a
 * crop's embedding, drops candidates under the predicted-IoU threshold (which needs no pixels),
 * screens the others ({@link MaskUpsampler#screen}: the exact box, compacted logits) and drops
 * those near a crop edge. The stability filter and the masks wait for the crop's NMS ({@link
 * Candidates#select}), which asks for them only for boxes it has not suppressed; the result is the
 * reference's.
 */
final class PromptBatch {

  /**
   * Everything a batch needs about its crop.
   *
   * @param inputSize S, the model input side
   * @param inputHeight height of the resized crop in the S x S input
   * @param inputWidth width of the resized crop in the S x S input
   */
  record CropContext(
      SegmentationModel model,
      ImageEmbedding embedding,
      AmgParams params,
      Thresholds thresholds,
      CropBox crop,
      int imageHeight,
      int imageWidth,
      int inputSize,
      int inputHeight,
      int inputWidth) {}

  /** The candidates of one batch and the time spent decoding and screening them. */
  record Output(Candidates candidates, long decodeNanos, long postprocessNanos) {}

  private PromptBatch() {}

  /**
   * Processes prompts {@code points[from..to)}, each {@code [x, y]} in the crop's frame.
   *
   * @return candidates with boxes and points in the crop's frame
   */
  static Output run(CropContext ctx, double[][] points, int from, int to) {
    return screen(ctx, points, decode(ctx, points, from, to));
  }

  /** A batch's decoder output, waiting to be screened. */
  record Decoded(int from, int to, float[] xy, DecodedMasks masks, long decodeNanos) {}

  /** The model half of {@link #run}: one decoder call on prompts {@code points[from..to)}. */
  static Decoded decode(CropContext ctx, double[][] points, int from, int to) {
    int b = to - from;
    // Points into the model input frame: point * (resized / original), as apply_coords does.
    double sx = (double) ctx.inputWidth() / ctx.crop().width();
    double sy = (double) ctx.inputHeight() / ctx.crop().height();
    float[] xy = new float[2 * b];
    for (int i = 0; i < b; i++) {
      xy[2 * i] = (float) (points[from + i][0] * sx);
      xy[2 * i + 1] = (float) (points[from + i][1] * sy);
    }
    long t0 = System.nanoTime();
    DecodedMasks decoded = ctx.model().decode(ctx.embedding(), PointPrompts.singlePoints(xy));
    long decodeNanos = System.nanoTime() - t0;
    checkBatch(decoded, b);
    return new Decoded(from, to, xy, decoded, decodeNanos);
  }

  /**
   * The post-processing half of {@link #run} (with SAM 2's refinement, which calls the model
   * again, when {@code useM2m} is set).
   */
  static Output screen(CropContext ctx, double[][] points, Decoded d) {
    AmgParams p = ctx.params();
    int from = d.from();
    int b = d.to() - d.from();
    float[] xy = d.xy();
    DecodedMasks decoded = d.masks();
    long decodeNanos = d.decodeNanos();

    // Candidates (prompt, mask) in the reference's order: prompt-major, mask-minor.
    int[] maskIdx = selectedMasks(decoded.masksPerPrompt(), p.multimaskOutput());
    int n = b * maskIdx.length;
    int[] prompt = new int[n];
    float[] logits = decoded.logits();
    int[] offset = new int[n];
    float[] iou = new float[n];
    for (int k = 0; k < n; k++) {
      int bi = k / maskIdx.length;
      int m = maskIdx[k % maskIdx.length];
      prompt[k] = bi;
      offset[k] = decoded.offset(bi, m);
      iou[k] = decoded.iouPredictions()[bi * decoded.masksPerPrompt() + m];
    }
    int lowH = decoded.height();
    int lowW = decoded.width();
    if (p.useM2m()) {
      long t1 = System.nanoTime();
      Refined r = refine(ctx, xy, prompt, logits, offset, lowH, lowW);
      decodeNanos += System.nanoTime() - t1;
      logits = r.logits;
      offset = r.offset;
      iou = r.iou;
    }
    decoded = null; // The raw decoder output is no longer needed.

    long t2 = System.nanoTime();
    MaskUpsampler up =
        MaskUpsampler.create(
            lowH,
            lowW,
            ctx.inputSize(),
            ctx.inputHeight(),
            ctx.inputWidth(),
            ctx.crop().height(),
            ctx.crop().width());
    float iouThresh = (float) p.predIouThresh();
    int[] boxes = new int[4 * n];
    float[] keptIou = new float[n];
    double[] keptPoints = new double[2 * n];
    List<CompactLogits> kept = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      // Comparisons in float32, as PyTorch compares a float32 tensor with a Python float.
      if (p.predIouThresh() > 0 && !(iou[k] > iouThresh)) {
        continue;
      }
      MaskUpsampler.Screened mask = up.screen(logits, offset[k], ctx.thresholds());
      if (Boxes.isBoxNearCropEdge(
          mask.boxXyxy(), ctx.crop(), ctx.imageWidth(), ctx.imageHeight())) {
        continue;
      }
      int at = kept.size();
      kept.add(mask.logits());
      System.arraycopy(mask.boxXyxy(), 0, boxes, 4 * at, 4);
      keptIou[at] = iou[k];
      keptPoints[2 * at] = points[from + prompt[k]][0];
      keptPoints[2 * at + 1] = points[from + prompt[k]][1];
    }
    int m = kept.size();
    Candidates out =
        new Candidates(
            up,
            kept,
            Arrays.copyOf(boxes, 4 * m),
            Arrays.copyOf(keptIou, m),
            Arrays.copyOf(keptPoints, 2 * m));
    return new Output(out, decodeNanos, System.nanoTime() - t2);
  }

  /**
   * Which decoder masks are candidates. A decoder that returns 4 masks per prompt is taken to
   * return SAM's raw tokens: mask 0 is the single-mask output, masks 1..3 the multimask outputs.
   * Otherwise every mask is a multimask output, and single-mask mode takes mask 0.
   */
  static int[] selectedMasks(int masksPerPrompt, boolean multimask) {
    if (!multimask) {
      return new int[] {0};
    }
    if (masksPerPrompt == 4) {
      return new int[] {1, 2, 3};
    }
    int[] all = new int[masksPerPrompt];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    return all;
  }

  private record Refined(float[] logits, int[] offset, float[] iou) {}

  /**
   * SAM 2's {@code refine_with_m2m}: re-decodes every candidate with its own prompt point and its
   * low-res logits (clamped to [-32, 32]) as the mask prompt, in single-mask mode, in batches of
   * {@code pointsPerBatch}.
   */
  private static Refined refine(
      CropContext ctx, float[] xy, int[] prompt, float[] logits, int[] offset, int lowH, int lowW) {
    int n = prompt.length;
    int plane = lowH * lowW;
    float[] outLogits = new float[n * plane];
    int[] outOffset = new int[n];
    float[] outIou = new float[n];
    int batch = ctx.params().pointsPerBatch();
    for (int from = 0; from < n; from += batch) {
      int to = Math.min(n, from + batch);
      int m = to - from;
      float[] coords = new float[2 * m];
      float[] labels = new float[m];
      float[] maskInput = new float[m * plane];
      for (int i = 0; i < m; i++) {
        int k = from + i;
        coords[2 * i] = xy[2 * prompt[k]];
        coords[2 * i + 1] = xy[2 * prompt[k] + 1];
        labels[i] = 1f;
        for (int j = 0; j < plane; j++) {
          maskInput[i * plane + j] = Math.max(-32f, Math.min(32f, logits[offset[k] + j]));
        }
      }
      DecodedMasks d =
          ctx.model().decode(ctx.embedding(), new PointPrompts(m, 1, coords, labels, maskInput));
      checkBatch(d, m);
      if (d.height() != lowH || d.width() != lowW) {
        throw new IllegalStateException(
            "Refinement masks are "
                + d.height()
                + "x"
                + d.width()
                + ", expected "
                + lowH
                + "x"
                + lowW);
      }
      for (int i = 0; i < m; i++) {
        int k = from + i;
        System.arraycopy(d.logits(), d.offset(i, 0), outLogits, k * plane, plane);
        outOffset[k] = k * plane;
        outIou[k] = d.iouPredictions()[i * d.masksPerPrompt()];
      }
    }
    return new Refined(outLogits, outOffset, outIou);
  }

  private static void checkBatch(DecodedMasks d, int prompts) {
    if (d.batch() != prompts || d.masksPerPrompt() < 1) {
      throw new IllegalStateException(
          "Decoder returned "
              + d.batch()
              + " x "
              + d.masksPerPrompt()
              + " masks for "
              + prompts
              + " prompts");
    }
  }
}
