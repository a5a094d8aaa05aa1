package io.maskgen.amg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskgen.schema.rle.Rle;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaskDataTest {
  private static final CropBox CROP = new CropBox(10, 20, 30, 40, 1);

  private static MaskData rows(int... ids) {
    List<Rle> rles = new java.util.ArrayList<>();
    int n = ids.length;
    int[] boxes = new int[4 * n];
    float[] iou = new float[n];
    float[] st = new float[n];
    double[] pts = new double[2 * n];
    for (int i = 0; i < n; i++) {
      rles.add(Rle.of(2, 2, new int[] {ids[i] % 4, 4 - ids[i] % 4}));
      for (int k = 0; k < 4; k++) {
        boxes[4 * i + k] = ids[i] * 10 + k;
      }
      iou[i] = ids[i] / 10f;
      st[i] = ids[i] / 100f;
      pts[2 * i] = ids[i] + 0.5;
      pts[2 * i + 1] = ids[i] + 0.25;
    }
    return new MaskData(rles, boxes, iou, st, pts, java.util.Collections.nCopies(n, CROP));
  }

  @Test
  void filterTakesRowsInTheGivenOrderInEveryColumn() {
    MaskData d = rows(0, 1, 2, 3).filter(new int[] {3, 1});
    assertThat(d.size()).isEqualTo(2);
    assertThat(d.boxesXyxy()).containsExactly(30, 31, 32, 33, 10, 11, 12, 13);
    assertThat(d.iouPreds()).containsExactly(0.3f, 0.1f);
    assertThat(d.stabilityScores()).containsExactly(0.03f, 0.01f);
    assertThat(d.pointsXy()).containsExactly(3.5, 3.25, 1.5, 1.25);
    assertThat(d.rles()).containsExactly(rows(3).rles().get(0), rows(1).rles().get(0));
    assertThat(d.cropBoxes()).containsExactly(CROP, CROP);
  }

  @Test
  void booleanFilterKeepsOrder() {
    MaskData d = rows(0, 1, 2).filter(new boolean[] {true, false, true});
    assertThat(d.iouPreds()).containsExactly(0f, 0.2f);
  }

  @Test
  void catAppendsInOrder() {
    MaskData d = MaskData.cat(List.of(rows(1), MaskData.empty(), rows(2, 3)));
    assertThat(d.iouPreds()).containsExactly(0.1f, 0.2f, 0.3f);
    assertThat(d.box(2)).containsExactly(30, 31, 32, 33);
    assertThat(d.point(1)).containsExactly(2.5, 2.25);
  }

  @Test
  void uncropMovesBoxesAndPointsByTheCropOrigin() {
    MaskData d = rows(1).uncropped();
    assertThat(d.box(0)).containsExactly(20, 31, 22, 33);
    assertThat(d.point(0)).containsExactly(11.5, 21.25);
  }

  @Test
  void rejectsColumnsOfDifferentLengths() {
    assertThatThrownBy(
            () ->
                new MaskData(
                    List.of(Rle.empty(2, 2)),
                    new int[4],
                    new float[2],
                    new float[1],
                    new double[2],
                    List.of(CROP)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 IoUs");
  }
}
