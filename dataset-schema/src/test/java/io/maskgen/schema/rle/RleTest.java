package io.maskgen.schema.rle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RleTest {

  @Test
  void ofRejectsNegativeCount() {
    assertThatThrownBy(() -> Rle.of(2, 2, new int[] {5, -1}))
        .isInstanceOf(InvalidRleException.class)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("count -1 at index 1 is negative");
  }

  @Test
  void ofRejectsCountsNotSummingToArea() {
    assertThatThrownBy(() -> Rle.of(2, 3, new int[] {1, 2, 2}))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("sum to 5")
        .hasMessageContaining("2*3 = 6");
    assertThatThrownBy(() -> Rle.of(2, 3, new int[] {}))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("sum to 0");
  }

  @Test
  void ofRejectsZeroOrNegativeSizes() {
    assertThatThrownBy(() -> Rle.of(0, 3, new int[] {0}))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("height=0, width=3");
    assertThatThrownBy(() -> Rle.of(3, -1, new int[] {3}))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("height=3, width=-1");
    assertThatThrownBy(() -> Rle.fromCocoString("1", 1, 0))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("must be positive");
    assertThatThrownBy(() -> Rle.encodeRowMajor(new byte[0], 0, 0))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("must be positive");
  }

  @Test
  void ofRejectsSizesOverflowingInt() {
    assertThatThrownBy(() -> Rle.of(65536, 65536, new int[] {0}))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("exceeds");
  }

  @Test
  void encodeRejectsMaskOfWrongLength() {
    assertThatThrownBy(() -> Rle.encodeRowMajor(new byte[5], 2, 3))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("length 5 != height*width = 2*3 = 6");
    assertThatThrownBy(() -> Rle.encodeColumnMajor(new byte[7], 2, 3))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("length 7");
  }

  @Test
  void fromCocoStringRejectsCharacterOutsideAlphabet() {
    assertThat(Rle.fromCocoString("0S1", 5, 7).area()).isEqualTo(35);
    assertThatThrownBy(() -> Rle.fromCocoString("0S p", 5, 7))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("' ' (0x20) at offset 2")
        .hasMessageContaining("'0'..'o'");
    assertThatThrownBy(() -> Rle.fromCocoString("0Sp", 5, 7))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("'p' (0x70) at offset 2");
    assertThatThrownBy(() -> Rle.fromCocoString("/1", 1, 1))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("'/' (0x2f) at offset 0");
    assertThatThrownBy(() -> Rle.fromCocoString("0\u00e91", 1, 1))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("0x00e9 at offset 1");
  }

  @Test
  void fromCocoStringRejectsStringEndingMidValue() {
    // 'S' = 35 + 48 - 48: 0x23 has the continuation bit 0x20 set, so a character must follow.
    assertThatThrownBy(() -> Rle.fromCocoString("0S", 5, 7))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("ends in the middle of the value starting at offset 1");
  }

  @Test
  void fromCocoStringRejectsCountsNotSummingToArea() {
    assertThatThrownBy(() -> Rle.fromCocoString("0S1", 5, 8))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("sum to 35, expected height*width = 5*8 = 40");
    assertThatThrownBy(() -> Rle.fromCocoString("", 1, 1))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("sum to 0");
  }

  @Test
  void fromCocoStringRejectsNegativeCount() {
    // counts[0] = 'O' - 48 = 31 -> 0x1f has the sign bit 0x10 set: -1.
    assertThatThrownBy(() -> Rle.fromCocoString("O", 1, 1))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("count -1 at index 0")
        .hasMessageContaining("negative");
    // A delta below counts[i - 2]: 2, 1, 1, then 1 + (-2) = -1.
    assertThatThrownBy(() -> Rle.fromCocoString("211N", 2, 2))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("count -1 at index 3 (offset 3) is negative");
  }

  @Test
  void fromCocoStringRejectsCountLargerThanMask() {
    assertThatThrownBy(() -> Rle.fromCocoString("o" + "o".repeat(5) + "1", 2, 2))
        .isInstanceOf(InvalidRleException.class);
    assertThatThrownBy(() -> Rle.fromCocoString("5", 2, 2))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("count 5 at index 0 (offset 0) exceeds height*width = 2*2 = 4");
  }

  @Test
  void fromCocoStringRejectsOverlongValue() {
    assertThatThrownBy(() -> Rle.fromCocoString("ooooooo1", 2, 2))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("longer than 7 characters");
  }

  @Test
  void setOperationsRejectMismatchedSizes() {
    Rle a = Rle.empty(3, 4);
    Rle b = Rle.empty(4, 3);
    assertThatThrownBy(() -> RleOps.iou(a, b))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("IoU of RLEs of different sizes: 3x4 vs 4x3");
    assertThatThrownBy(() -> RleOps.union(a, b))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("union");
    assertThatThrownBy(() -> RleOps.intersection(a, b))
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("intersection");
  }

  @Test
  void countsAreCopiedInAndOut() {
    int[] counts = {1, 2, 3};
    Rle rle = Rle.of(2, 3, counts);
    counts[0] = 99;
    assertThat(rle.run(0)).isEqualTo(1);
    rle.counts()[1] = 99;
    assertThat(rle.counts()).containsExactly(1, 2, 3);
    assertThat(rle.runCount()).isEqualTo(3);
  }

  @Test
  void equalityIsOnSizeAndCounts() {
    assertThat(Rle.of(2, 3, new int[] {6})).isEqualTo(Rle.empty(2, 3));
    assertThat(Rle.of(2, 3, new int[] {6}).hashCode()).isEqualTo(Rle.empty(2, 3).hashCode());
    assertThat(Rle.of(2, 3, new int[] {6})).isNotEqualTo(Rle.empty(3, 2));
    assertThat(Rle.of(2, 3, new int[] {0, 6})).isNotEqualTo(Rle.empty(2, 3));
  }

  @Test
  void emptyRunsInTheMiddleAreAccepted() {
    // maskApi.c accepts such counts; they decode like the merged runs.
    Rle rle = Rle.of(5, 1, new int[] {1, 0, 2, 2});
    assertThat(rle.area()).isEqualTo(2);
    assertThat(rle.decodeColumnMajor()).containsExactly(0, 0, 0, 1, 1);
    assertThat(rle.decodeRowMajor()).containsExactly(0, 0, 0, 1, 1);
    assertThat(rle.bboxXywh()).containsExactly(0, 3, 1, 2);
    Rle canonical = Rle.of(5, 1, new int[] {3, 2});
    assertThat(RleOps.iou(rle, canonical)).isEqualTo(1.0);
    assertThat(RleOps.union(rle, Rle.empty(5, 1))).isEqualTo(canonical);
  }

  @Test
  void bboxOfRunWrappingColumnsSpansAllRows() {
    // 3x3 mask with the last pixel of column 0 and the first pixel of column 1.
    Rle rle = Rle.of(3, 3, new int[] {2, 2, 5});
    assertThat(rle.bboxXywh()).containsExactly(0, 0, 2, 3);
  }

  @Test
  void randomMasksRoundTripAndMatchPixelGroundTruth() {
    Random random = new Random(42);
    for (int trial = 0; trial < 300; trial++) {
      int h = 1 + random.nextInt(40);
      int w = 1 + random.nextInt(40);
      byte[] rowMajor = randomBlobs(random, h, w);
      Rle rle = Rle.encodeRowMajor(rowMajor, h, w);
      byte[] colMajor = transpose(rowMajor, h, w);
      assertThat(Rle.encodeColumnMajor(colMajor, h, w)).isEqualTo(rle);
      assertThat(rle.decodeRowMajor()).isEqualTo(rowMajor);
      assertThat(rle.decodeColumnMajor()).isEqualTo(colMajor);
      assertThat(Rle.fromCocoString(rle.toCocoString(), h, w)).isEqualTo(rle);
      assertThat(rle.area()).isEqualTo(ones(rowMajor));
      assertThat(rle.bboxXywh()).containsExactly(bruteForceBbox(rowMajor, h, w));

      byte[] other = randomBlobs(random, h, w);
      Rle b = Rle.encodeRowMajor(other, h, w);
      long inter = 0;
      long union = 0;
      for (int i = 0; i < rowMajor.length; i++) {
        inter += rowMajor[i] & other[i];
        union += rowMajor[i] | other[i];
      }
      double expected = inter == 0 ? 0 : (double) inter / union;
      assertThat(RleOps.iou(rle, b)).isEqualTo(expected);
      assertThat(RleOps.intersection(rle, b).area()).isEqualTo(inter);
      assertThat(RleOps.union(rle, b).area()).isEqualTo(union);
    }
  }

  @Test
  void iouOfMaskWithItselfIsOneAndWithEmptyIsZero() {
    byte[] mask = randomBlobs(new Random(7), 30, 50);
    Rle rle = Rle.encodeRowMajor(mask, 30, 50);
    assertThat(RleOps.iou(rle, rle)).isEqualTo(1.0);
    assertThat(RleOps.iou(rle, Rle.empty(30, 50))).isEqualTo(0.0);
    assertThat(RleOps.iou(Rle.empty(30, 50), Rle.empty(30, 50))).isEqualTo(0.0);
    assertThat(RleOps.intersection(rle, rle)).isEqualTo(rle);
    assertThat(RleOps.union(rle, Rle.empty(30, 50))).isEqualTo(rle);
  }

  /** Random rectangles and pixels, row-major, values 0/1. */
  static byte[] randomBlobs(Random random, int h, int w) {
    byte[] m = new byte[h * w];
    int blobs = random.nextInt(4);
    for (int b = 0; b < blobs; b++) {
      int x0 = random.nextInt(w);
      int y0 = random.nextInt(h);
      int x1 = x0 + random.nextInt(w - x0) + 1;
      int y1 = y0 + random.nextInt(h - y0) + 1;
      for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++) {
          m[y * w + x] = 1;
        }
      }
    }
    int specks = random.nextInt(10);
    for (int s = 0; s < specks; s++) {
      m[random.nextInt(h * w)] ^= 1;
    }
    return m;
  }

  static byte[] transpose(byte[] rowMajor, int h, int w) {
    byte[] col = new byte[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        col[x * h + y] = rowMajor[y * w + x];
      }
    }
    return col;
  }

  private static long ones(byte[] m) {
    long n = 0;
    for (byte b : m) {
      n += b;
    }
    return n;
  }

  private static double[] bruteForceBbox(byte[] m, int h, int w) {
    int xs = w;
    int ys = h;
    int xe = -1;
    int ye = -1;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (m[y * w + x] != 0) {
          xs = Math.min(xs, x);
          ys = Math.min(ys, y);
          xe = Math.max(xe, x);
          ye = Math.max(ye, y);
        }
      }
    }
    return xe < 0 ? new double[4] : new double[] {xs, ys, xe - xs + 1, ye - ys + 1};
  }
}
