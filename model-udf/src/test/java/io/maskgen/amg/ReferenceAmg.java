package io.maskgen.amg;

import io.maskgen.amg.SmallRegions.Mode;
import io.maskgen.image.PreparedImage;
import io.maskgen.image.Preprocessing;
import io.maskgen.image.RgbImage;
import io.maskgen.model.DecodedMasks;
import io.maskgen.model.ImageEmbedding;
import io.maskgen.model.PointPrompts;
import io.maskgen.model.SegmentationModel;
import io.maskgen.model.SegmenterSpec;
import io.maskgen.schema.rle.Rle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A literal, slow port of segment-anything's {@code SamAutomaticMaskGenerator} (and SAM 2's m2m)
 * for tests: every candidate is upsampled to a full float mask before any filter, masks are byte
 * arrays until they are padded to the image and encoded, one thread. It shares only the primitives
 * that have their own golden tests (upsample, NMS, small regions, crops, grids, boxes) with the
 * real generator, so agreement checks the orchestration, the early IoU filter and the fused pass.
 */
final class ReferenceAmg {
  private ReferenceAmg() {}

  static List<GeneratedMask> generate(SegmentationModel model, AmgParams p, RgbImage image) {
    SegmenterSpec spec = model.spec();
    int imgH = image.height();
    int imgW = image.width();
    List<CropBox> crops = CropBox.generate(imgH, imgW, p.cropNLayers(), p.cropOverlapRatio());
    List<double[][]> grids =
        p.pointGrids() != null
            ? p.pointGrids()
            : PointGrids.buildAllLayerPointGrids(
                p.pointsPerSide(), p.cropNLayers(), p.cropNPointsDownscaleFactor());
    List<MaskData> all = new ArrayList<>();
    for (CropBox crop : crops) {
      RgbImage cropped = image.crop(crop.x0(), crop.y0(), crop.width(), crop.height());
      PreparedImage prep =
          Preprocessing.prepare(cropped, spec.imageSize(), spec.pixelMean(), spec.pixelStd());
      double[][] grid = grids.get(crop.layer());
      List<MaskData> parts = new ArrayList<>();
      try (ImageEmbedding emb = model.encode(prep)) {
        for (int from = 0; from < grid.length; from += p.pointsPerBatch()) {
          int to = Math.min(grid.length, from + p.pointsPerBatch());
          parts.add(batch(model, emb, p, prep, crop, imgH, imgW, grid, from, to));
        }
      }
      MaskData d = MaskData.cat(parts);
      d = d.filter(BoxNms.nms(d.boxesXyxy(), d.iouPreds(), p.boxNmsThresh()));
      all.add(d.uncropped());
    }
    MaskData data = MaskData.cat(all);
    if (crops.size() > 1) {
      float[] s = new float[data.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = 1f / (float) data.cropBoxes().get(i).area();
      }
      data = data.filter(BoxNms.nms(data.boxesXyxy(), s, p.cropNmsThresh()));
    }
    if (p.minMaskRegionArea() > 0) {
      data =
          smallRegions(data, p.minMaskRegionArea(), Math.max(p.boxNmsThresh(), p.cropNmsThresh()));
    }
    List<GeneratedMask> out = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      Rle rle = data.rles().get(i);
      out.add(
          new GeneratedMask(
              rle,
              Boxes.xyxyToXywh(data.box(i)),
              rle.area(),
              data.iouPreds()[i],
              data.stabilityScores()[i],
              new double[][] {data.point(i)},
              data.cropBoxes().get(i).xywh()));
    }
    return out;
  }

  private static MaskData batch(
      SegmentationModel model,
      ImageEmbedding emb,
      AmgParams p,
      PreparedImage prep,
      CropBox crop,
      int imgH,
      int imgW,
      double[][] grid,
      int from,
      int to) {
    int ch = crop.height();
    int cw = crop.width();
    int b = to - from;
    float[] xy = new float[2 * b];
    for (int i = 0; i < b; i++) {
      double x = grid[from + i][0] * cw;
      double y = grid[from + i][1] * ch;
      xy[2 * i] = (float) (x * ((double) prep.inputWidth() / cw));
      xy[2 * i + 1] = (float) (y * ((double) prep.inputHeight() / ch));
    }
    DecodedMasks d = model.decode(emb, PointPrompts.singlePoints(xy));
    int[] sel = PromptBatch.selectedMasks(d.masksPerPrompt(), p.multimaskOutput());
    MaskUpsampler up =
        MaskUpsampler.create(
            d.height(), d.width(), prep.size(), prep.inputHeight(), prep.inputWidth(), ch, cw);
    int plane = d.height() * d.width();
    // data = MaskData(masks=full-resolution logits, iou_preds, points)
    List<float[]> masks = new ArrayList<>();
    List<float[]> lowRes = new ArrayList<>();
    List<Float> ious = new ArrayList<>();
    List<double[]> points = new ArrayList<>();
    List<Integer> promptOf = new ArrayList<>();
    for (int bi = 0; bi < b; bi++) {
      for (int m : sel) {
        masks.add(up.upsample(d.logits(), d.offset(bi, m)));
        lowRes.add(Arrays.copyOfRange(d.logits(), d.offset(bi, m), d.offset(bi, m) + plane));
        ious.add(d.iouPredictions()[bi * d.masksPerPrompt() + m]);
        points.add(new double[] {grid[from + bi][0] * cw, grid[from + bi][1] * ch});
        promptOf.add(bi);
      }
    }
    if (p.useM2m()) {
      for (int k0 = 0; k0 < masks.size(); k0 += p.pointsPerBatch()) {
        int k1 = Math.min(masks.size(), k0 + p.pointsPerBatch());
        int m = k1 - k0;
        float[] c = new float[2 * m];
        float[] l = new float[m];
        float[] mi = new float[m * plane];
        for (int i = 0; i < m; i++) {
          int bi = promptOf.get(k0 + i);
          c[2 * i] = xy[2 * bi];
          c[2 * i + 1] = xy[2 * bi + 1];
          l[i] = 1;
          float[] lr = lowRes.get(k0 + i);
          for (int j = 0; j < plane; j++) {
            mi[i * plane + j] = Math.max(-32f, Math.min(32f, lr[j]));
          }
        }
        DecodedMasks r = model.decode(emb, new PointPrompts(m, 1, c, l, mi));
        for (int i = 0; i < m; i++) {
          masks.set(k0 + i, up.upsample(r.logits(), r.offset(i, 0)));
          ious.set(k0 + i, r.iouPredictions()[i * r.masksPerPrompt()]);
        }
      }
    }
    float thr = model.spec().maskThreshold();
    float hi = (float) (thr + p.stabilityScoreOffset());
    float lo = (float) (thr - p.stabilityScoreOffset());
    List<Rle> rles = new ArrayList<>();
    List<int[]> boxes = new ArrayList<>();
    List<Float> keptIou = new ArrayList<>();
    List<Float> keptStab = new ArrayList<>();
    List<double[]> keptPts = new ArrayList<>();
    for (int k = 0; k < masks.size(); k++) {
      if (p.predIouThresh() > 0 && !(ious.get(k) > (float) p.predIouThresh())) {
        continue;
      }
      float[] v = masks.get(k);
      int inter = 0;
      int union = 0;
      for (float x : v) {
        inter += x > hi ? 1 : 0;
        union += x > lo ? 1 : 0;
      }
      float stab = (float) inter / (float) union;
      if (p.stabilityScoreThresh() > 0 && !(stab >= (float) p.stabilityScoreThresh())) {
        continue;
      }
      byte[] bin = new byte[v.length];
      for (int i = 0; i < v.length; i++) {
        bin[i] = (byte) (v[i] > thr ? 1 : 0);
      }
      int[] box = Boxes.maskToBoxXyxy(bin, ch, cw);
      if (Boxes.isBoxNearCropEdge(box, crop, imgW, imgH)) {
        continue;
      }
      byte[] padded = new byte[imgH * imgW];
      for (int y = 0; y < ch; y++) {
        System.arraycopy(bin, y * cw, padded, (y + crop.y0()) * imgW + crop.x0(), cw);
      }
      rles.add(Rle.encodeRowMajor(padded, imgH, imgW));
      boxes.add(box);
      keptIou.add(ious.get(k));
      keptStab.add(stab);
      keptPts.add(points.get(k));
    }
    int n = rles.size();
    int[] bx = new int[4 * n];
    float[] io = new float[n];
    float[] st = new float[n];
    double[] pt = new double[2 * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(boxes.get(i), 0, bx, 4 * i, 4);
      io[i] = keptIou.get(i);
      st[i] = keptStab.get(i);
      pt[2 * i] = keptPts.get(i)[0];
      pt[2 * i + 1] = keptPts.get(i)[1];
    }
    return new MaskData(rles, bx, io, st, pt, java.util.Collections.nCopies(n, crop));
  }

  private static MaskData smallRegions(MaskData data, int minArea, double nmsThresh) {
    int n = data.size();
    if (n == 0) {
      return data;
    }
    List<Rle> newMasks = new ArrayList<>();
    int[] boxes = new int[4 * n];
    float[] scores = new float[n];
    for (int i = 0; i < n; i++) {
      SmallRegions.Result h =
          SmallRegions.removeSmallRegions(data.rles().get(i), minArea, Mode.HOLES);
      SmallRegions.Result s = SmallRegions.removeSmallRegions(h.mask(), minArea, Mode.ISLANDS);
      boolean unchanged = !h.changed() && !s.changed();
      newMasks.add(s.mask());
      Rle m = s.mask();
      System.arraycopy(
          Boxes.maskToBoxXyxy(m.decodeRowMajor(), m.height(), m.width()), 0, boxes, 4 * i, 4);
      scores[i] = unchanged ? 1f : 0f;
    }
    int[] keep = BoxNms.nms(boxes, scores, nmsThresh);
    List<Rle> rles = new ArrayList<>(data.rles());
    int[] bx = data.boxesXyxy().clone();
    for (int i : keep) {
      if (scores[i] == 0f) {
        rles.set(i, newMasks.get(i));
        System.arraycopy(boxes, 4 * i, bx, 4 * i, 4);
      }
    }
    return data.withMasks(rles, bx).filter(keep);
  }
}
