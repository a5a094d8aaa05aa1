package io.maskgen.amg;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BoxesTest {

  @Test
  void maskBoxIsInclusiveMinMax() {
    byte[] m = new byte[5 * 6];
    m[1 * 6 + 2] = 1;
    m[3 * 6 + 4] = 1;
    m[2 * 6 + 1] = 1;
    assertThat(Boxes.maskToBoxXyxy(m, 5, 6)).containsExactly(1, 1, 4, 3);
  }

  @Test
  void emptyMaskBoxIsZeros() {
    assertThat(Boxes.maskToBoxXyxy(new byte[12], 3, 4)).containsExactly(0, 0, 0, 0);
  }

  @Test
  void singlePixelBoxHasZeroSize() {
    byte[] m = new byte[12];
    m[7] = 1; // (x=3, y=1)
    assertThat(Boxes.maskToBoxXyxy(m, 3, 4)).containsExactly(3, 1, 3, 1);
    assertThat(Boxes.xyxyToXywh(new int[] {3, 1, 3, 1})).containsExactly(3, 1, 0, 0);
  }

  @Test
  void boxWithin20PxOfAnInnerCropEdgeIsNearIt() {
    // Crop [100, 0, 300, 200) of a 400 x 200 image: left and right edges are inside the image.
    CropBox crop = new CropBox(100, 0, 300, 200, 1);
    assertThat(Boxes.isBoxNearCropEdge(new int[] {20, 50, 60, 90}, crop, 400, 200)).isTrue();
    assertThat(Boxes.isBoxNearCropEdge(new int[] {21, 50, 60, 90}, crop, 400, 200)).isFalse();
    // x1 = 179 in the crop is 279 in the image: 21 px from 300, not near; 180 -> 280 is near.
    assertThat(Boxes.isBoxNearCropEdge(new int[] {50, 50, 179, 90}, crop, 400, 200)).isFalse();
    assertThat(Boxes.isBoxNearCropEdge(new int[] {50, 50, 180, 90}, crop, 400, 200)).isTrue();
  }

  @Test
  void cropEdgesThatAreImageEdgesDoNotCount() {
    CropBox crop = new CropBox(100, 0, 300, 200, 1);
    // Touches the top (y0 = 0) and the bottom (y1 = 199): both are image edges too.
    assertThat(Boxes.isBoxNearCropEdge(new int[] {50, 0, 100, 199}, crop, 400, 200)).isFalse();
    CropBox whole = new CropBox(0, 0, 400, 200, 0);
    assertThat(Boxes.isBoxNearCropEdge(new int[] {0, 0, 399, 199}, whole, 400, 200)).isFalse();
  }

  @Test
  void uncropAddsTheCropOrigin() {
    CropBox crop = new CropBox(7, 11, 50, 60, 1);
    assertThat(Boxes.uncropBoxXyxy(new int[] {1, 2, 3, 4}, crop)).containsExactly(8, 13, 10, 15);
    assertThat(Boxes.uncropPoint(new double[] {0.5, 1.25}, crop)).containsExactly(7.5, 12.25);
  }
}
