package io.maskgen.amg;

import io.maskgen.schema.rle.Rle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The generator's columnar batch of masks, like segment-anything's {@code MaskData}: one row per
 * mask, every column the same length. Immutable; {@link #filter} and {@link #cat} return new
 * instances.
 *
 * @param rles the binary masks in the image frame
 * @param boxesXyxy 4 ints per mask, inclusive {@code [minX, minY, maxX, maxY]}; in the crop's frame
 *     while a crop is processed, in the image frame once uncropped
 * @param iouPreds predicted IoU per mask
 * @param stabilityScores stability score per mask
 * @param pointsXy 2 doubles per mask, the prompt point (same frame as the boxes)
 * @param cropBoxes the crop each mask came from
 */
public record MaskData(
    List<Rle> rles,
    int[] boxesXyxy,
    float[] iouPreds,
    float[] stabilityScores,
    double[] pointsXy,
    List<CropBox> cropBoxes) {

  public MaskData {
    int n = rles.size();
    if (boxesXyxy.length != 4 * n
        || iouPreds.length != n
        || stabilityScores.length != n
        || pointsXy.length != 2 * n
        || cropBoxes.size() != n) {
      throw new IllegalArgumentException(
          String.format(
              "Mask data columns disagree: %d rles, %d box ints, %d IoUs, %d stability scores,"
                  + " %d point coordinates, %d crop boxes",
              n,
              boxesXyxy.length,
              iouPreds.length,
              stabilityScores.length,
              pointsXy.length,
              cropBoxes.size()));
    }
    rles = List.copyOf(rles);
    cropBoxes = List.copyOf(cropBoxes);
  }

  public static MaskData empty() {
    return new MaskData(
        List.of(), new int[0], new float[0], new float[0], new double[0], List.of());
  }

  public int size() {
    return rles.size();
  }

  /** Box of row {@code i}, a copy. */
  public int[] box(int i) {
    return Arrays.copyOfRange(boxesXyxy, 4 * i, 4 * i + 4);
  }

  /** Point of row {@code i}, a copy. */
  public double[] point(int i) {
    return new double[] {pointsXy[2 * i], pointsXy[2 * i + 1]};
  }

  /** The rows {@code keep[0], keep[1], ...} in that order (indices may repeat). */
  public MaskData filter(int[] keep) {
    int n = keep.length;
    List<Rle> r = new ArrayList<>(n);
    int[] b = new int[4 * n];
    float[] iou = new float[n];
    float[] st = new float[n];
    double[] p = new double[2 * n];
    List<CropBox> c = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      int i = keep[k];
      r.add(rles.get(i));
      System.arraycopy(boxesXyxy, 4 * i, b, 4 * k, 4);
      iou[k] = iouPreds[i];
      st[k] = stabilityScores[i];
      p[2 * k] = pointsXy[2 * i];
      p[2 * k + 1] = pointsXy[2 * i + 1];
      c.add(cropBoxes.get(i));
    }
    return new MaskData(r, b, iou, st, p, c);
  }

  /** The rows where {@code keep} is true, in order. */
  public MaskData filter(boolean[] keep) {
    if (keep.length != size()) {
      throw new IllegalArgumentException("Filter of " + keep.length + " for " + size() + " rows");
    }
    int[] idx = new int[keep.length];
    int n = 0;
    for (int i = 0; i < keep.length; i++) {
      if (keep[i]) {
        idx[n++] = i;
      }
    }
    return filter(Arrays.copyOf(idx, n));
  }

  /** All rows of {@code parts}, in order. */
  public static MaskData cat(List<MaskData> parts) {
    int n = 0;
    for (MaskData d : parts) {
      n += d.size();
    }
    List<Rle> r = new ArrayList<>(n);
    int[] b = new int[4 * n];
    float[] iou = new float[n];
    float[] st = new float[n];
    double[] p = new double[2 * n];
    List<CropBox> c = new ArrayList<>(n);
    int at = 0;
    for (MaskData d : parts) {
      int m = d.size();
      r.addAll(d.rles);
      c.addAll(d.cropBoxes);
      System.arraycopy(d.boxesXyxy, 0, b, 4 * at, 4 * m);
      System.arraycopy(d.iouPreds, 0, iou, at, m);
      System.arraycopy(d.stabilityScores, 0, st, at, m);
      System.arraycopy(d.pointsXy, 0, p, 2 * at, 2 * m);
      at += m;
    }
    return new MaskData(r, b, iou, st, p, c);
  }

  /** These rows with other masks and boxes (e.g. after small-region removal). */
  public MaskData withMasks(List<Rle> newRles, int[] newBoxesXyxy) {
    return new MaskData(newRles, newBoxesXyxy, iouPreds, stabilityScores, pointsXy, cropBoxes);
  }

  /**
   * Moves boxes and points from each row's crop frame to the image frame ({@code
   * uncrop_boxes_xyxy}, {@code uncrop_points}); the masks are already in the image frame.
   */
  public MaskData uncropped() {
    int n = size();
    int[] b = new int[4 * n];
    double[] p = new double[2 * n];
    for (int i = 0; i < n; i++) {
      CropBox c = cropBoxes.get(i);
      System.arraycopy(Boxes.uncropBoxXyxy(box(i), c), 0, b, 4 * i, 4);
      double[] q = Boxes.uncropPoint(point(i), c);
      p[2 * i] = q[0];
      p[2 * i + 1] = q[1];
    }
    return new MaskData(rles, b, iouPreds, stabilityScores, p, cropBoxes);
  }
}
