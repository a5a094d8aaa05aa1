package io.maskgen.amg;

import io.maskgen.schema.rle.Rle;

/**
 * Box helpers of segment-anything's {@code utils/amg.py}. A mask box is XYXY with inclusive ends:
 * {@code [minX, minY, maxX, maxY]} of the foreground pixels, all zeros for an empty mask.
 */
public final class Boxes {

  /** Distance in pixels within which a box side counts as touching a crop or image side. */
  public static final double NEAR_EDGE_TOLERANCE = 20.0;

  private Boxes() {}

  /**
   * The box of a row-major mask ({@code mask[y * w + x]}, nonzero is foreground) like {@code
   * batched_mask_to_box}: {@code [minX, minY, maxX, maxY]}, or {@code [0, 0, 0, 0]} when empty.
   */
  public static int[] maskToBoxXyxy(byte[] mask, int h, int w) {
    int minX = w;
    int minY = h;
    int maxX = -1;
    int maxY = -1;
    for (int y = 0; y < h; y++) {
      int row = y * w;
      int first = -1;
      int last = -1;
      for (int x = 0; x < w; x++) {
        if (mask[row + x] != 0) {
          if (first < 0) {
            first = x;
          }
          last = x;
        }
      }
      if (first >= 0) {
        minY = Math.min(minY, y);
        maxY = y;
        minX = Math.min(minX, first);
        maxX = Math.max(maxX, last);
      }
    }
    if (maxX < 0) {
      return new int[4];
    }
    return new int[] {minX, minY, maxX, maxY};
  }

  /** The box of an RLE mask with the semantics of {@link #maskToBoxXyxy}. */
  public static int[] rleToBoxXyxy(Rle mask) {
    double[] b = mask.bboxXywh();
    if (b[2] == 0) {
      return new int[4];
    }
    int x = (int) b[0];
    int y = (int) b[1];
    return new int[] {x, y, x + (int) b[2] - 1, y + (int) b[3] - 1};
  }

  /**
   * Whether a box (crop frame, XYXY) lies within {@link #NEAR_EDGE_TOLERANCE} px of a side of its
   * crop that is not also within that distance of the same side of the image ({@code
   * is_box_near_crop_edge}: {@code |a - b| <= 20} per coordinate, in float32 like the reference).
   *
   * @param boxXyxy the box in the crop's frame
   * @param crop the crop, image frame
   * @param imageWidth image width
   * @param imageHeight image height
   */
  public static boolean isBoxNearCropEdge(
      int[] boxXyxy, CropBox crop, int imageWidth, int imageHeight) {
    int[] cropBox = crop.xyxy();
    int[] imageBox = {0, 0, imageWidth, imageHeight};
    int[] offset = {crop.x0(), crop.y0(), crop.x0(), crop.y0()};
    for (int k = 0; k < 4; k++) {
      float b = (float) (boxXyxy[k] + offset[k]);
      boolean nearCrop = Math.abs(b - (float) cropBox[k]) <= NEAR_EDGE_TOLERANCE;
      boolean nearImage = Math.abs(b - (float) imageBox[k]) <= NEAR_EDGE_TOLERANCE;
      if (nearCrop && !nearImage) {
        return true;
      }
    }
    return false;
  }

  /** Moves a box from a crop's frame to the image frame ({@code uncrop_boxes_xyxy}). */
  public static int[] uncropBoxXyxy(int[] boxXyxy, CropBox crop) {
    return new int[] {
      boxXyxy[0] + crop.x0(), boxXyxy[1] + crop.y0(), boxXyxy[2] + crop.x0(), boxXyxy[3] + crop.y0()
    };
  }

  /**
   * Moves a point {@code [x, y]} from a crop's frame to the image frame ({@code uncrop_points}).
   */
  public static double[] uncropPoint(double[] xy, CropBox crop) {
    return new double[] {xy[0] + crop.x0(), xy[1] + crop.y0()};
  }

  /**
   * {@code box_xyxy_to_xywh}: {@code [x0, y0, x1 - x0, y1 - y0]}. For an inclusive mask box this is
   * one less than the pixel extent (the reference's and SA-1B's convention), unlike the COCO API's
   * {@code rleToBbox}, which adds one.
   */
  public static double[] xyxyToXywh(int[] boxXyxy) {
    return new double[] {boxXyxy[0], boxXyxy[1], boxXyxy[2] - boxXyxy[0], boxXyxy[3] - boxXyxy[1]};
  }
}
