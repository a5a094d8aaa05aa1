package io.maskgen.schema;

import io.maskgen.schema.rle.Rle;
import java.util.Arrays;
import java.util.Objects;

/**
 * One row of the {@code masks} table: a mask generated for an image, with the model's scores and
 * the prompt that produced it. Coordinates are pixels of the full input image, x to the right and y
 * down, with (0, 0) the top-left corner of the top-left pixel.
 *
 * <p>Arrays are copied in and out, so instances are immutable; {@code equals} compares array
 * contents.
 *
 * @param imageId the image's id, see {@link ImageRecord#imageId()}; never null
 * @param maskId index of the mask within its image, 0-based, unique per image
 * @param height mask height in pixels (the image's height)
 * @param width mask width in pixels (the image's width)
 * @param rle the mask as a compressed COCO counts string (column-major, see {@link Rle}); never
 *     null
 * @param bbox bounding box {@code [x, y, w, h]} in pixels. Generated masks carry the reference
 *     generator's box ({@code w = max_x - min_x}, one less than COCO's {@code rleToBbox}); {@link
 *     #of} computes COCO's box from the RLE
 * @param area foreground pixels
 * @param predictedIou the model's own estimate of the mask's IoU with the object
 * @param stabilityScore IoU of the mask thresholded at {@code +offset} and {@code -offset} logits
 * @param pointCoords prompt points {@code [[x, y], ...]} in pixels, usually one
 * @param cropBox the crop the mask was generated in, {@code [x, y, w, h]} in pixels; the whole
 *     image for crop layer 0
 * @param clipEmbedding unit-length CLIP image embedding of the mask crop; null when CLIP is off
 * @param generator fingerprint of the model and generator parameters; never null
 * @param runId id of the job run that wrote the row; never null
 */
public record MaskRecord(
    String imageId,
    int maskId,
    int height,
    int width,
    String rle,
    double[] bbox,
    long area,
    float predictedIou,
    float stabilityScore,
    double[][] pointCoords,
    int[] cropBox,
    float[] clipEmbedding,
    String generator,
    String runId) {

  /** Largest allowed deviation of {@code |clipEmbedding|} from 1. */
  public static final double UNIT_LENGTH_TOLERANCE = 1e-3;

  /** Validates the invariants and copies the arrays. */
  public MaskRecord {
    Objects.requireNonNull(imageId, "imageId");
    Objects.requireNonNull(rle, "rle");
    Objects.requireNonNull(generator, "generator");
    Objects.requireNonNull(runId, "runId");
    check(maskId >= 0, "Invalid mask id: %s", maskId);
    check(height > 0 && width > 0, "Invalid mask size: height=%s, width=%s", height, width);
    check(
        area >= 0 && area <= (long) height * width,
        "Invalid area: %s for a %sx%s mask",
        area,
        height,
        width);
    Objects.requireNonNull(bbox, "bbox");
    check(bbox.length == 4, "Invalid bbox: %s, expected [x, y, w, h]", Arrays.toString(bbox));
    bbox = bbox.clone();
    Objects.requireNonNull(cropBox, "cropBox");
    check(
        cropBox.length == 4 && cropBox[2] >= 0 && cropBox[3] >= 0,
        "Invalid crop box: %s, expected [x, y, w, h]",
        Arrays.toString(cropBox));
    cropBox = cropBox.clone();
    pointCoords = copyPoints(pointCoords);
    if (clipEmbedding != null) {
      clipEmbedding = clipEmbedding.clone();
      double norm = 0;
      for (float v : clipEmbedding) {
        norm += (double) v * v;
      }
      norm = Math.sqrt(norm);
      check(
          Math.abs(norm - 1) <= UNIT_LENGTH_TOLERANCE,
          "Invalid CLIP embedding: length %s, expected a unit vector",
          norm);
    }
  }

  /**
   * Builds a record from a mask, computing {@code rle}, {@code bbox} and {@code area} from it.
   *
   * @param clipEmbedding null when CLIP is off
   */
  public static MaskRecord of(
      String imageId,
      int maskId,
      Rle mask,
      float predictedIou,
      float stabilityScore,
      double[][] pointCoords,
      int[] cropBox,
      float[] clipEmbedding,
      String generator,
      String runId) {
    return new MaskRecord(
        imageId,
        maskId,
        mask.height(),
        mask.width(),
        mask.toCocoString(),
        mask.bboxXywh(),
        mask.area(),
        predictedIou,
        stabilityScore,
        pointCoords,
        cropBox,
        clipEmbedding,
        generator,
        runId);
  }

  /**
   * Decodes {@link #rle()}.
   *
   * @throws io.maskgen.schema.rle.InvalidRleException if the string is not a valid RLE of this
   *     record's size
   */
  public Rle toRle() {
    return Rle.fromCocoString(rle, height, width);
  }

  @Override
  public double[] bbox() {
    return bbox.clone();
  }

  @Override
  public double[][] pointCoords() {
    return copyPoints(pointCoords);
  }

  @Override
  public int[] cropBox() {
    return cropBox.clone();
  }

  @Override
  public float[] clipEmbedding() {
    return clipEmbedding == null ? null : clipEmbedding.clone();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof MaskRecord)) {
      return false;
    }
    MaskRecord r = (MaskRecord) o;
    return imageId.equals(r.imageId)
        && maskId == r.maskId
        && height == r.height
        && width == r.width
        && rle.equals(r.rle)
        && Arrays.equals(bbox, r.bbox)
        && area == r.area
        && Float.compare(predictedIou, r.predictedIou) == 0
        && Float.compare(stabilityScore, r.stabilityScore) == 0
        && Arrays.deepEquals(pointCoords, r.pointCoords)
        && Arrays.equals(cropBox, r.cropBox)
        && Arrays.equals(clipEmbedding, r.clipEmbedding)
        && generator.equals(r.generator)
        && runId.equals(r.runId);
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(imageId, maskId, height, width, rle, area, predictedIou, stabilityScore);
    h = 31 * h + Arrays.hashCode(bbox);
    h = 31 * h + Arrays.deepHashCode(pointCoords);
    h = 31 * h + Arrays.hashCode(cropBox);
    h = 31 * h + Arrays.hashCode(clipEmbedding);
    return 31 * h + Objects.hash(generator, runId);
  }

  @Override
  public String toString() {
    return "MaskRecord[imageId="
        + imageId
        + ", maskId="
        + maskId
        + ", size="
        + height
        + "x"
        + width
        + ", bbox="
        + Arrays.toString(bbox)
        + ", area="
        + area
        + ", predictedIou="
        + predictedIou
        + ", stabilityScore="
        + stabilityScore
        + ", pointCoords="
        + Arrays.deepToString(pointCoords)
        + ", cropBox="
        + Arrays.toString(cropBox)
        + ", clipEmbedding="
        + (clipEmbedding == null ? "null" : "float[" + clipEmbedding.length + "]")
        + ", generator="
        + generator
        + ", runId="
        + runId
        + "]";
  }

  private static double[][] copyPoints(double[][] points) {
    Objects.requireNonNull(points, "pointCoords");
    double[][] copy = new double[points.length][];
    for (int i = 0; i < points.length; i++) {
      check(
          points[i] != null && points[i].length == 2,
          "Invalid point %s: %s, expected [x, y]",
          i,
          points[i] == null ? "null" : Arrays.toString(points[i]));
      copy[i] = points[i].clone();
    }
    return copy;
  }

  static void check(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(format, args));
    }
  }
}
