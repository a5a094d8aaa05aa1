package io.maskgen.amg;

import io.maskgen.amg.MaskUpsampler.Thresholds;
import io.maskgen.amg.SmallRegions.Mode;
import io.maskgen.image.PreparedImage;
import io.maskgen.image.Preprocessing;
import io.maskgen.image.RgbImage;
import io.maskgen.model.ImageEmbedding;
import io.maskgen.model.SegmentationModel;
import io.maskgen.model.SegmenterSpec;
import io.maskgen.schema.rle.Rle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The automatic mask generator of segment-anything ({@code SamAutomaticMaskGenerator.generate}),
 * with SAM 2's {@code multimask_output} and {@code use_m2m}: prompts the model with a grid of
 * points on the image and on zoomed crops, keeps confident and stable masks, and removes
 * duplicates.
 *
 * <p>Per crop: crop, {@link Preprocessing#prepare}, encode once, decode the grid in batches of
 * {@code pointsPerBatch}, screen each batch's candidates ({@link PromptBatch}), then the stability
 * filter and NMS inside the crop, which binarises only the candidates NMS has not suppressed
 * ({@link Candidates#select}). Then
 * NMS across crops (smaller crops win), then small-region removal. Batches of a crop are decoded
 * and post-processed on up to {@code parallelism} threads; results are gathered in batch order, so
 * the output does not depend on the parallelism. For a model whose calls run one at a time on an
 * accelerator ({@link SegmentationModel#serialisesCalls}) the calling thread issues the decoder
 * calls back to back and the threads post-process behind it ({@link TaskRunner#runFed}).
 *
 * <p>The model must accept concurrent {@code decode} calls on one embedding when parallelism is
 * above 1 (the {@link SegmentationModel} contract). The generator owns a thread pool when
 * parallelism is above 1: close it. {@link #generate} may be called from several threads.
 */
public final class AutomaticMaskGenerator implements AutoCloseable {
  private final SegmentationModel model;
  private final AmgParams params;
  private final SegmenterSpec spec;
  private final Thresholds thresholds;
  private final TaskRunner runner;

  /** A generator that runs everything on the calling thread. */
  public AutomaticMaskGenerator(SegmentationModel model, AmgParams params) {
    this(model, params, 1);
  }

  /**
   * A generator that decodes and post-processes up to {@code parallelism} prompt batches at once.
   *
   * @throws IllegalArgumentException if a parameter is invalid or {@code useM2m} is set for a model
   *     without mask input
   */
  public AutomaticMaskGenerator(SegmentationModel model, AmgParams params, int parallelism) {
    this.model = model;
    this.spec = model.spec();
    this.params = params.validateFor(spec);
    this.thresholds = Thresholds.of(spec.maskThreshold(), params.stabilityScoreOffset());
    this.runner = new TaskRunner(parallelism);
  }

  public AmgParams params() {
    return params;
  }

  /**
   * Generates the masks of one image.
   *
   * @return masks in the reference's order: by crop area ascending when there are several crops
   *     (masks of the same crop area keep their order), within a crop by predicted IoU descending
   *     (ties in prompt order); with {@code minMaskRegionArea > 0}, masks left unchanged by the
   *     region cleanup come before changed ones
   */
  public AmgResult generate(RgbImage image) {
    long start = System.nanoTime();
    Timings t = new Timings();
    List<CropBox> crops =
        CropBox.generate(
            image.height(), image.width(), params.cropNLayers(), params.cropOverlapRatio());
    List<double[][]> grids = params.layerPointGrids();
    List<MaskData> perCrop = new ArrayList<>(crops.size());
    for (CropBox crop : crops) {
      perCrop.add(processCrop(image, crop, grids.get(crop.layer()), t));
    }
    long p0 = System.nanoTime();
    MaskData data = MaskData.cat(perCrop);
    if (crops.size() > 1) {
      data =
          data.filter(BoxNms.nms(data.boxesXyxy(), inverseCropAreas(data), params.cropNmsThresh()));
    }
    t.postprocess += System.nanoTime() - p0;
    if (params.minMaskRegionArea() > 0) {
      long p1 = System.nanoTime();
      data =
          removeSmallRegions(
              data,
              params.minMaskRegionArea(),
              Math.max(params.boxNmsThresh(), params.cropNmsThresh()));
      t.postprocess += System.nanoTime() - p1;
    }
    List<GeneratedMask> masks = new ArrayList<>(data.size());
    for (int i = 0; i < data.size(); i++) {
      Rle rle = data.rles().get(i);
      masks.add(
          new GeneratedMask(
              rle,
              Boxes.xyxyToXywh(data.box(i)),
              rle.area(),
              data.iouPreds()[i],
              data.stabilityScores()[i],
              new double[][] {data.point(i)},
              data.cropBoxes().get(i).xywh()));
    }
    return new AmgResult(
        masks, t.preprocess, t.encode, t.decode, t.postprocess, System.nanoTime() - start);
  }

  /** {@code _process_crop}: rows with masks, boxes and points in the image frame. */
  private MaskData processCrop(RgbImage image, CropBox crop, double[][] grid, Timings t) {
    long t0 = System.nanoTime();
    RgbImage cropped = image.crop(crop.x0(), crop.y0(), crop.width(), crop.height());
    PreparedImage prepared =
        Preprocessing.prepare(cropped, spec.imageSize(), spec.pixelMean(), spec.pixelStd());
    long t1 = System.nanoTime();
    t.preprocess += t1 - t0;
    double[][] points = new double[grid.length][];
    for (int i = 0; i < grid.length; i++) {
      points[i] = new double[] {grid[i][0] * crop.width(), grid[i][1] * crop.height()};
    }
    List<PromptBatch.Output> outputs;
    try (ImageEmbedding embedding = model.encode(prepared)) {
      t.encode += System.nanoTime() - t1;
      PromptBatch.CropContext ctx =
          new PromptBatch.CropContext(
              model,
              embedding,
              params,
              thresholds,
              crop,
              image.height(),
              image.width(),
              prepared.size(),
              prepared.inputHeight(),
              prepared.inputWidth());
      int per = params.pointsPerBatch();
      int batches = (points.length + per - 1) / per;
      if (model.serialisesCalls()) {
        // One thread keeps the accelerator fed; the pool post-processes behind it.
        outputs =
            runner.runFed(
                batches,
                i -> PromptBatch.decode(ctx, points, i * per, Math.min(points.length, i * per + per)),
                d -> PromptBatch.screen(ctx, points, d));
      } else {
        List<Callable<PromptBatch.Output>> tasks = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
          int f = i * per;
          int to = Math.min(points.length, f + per);
          tasks.add(() -> PromptBatch.run(ctx, points, f, to));
        }
        outputs = runner.runAll(tasks);
      }
    }
    long t2 = System.nanoTime();
    List<Candidates> parts = new ArrayList<>(outputs.size());
    for (PromptBatch.Output o : outputs) {
      parts.add(o.candidates());
      t.decode += o.decodeNanos();
      t.postprocess += o.postprocessNanos();
    }
    MaskData data =
        Candidates.cat(parts)
            .select(params, thresholds, crop, image.height(), image.width())
            .uncropped();
    t.postprocess += System.nanoTime() - t2;
    return data;
  }

  /** NMS scores across crops: {@code 1 / crop area} in float32, so smaller crops win. */
  static float[] inverseCropAreas(MaskData data) {
    float[] s = new float[data.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = 1f / (float) data.cropBoxes().get(i).area();
    }
    return s;
  }

  /**
   * {@code postprocess_small_regions}: per mask, fill small holes then remove small islands; NMS
   * over the new boxes preferring unchanged masks (score 1) to changed ones (score 0); kept changed
   * masks get their new mask and box.
   */
  MaskData removeSmallRegions(MaskData data, int minArea, double nmsThresh) {
    int n = data.size();
    if (n == 0) {
      return data;
    }
    int chunk = Math.max(1, (n + 4 * runner.parallelism() - 1) / (4 * runner.parallelism()));
    List<Callable<Rle[]>> tasks = new ArrayList<>();
    boolean[] changed = new boolean[n];
    for (int from = 0; from < n; from += chunk) {
      int f = from;
      int to = Math.min(n, from + chunk);
      tasks.add(
          () -> {
            Rle[] out = new Rle[to - f];
            for (int i = f; i < to; i++) {
              SmallRegions.Result holes =
                  SmallRegions.removeSmallRegions(data.rles().get(i), minArea, Mode.HOLES);
              SmallRegions.Result islands =
                  SmallRegions.removeSmallRegions(holes.mask(), minArea, Mode.ISLANDS);
              changed[i] = holes.changed() || islands.changed();
              out[i - f] = islands.mask();
            }
            return out;
          });
    }
    List<Rle> masks = new ArrayList<>(n);
    for (Rle[] part : runner.runAll(tasks)) {
      masks.addAll(List.of(part));
    }
    int[] boxes = new int[4 * n];
    float[] scores = new float[n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(Boxes.rleToBoxXyxy(masks.get(i)), 0, boxes, 4 * i, 4);
      scores[i] = changed[i] ? 0f : 1f;
    }
    int[] keep = BoxNms.nms(boxes, scores, nmsThresh);
    List<Rle> rles = new ArrayList<>(data.rles());
    int[] outBoxes = data.boxesXyxy().clone();
    for (int i : keep) {
      if (changed[i]) {
        rles.set(i, masks.get(i));
        System.arraycopy(boxes, 4 * i, outBoxes, 4 * i, 4);
      }
    }
    return data.withMasks(rles, outBoxes).filter(keep);
  }

  /** Releases the thread pool; the model stays open (its owner closes it). */
  @Override
  public void close() {
    runner.close();
  }

  /** Stage times of one {@link #generate} call, summed over threads. */
  private static final class Timings {
    long preprocess;
    long encode;
    long decode;
    long postprocess;
  }
}
