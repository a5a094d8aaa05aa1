package io.maskgen.amg;

import java.util.ArrayList;
import java.util.List;

/**
 * A crop of the image in pixels, XYXY with exclusive ends: columns [x0, x1), rows [y0, y1).
 *
 * @param layer crop layer: 0 is the whole image, layer i one of (2^i)^2 zoomed crops
 */
public record CropBox(int x0, int y0, int x1, int y1, int layer) {

  public CropBox {
    if (x0 < 0 || y0 < 0 || x1 <= x0 || y1 <= y0 || layer < 0) {
      throw new IllegalArgumentException(
          "Invalid crop box: [" + x0 + ", " + y0 + ", " + x1 + ", " + y1 + "] layer " + layer);
    }
  }

  public int width() {
    return x1 - x0;
  }

  public int height() {
    return y1 - y0;
  }

  /** Area in pixels, {@code (x1 - x0) * (y1 - y0)} like torchvision's {@code box_area}. */
  public long area() {
    return (long) width() * height();
  }

  /** {@code [x0, y0, w, h]}. */
  public int[] xywh() {
    return new int[] {x0, y0, width(), height()};
  }

  /** {@code [x0, y0, x1, y1]}. */
  public int[] xyxy() {
    return new int[] {x0, y0, x1, y1};
  }

  /**
   * The crops of segment-anything's {@code generate_crop_boxes}: the whole image (layer 0), then
   * for layer i = 1..nLayers an n x n tiling with n = 2^i, {@code overlap = int(ratio * shortSide *
   * (2 / n))}, crop side {@code ceil((overlap * (n - 1) + side) / n)}, origins {@code (cropSide -
   * overlap) * k}, ends clipped to the image. Within a layer the order is x outer, y inner.
   */
  public static List<CropBox> generate(
      int imageHeight, int imageWidth, int nLayers, double overlapRatio) {
    if (imageHeight <= 0 || imageWidth <= 0) {
      throw new IllegalArgumentException(
          "Invalid image size: " + imageWidth + "x" + imageHeight + " (both must be > 0)");
    }
    List<CropBox> boxes = new ArrayList<>();
    boxes.add(new CropBox(0, 0, imageWidth, imageHeight, 0));
    int shortSide = Math.min(imageHeight, imageWidth);
    for (int layer = 1; layer <= nLayers; layer++) {
      int n = 1 << layer;
      int overlap = (int) (overlapRatio * shortSide * (2.0 / n));
      int cropW = cropLength(imageWidth, n, overlap);
      int cropH = cropLength(imageHeight, n, overlap);
      for (int i = 0; i < n; i++) {
        int x0 = (cropW - overlap) * i;
        for (int j = 0; j < n; j++) {
          int y0 = (cropH - overlap) * j;
          boxes.add(
              new CropBox(
                  x0,
                  y0,
                  Math.min(x0 + cropW, imageWidth),
                  Math.min(y0 + cropH, imageHeight),
                  layer));
        }
      }
    }
    return boxes;
  }

  /** {@code ceil((overlap * (n - 1) + side) / n)} in exact integer arithmetic. */
  static int cropLength(int side, int n, int overlap) {
    long total = (long) overlap * (n - 1) + side;
    return (int) ((total + n - 1) / n);
  }
}
