package io.maskgen.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskgen.schema.rle.InvalidRleException;
import io.maskgen.schema.rle.Rle;
import org.junit.jupiter.api.Test;

class MaskRecordTest {
  // 4x5 mask with a 2x2 square at x = 1..2, y = 1..2.
  static final Rle SQUARE = Rle.of(4, 5, new int[] {5, 2, 2, 2, 9});

  static MaskRecord square(float[] clip) {
    return MaskRecord.of(
        "dir/img_1",
        3,
        SQUARE,
        0.93f,
        0.97f,
        new double[][] {{1.5, 1.5}},
        new int[] {0, 0, 5, 4},
        clip,
        "sam-vit-b:abc123",
        "run-1");
  }

  @Test
  void ofComputesRleBboxAndAreaFromTheMask() {
    MaskRecord r = square(null);
    assertThat(r.height()).isEqualTo(4);
    assertThat(r.width()).isEqualTo(5);
    assertThat(r.rle()).isEqualTo(SQUARE.toCocoString());
    assertThat(r.bbox()).containsExactly(1, 1, 2, 2);
    assertThat(r.area()).isEqualTo(4);
    assertThat(r.toRle()).isEqualTo(SQUARE);
    assertThat(r.clipEmbedding()).isNull();
  }

  @Test
  void arraysAreCopiedAndComparedByContent() {
    double[][] points = {{1.5, 1.5}};
    float[] clip = {0.6f, 0.8f};
    MaskRecord r =
        MaskRecord.of("a", 0, SQUARE, 0.9f, 0.9f, points, new int[] {0, 0, 5, 4}, clip, "g", "run");
    points[0][0] = 99;
    clip[0] = 99;
    r.bbox()[0] = 99;
    r.pointCoords()[0][1] = 99;
    r.cropBox()[0] = 99;
    r.clipEmbedding()[1] = 99;
    MaskRecord same =
        MaskRecord.of(
            "a",
            0,
            SQUARE,
            0.9f,
            0.9f,
            new double[][] {{1.5, 1.5}},
            new int[] {0, 0, 5, 4},
            new float[] {0.6f, 0.8f},
            "g",
            "run");
    assertThat(r).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(r.clipEmbedding()).containsExactly(0.6f, 0.8f);
    assertThat(r).isNotEqualTo(square(null));
  }

  /** A 4x5 record with the given fields and valid others. */
  static MaskRecord record(
      String imageId, int maskId, double[] bbox, long area, double[][] points, int[] crop) {
    return new MaskRecord(
        imageId, maskId, 4, 5, "x", bbox, area, 0, 0, points, crop, null, "g", "r");
  }

  @Test
  void rejectsMissingIdsAndBadShapes() {
    double[] box = new double[4];
    double[][] none = new double[0][];
    int[] crop = new int[4];
    assertThat(record("i", 0, box, 20, none, crop).area()).isEqualTo(20);
    assertThatThrownBy(() -> record(null, 0, box, 0, none, crop))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("imageId");
    assertThatThrownBy(() -> record("i", 0, new double[3], 0, none, crop))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid bbox");
    assertThatThrownBy(() -> record("i", 0, box, 21, none, crop))
        .hasMessageContaining("Invalid area: 21 for a 4x5 mask");
    assertThatThrownBy(() -> record("i", -1, box, 0, none, crop))
        .hasMessageContaining("Invalid mask id: -1");
    assertThatThrownBy(() -> record("i", 0, box, 0, new double[][] {{1}}, crop))
        .hasMessageContaining("Invalid point 0: [1.0]");
    assertThatThrownBy(() -> record("i", 0, box, 0, none, new int[3]))
        .hasMessageContaining("Invalid crop box");
  }

  @Test
  void rejectsClipEmbeddingThatIsNotUnitLength() {
    assertThat(square(new float[] {0.6f, 0.8f}).clipEmbedding()).hasSize(2);
    assertThatThrownBy(() -> square(new float[] {0.6f, 0.7f}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected a unit vector");
  }

  @Test
  void toRleRejectsStringThatDoesNotFitTheSize() {
    MaskRecord r =
        new MaskRecord(
            "i",
            0,
            4,
            6,
            SQUARE.toCocoString(),
            new double[4],
            0,
            0,
            0,
            new double[0][],
            new int[4],
            null,
            "g",
            "r");
    assertThatThrownBy(r::toRle)
        .isInstanceOf(InvalidRleException.class)
        .hasMessageContaining("4*6 = 24");
  }
}
