package io.maskgen.amg;

import io.maskgen.model.SegmenterSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Parameters of the automatic mask generator, with the defaults of segment-anything's {@code
 * SamAutomaticMaskGenerator} plus SAM 2's {@code multimask_output} and {@code use_m2m}. The mask
 * threshold is not a parameter: it comes from the model ({@link SegmenterSpec#maskThreshold()}).
 *
 * <p>Each parameter has a command-line name ({@code --pred-iou-thresh}, ...) used in validation
 * messages. Build with {@link #defaults()} and the {@code withXxx} methods or {@link #builder()};
 * call {@link #validate()} (the generator does) before use.
 *
 * @param pointsPerSide n: layer 0 prompts an n x n grid; 0 when {@link #pointGrids} are given
 * @param pointsPerBatch prompts decoded together
 * @param predIouThresh keep masks whose predicted IoU is {@code >} this (0 disables the filter)
 * @param stabilityScoreThresh keep masks whose stability score is {@code >=} this (0 disables)
 * @param stabilityScoreOffset logit offset of the stability score
 * @param boxNmsThresh box IoU above which NMS inside one crop suppresses a mask
 * @param cropNLayers extra layers of crops; layer i has (2^i)^2 crops
 * @param cropNmsThresh box IoU above which NMS across crops suppresses a mask
 * @param cropOverlapRatio crop overlap as a fraction of the image's short side (layer 1)
 * @param cropNPointsDownscaleFactor layer i prompts {@code pointsPerSide / factor^i} points per
 *     side
 * @param pointGrids explicit grids, one per layer (index = layer), each an array of {@code [x, y]}
 *     points in [0, 1] relative to the crop; null to build grids from {@code pointsPerSide}
 * @param minMaskRegionArea if > 0, remove holes and islands smaller than this many pixels
 * @param multimaskOutput decode every mask per prompt (true) or only mask 0 (false)
 * @param useM2m SAM 2's refinement: re-decode every candidate with its own low-res logits as mask
 *     prompt in single-mask mode before filtering; needs a model that accepts a mask input
 */
public record AmgParams(
    int pointsPerSide,
    int pointsPerBatch,
    double predIouThresh,
    double stabilityScoreThresh,
    double stabilityScoreOffset,
    double boxNmsThresh,
    int cropNLayers,
    double cropNmsThresh,
    double cropOverlapRatio,
    int cropNPointsDownscaleFactor,
    List<double[][]> pointGrids,
    int minMaskRegionArea,
    boolean multimaskOutput,
    boolean useM2m)
    implements java.io.Serializable {

  /** Most crop layers accepted: layer 5 already has 1024 crops. */
  public static final int MAX_CROP_LAYERS = 5;

  /** Most points per side accepted (a 1024 x 1024 grid is a million prompts per crop). */
  public static final int MAX_POINTS_PER_SIDE = 1024;

  public AmgParams {
    // Not List.copyOf: a null grid must reach validate() and its message, not fail here.
    pointGrids =
        pointGrids == null ? null : Collections.unmodifiableList(new ArrayList<>(pointGrids));
  }

  /** The reference defaults: 32 x 32 points, batches of 64, IoU 0.88, stability 0.95, ... */
  public static AmgParams defaults() {
    return new AmgParams(
        32, 64, 0.88, 0.95, 1.0, 0.7, 0, 0.7, 512.0 / 1500, 1, null, 0, true, false);
  }

  /** A builder starting from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder(defaults());
  }

  /** A builder starting from these parameters. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  public AmgParams withPointsPerSide(int v) {
    return toBuilder().pointsPerSide(v).build();
  }

  public AmgParams withPointsPerBatch(int v) {
    return toBuilder().pointsPerBatch(v).build();
  }

  public AmgParams withPredIouThresh(double v) {
    return toBuilder().predIouThresh(v).build();
  }

  public AmgParams withStabilityScoreThresh(double v) {
    return toBuilder().stabilityScoreThresh(v).build();
  }

  public AmgParams withStabilityScoreOffset(double v) {
    return toBuilder().stabilityScoreOffset(v).build();
  }

  public AmgParams withBoxNmsThresh(double v) {
    return toBuilder().boxNmsThresh(v).build();
  }

  public AmgParams withCropNLayers(int v) {
    return toBuilder().cropNLayers(v).build();
  }

  public AmgParams withCropNmsThresh(double v) {
    return toBuilder().cropNmsThresh(v).build();
  }

  public AmgParams withCropOverlapRatio(double v) {
    return toBuilder().cropOverlapRatio(v).build();
  }

  public AmgParams withCropNPointsDownscaleFactor(int v) {
    return toBuilder().cropNPointsDownscaleFactor(v).build();
  }

  /** Explicit grids, one per layer; also sets {@code pointsPerSide} to 0 (they are exclusive). */
  public AmgParams withPointGrids(List<double[][]> grids) {
    return toBuilder().pointGrids(grids).build();
  }

  public AmgParams withMinMaskRegionArea(int v) {
    return toBuilder().minMaskRegionArea(v).build();
  }

  public AmgParams withMultimaskOutput(boolean v) {
    return toBuilder().multimaskOutput(v).build();
  }

  public AmgParams withUseM2m(boolean v) {
    return toBuilder().useM2m(v).build();
  }

  /**
   * Checks every parameter.
   *
   * @return this
   * @throws IllegalArgumentException naming the parameter, the value and the allowed range
   */
  public AmgParams validate() {
    if (pointGrids == null) {
      checkInt("--points-per-side", pointsPerSide, 1, MAX_POINTS_PER_SIDE);
    } else if (pointsPerSide != 0) {
      throw new IllegalArgumentException(
          "Invalid --points-per-side: "
              + pointsPerSide
              + " together with --point-grids (exactly one of them may be set)");
    }
    checkInt("--points-per-batch", pointsPerBatch, 1, Integer.MAX_VALUE);
    checkUnit("--pred-iou-thresh", predIouThresh);
    checkUnit("--stability-score-thresh", stabilityScoreThresh);
    if (!(stabilityScoreOffset >= 0 && Double.isFinite(stabilityScoreOffset))) {
      throw invalid("--stability-score-offset", stabilityScoreOffset, "a finite number >= 0");
    }
    checkUnit("--box-nms-thresh", boxNmsThresh);
    checkInt("--crop-n-layers", cropNLayers, 0, MAX_CROP_LAYERS);
    checkUnit("--crop-nms-thresh", cropNmsThresh);
    if (!(cropOverlapRatio >= 0 && cropOverlapRatio < 1)) {
      throw invalid("--crop-overlap-ratio", cropOverlapRatio, "[0, 1)");
    }
    checkInt("--crop-n-points-downscale-factor", cropNPointsDownscaleFactor, 1, Integer.MAX_VALUE);
    if (pointGrids == null) {
      int deepest =
          PointGrids.pointsPerSideOfLayer(pointsPerSide, cropNLayers, cropNPointsDownscaleFactor);
      if (deepest < 1) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "Invalid --crop-n-points-downscale-factor: %d leaves int(%d / %d^%d) = 0 points per"
                    + " side in crop layer %d (allowed: a factor that keeps at least 1)",
                cropNPointsDownscaleFactor,
                pointsPerSide,
                cropNPointsDownscaleFactor,
                cropNLayers,
                cropNLayers));
      }
    } else {
      checkGrids();
    }
    checkInt("--min-mask-region-area", minMaskRegionArea, 0, Integer.MAX_VALUE);
    return this;
  }

  /**
   * Checks the parameters against the model they will run with.
   *
   * @throws IllegalArgumentException if {@code useM2m} is set for a model without mask input
   */
  public AmgParams validateFor(SegmenterSpec spec) {
    validate();
    if (useM2m && !spec.acceptsMaskInput()) {
      throw new IllegalArgumentException(
          "Invalid --use-m2m: true, but model '"
              + spec.name()
              + "' does not accept a mask input (allowed: false for this model)");
    }
    return this;
  }

  /** The point grid of every crop layer, index = layer, points {@code [x, y]} in [0, 1]. */
  public List<double[][]> layerPointGrids() {
    if (pointGrids != null) {
      return pointGrids;
    }
    return PointGrids.buildAllLayerPointGrids(
        pointsPerSide, cropNLayers, cropNPointsDownscaleFactor);
  }

  /**
   * A stable text of every parameter, for the generator fingerprint: the same parameters always
   * give the same string, across JVMs and versions of this class that keep the same names. Explicit
   * grids appear as a SHA-256 digest of their coordinates.
   */
  public String fingerprint() {
    return "amg(points-per-side="
        + pointsPerSide
        + ",points-per-batch="
        + pointsPerBatch
        + ",pred-iou-thresh="
        + predIouThresh
        + ",stability-score-thresh="
        + stabilityScoreThresh
        + ",stability-score-offset="
        + stabilityScoreOffset
        + ",box-nms-thresh="
        + boxNmsThresh
        + ",crop-n-layers="
        + cropNLayers
        + ",crop-nms-thresh="
        + cropNmsThresh
        + ",crop-overlap-ratio="
        + cropOverlapRatio
        + ",crop-n-points-downscale-factor="
        + cropNPointsDownscaleFactor
        + ",point-grids="
        + (pointGrids == null ? "none" : gridsDigest())
        + ",min-mask-region-area="
        + minMaskRegionArea
        + ",multimask-output="
        + multimaskOutput
        + ",use-m2m="
        + useM2m
        + ")";
  }

  private void checkGrids() {
    if (pointGrids.size() != cropNLayers + 1) {
      throw new IllegalArgumentException(
          "Invalid --point-grids: "
              + pointGrids.size()
              + " grids for --crop-n-layers "
              + cropNLayers
              + " (allowed: exactly "
              + (cropNLayers + 1)
              + ", one per layer)");
    }
    for (int layer = 0; layer < pointGrids.size(); layer++) {
      double[][] grid = pointGrids.get(layer);
      if (grid == null || grid.length == 0) {
        throw new IllegalArgumentException(
            "Invalid --point-grids: grid of layer " + layer + " is empty (allowed: >= 1 point)");
      }
      for (int i = 0; i < grid.length; i++) {
        double[] p = grid[i];
        if (p == null || p.length != 2 || !(p[0] >= 0 && p[0] <= 1 && p[1] >= 0 && p[1] <= 1)) {
          throw new IllegalArgumentException(
              "Invalid --point-grids: point "
                  + i
                  + " of layer "
                  + layer
                  + " is "
                  + java.util.Arrays.toString(p)
                  + " (allowed: [x, y] with both in [0, 1])");
        }
      }
    }
  }

  private String gridsDigest() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      ByteBuffer buf = ByteBuffer.allocate(16);
      for (double[][] grid : pointGrids) {
        sha.update(("grid:" + grid.length + ";").getBytes(StandardCharsets.US_ASCII));
        for (double[] p : grid) {
          buf.clear();
          buf.putDouble(p[0]).putDouble(p[1]);
          sha.update(buf.array());
        }
      }
      return "sha256:" + HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static void checkInt(String name, int v, int min, int max) {
    if (v < min || v > max) {
      throw invalid(
          name,
          v,
          max == Integer.MAX_VALUE ? "an integer >= " + min : "[" + min + ", " + max + "]");
    }
  }

  private static void checkUnit(String name, double v) {
    if (!(v >= 0 && v <= 1)) {
      throw invalid(name, v, "[0, 1]");
    }
  }

  private static IllegalArgumentException invalid(String name, Object value, String allowed) {
    return new IllegalArgumentException(
        "Invalid " + name + ": " + value + " (allowed: " + allowed + ")");
  }

  /** Mutable builder; {@link #build()} does not validate. */
  public static final class Builder {
    private int pointsPerSide;
    private int pointsPerBatch;
    private double predIouThresh;
    private double stabilityScoreThresh;
    private double stabilityScoreOffset;
    private double boxNmsThresh;
    private int cropNLayers;
    private double cropNmsThresh;
    private double cropOverlapRatio;
    private int cropNPointsDownscaleFactor;
    private List<double[][]> pointGrids;
    private int minMaskRegionArea;
    private boolean multimaskOutput;
    private boolean useM2m;

    private Builder(AmgParams p) {
      pointsPerSide = p.pointsPerSide;
      pointsPerBatch = p.pointsPerBatch;
      predIouThresh = p.predIouThresh;
      stabilityScoreThresh = p.stabilityScoreThresh;
      stabilityScoreOffset = p.stabilityScoreOffset;
      boxNmsThresh = p.boxNmsThresh;
      cropNLayers = p.cropNLayers;
      cropNmsThresh = p.cropNmsThresh;
      cropOverlapRatio = p.cropOverlapRatio;
      cropNPointsDownscaleFactor = p.cropNPointsDownscaleFactor;
      pointGrids = p.pointGrids;
      minMaskRegionArea = p.minMaskRegionArea;
      multimaskOutput = p.multimaskOutput;
      useM2m = p.useM2m;
    }

    public Builder pointsPerSide(int v) {
      pointsPerSide = v;
      return this;
    }

    public Builder pointsPerBatch(int v) {
      pointsPerBatch = v;
      return this;
    }

    public Builder predIouThresh(double v) {
      predIouThresh = v;
      return this;
    }

    public Builder stabilityScoreThresh(double v) {
      stabilityScoreThresh = v;
      return this;
    }

    public Builder stabilityScoreOffset(double v) {
      stabilityScoreOffset = v;
      return this;
    }

    public Builder boxNmsThresh(double v) {
      boxNmsThresh = v;
      return this;
    }

    public Builder cropNLayers(int v) {
      cropNLayers = v;
      return this;
    }

    public Builder cropNmsThresh(double v) {
      cropNmsThresh = v;
      return this;
    }

    public Builder cropOverlapRatio(double v) {
      cropOverlapRatio = v;
      return this;
    }

    public Builder cropNPointsDownscaleFactor(int v) {
      cropNPointsDownscaleFactor = v;
      return this;
    }

    /** Explicit grids (copied), one per layer; null to use {@code pointsPerSide} again. */
    public Builder pointGrids(List<double[][]> grids) {
      if (grids == null) {
        pointGrids = null;
        if (pointsPerSide == 0) {
          pointsPerSide = defaults().pointsPerSide;
        }
        return this;
      }
      List<double[][]> copy = new ArrayList<>(grids.size());
      for (double[][] g : grids) {
        double[][] c = g == null ? null : new double[g.length][];
        for (int i = 0; c != null && i < g.length; i++) {
          c[i] = g[i] == null ? null : g[i].clone();
        }
        copy.add(c);
      }
      pointGrids = copy;
      pointsPerSide = 0;
      return this;
    }

    public Builder minMaskRegionArea(int v) {
      minMaskRegionArea = v;
      return this;
    }

    public Builder multimaskOutput(boolean v) {
      multimaskOutput = v;
      return this;
    }

    public Builder useM2m(boolean v) {
      useM2m = v;
      return this;
    }

    public AmgParams build() {
      return new AmgParams(
          pointsPerSide,
          pointsPerBatch,
          predIouThresh,
          stabilityScoreThresh,
          stabilityScoreOffset,
          boxNmsThresh,
          cropNLayers,
          cropNmsThresh,
          cropOverlapRatio,
          cropNPointsDownscaleFactor,
          pointGrids,
          minMaskRegionArea,
          multimaskOutput,
          useM2m);
    }
  }
}
