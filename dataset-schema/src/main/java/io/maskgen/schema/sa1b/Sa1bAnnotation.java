package io.maskgen.schema.sa1b;

import io.maskgen.schema.MaskRecord;
import java.util.Arrays;
import java.util.Objects;

/**
 * One element of {@code "annotations"} in an SA-1B per-image JSON. Coordinates are pixels of the
 * full image, x to the right, y down.
 *
 * <p>Arrays are copied in and out; {@code equals} compares their contents.
 *
 * @param id annotation id
 * @param segmentation the mask
 * @param bbox {@code [x, y, w, h]} of the mask
 * @param area foreground pixels
 * @param predictedIou the model's IoU estimate
 * @param stabilityScore the mask's stability score
 * @param cropBox {@code [x, y, w, h]} of the crop the mask was generated in
 * @param pointCoords prompt points {@code [[x, y], ...]}
 */
public record Sa1bAnnotation(
    long id,
    Sa1bSegmentation segmentation,
    double[] bbox,
    long area,
    double predictedIou,
    double stabilityScore,
    double[] cropBox,
    double[][] pointCoords) {

  /** Validates the invariants and copies the arrays. */
  public Sa1bAnnotation {
    Objects.requireNonNull(segmentation, "segmentation");
    bbox = box(bbox, "bbox");
    cropBox = box(cropBox, "crop box");
    pointCoords = copyPoints(pointCoords);
    check(area >= 0, "Invalid area: %s", area);
    check(Double.isFinite(predictedIou), "Invalid predicted IoU: %s", predictedIou);
    check(Double.isFinite(stabilityScore), "Invalid stability score: %s", stabilityScore);
  }

  /**
   * The annotation of a mask row; {@code id} is the row's {@code mask_id}, the scores are widened
   * exactly from float, and the CLIP embedding, generator and run id are dropped.
   */
  public static Sa1bAnnotation fromMaskRecord(MaskRecord mask) {
    int[] crop = mask.cropBox();
    return new Sa1bAnnotation(
        mask.maskId(),
        new Sa1bSegmentation(mask.height(), mask.width(), mask.rle()),
        mask.bbox(),
        mask.area(),
        mask.predictedIou(),
        mask.stabilityScore(),
        new double[] {crop[0], crop[1], crop[2], crop[3]},
        mask.pointCoords());
  }

  /**
   * The mask row of this annotation. The scores are narrowed to float; the CLIP embedding is null.
   *
   * @throws IllegalArgumentException if the crop box is not integral
   */
  public MaskRecord toMaskRecord(String imageId, int maskId, String generator, String runId) {
    int[] crop = new int[4];
    for (int i = 0; i < 4; i++) {
      double v = cropBox[i];
      check(
          v == Math.rint(v) && Math.abs(v) <= Integer.MAX_VALUE,
          "Annotation %s: crop box %s is not integral",
          id,
          Arrays.toString(cropBox));
      crop[i] = (int) v;
    }
    return new MaskRecord(
        imageId,
        maskId,
        segmentation.height(),
        segmentation.width(),
        segmentation.counts(),
        bbox,
        area,
        (float) predictedIou,
        (float) stabilityScore,
        pointCoords,
        crop,
        null,
        generator,
        runId);
  }

  @Override
  public double[] bbox() {
    return bbox.clone();
  }

  @Override
  public double[] cropBox() {
    return cropBox.clone();
  }

  @Override
  public double[][] pointCoords() {
    return copyPoints(pointCoords);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Sa1bAnnotation)) {
      return false;
    }
    Sa1bAnnotation a = (Sa1bAnnotation) o;
    return id == a.id
        && segmentation.equals(a.segmentation)
        && Arrays.equals(bbox, a.bbox)
        && area == a.area
        && Double.compare(predictedIou, a.predictedIou) == 0
        && Double.compare(stabilityScore, a.stabilityScore) == 0
        && Arrays.equals(cropBox, a.cropBox)
        && Arrays.deepEquals(pointCoords, a.pointCoords);
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(id, segmentation, area, predictedIou, stabilityScore);
    h = 31 * h + Arrays.hashCode(bbox);
    h = 31 * h + Arrays.hashCode(cropBox);
    return 31 * h + Arrays.deepHashCode(pointCoords);
  }

  @Override
  public String toString() {
    return "Sa1bAnnotation[id="
        + id
        + ", size=["
        + segmentation.height()
        + ", "
        + segmentation.width()
        + "], bbox="
        + Arrays.toString(bbox)
        + ", area="
        + area
        + ", predictedIou="
        + predictedIou
        + ", stabilityScore="
        + stabilityScore
        + ", cropBox="
        + Arrays.toString(cropBox)
        + ", pointCoords="
        + Arrays.deepToString(pointCoords)
        + "]";
  }

  private static double[] box(double[] box, String what) {
    Objects.requireNonNull(box, what);
    check(box.length == 4, "Invalid %s: %s, expected [x, y, w, h]", what, Arrays.toString(box));
    for (double v : box) {
      check(Double.isFinite(v), "Invalid %s: %s", what, Arrays.toString(box));
    }
    return box.clone();
  }

  private static double[][] copyPoints(double[][] points) {
    Objects.requireNonNull(points, "pointCoords");
    double[][] copy = new double[points.length][];
    for (int i = 0; i < points.length; i++) {
      check(
          points[i] != null
              && points[i].length == 2
              && Double.isFinite(points[i][0])
              && Double.isFinite(points[i][1]),
          "Invalid point %s: %s, expected [x, y]",
          i,
          points[i] == null ? "null" : Arrays.toString(points[i]));
      copy[i] = points[i].clone();
    }
    return copy;
  }

  private static void check(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(format, args));
    }
  }
}
