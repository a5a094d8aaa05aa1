package io.maskgen.amg;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class CropBoxTest {

  @Test
  void layerZeroIsTheWholeImage() {
    assertThat(CropBox.generate(480, 640, 0, 512.0 / 1500))
        .containsExactly(new CropBox(0, 0, 640, 480, 0));
  }

  @Test
  void layerOneOverlapsByTheRatioOfTheShortSide() {
    // 100 x 200 (h x w), ratio 0.25: overlap = int(0.25 * 100 * (2 / 2)) = 25;
    // crop w = ceil((25 + 200) / 2) = 113, crop h = ceil((25 + 100) / 2) = 63;
    // x0 in {0, 88}, y0 in {0, 38}; x outer, y inner; ends clipped to the image.
    List<CropBox> boxes = CropBox.generate(100, 200, 1, 0.25);
    assertThat(boxes)
        .containsExactly(
            new CropBox(0, 0, 200, 100, 0),
            new CropBox(0, 0, 113, 63, 1),
            new CropBox(0, 38, 113, 100, 1),
            new CropBox(88, 0, 200, 63, 1),
            new CropBox(88, 38, 200, 100, 1));
  }

  @Test
  void matchesTheReferenceArithmeticOnAwkwardSizes() {
    for (JsonNode c : Fixtures.json("grids_and_crops.json").get("crops")) {
      List<CropBox> boxes =
          CropBox.generate(
              c.get("h").intValue(),
              c.get("w").intValue(),
              c.get("layers").intValue(),
              c.get("ratio").doubleValue());
      JsonNode expected = c.get("boxes");
      assertThat(boxes).as("%s", c).hasSize(expected.size());
      for (int i = 0; i < boxes.size(); i++) {
        assertThat(boxes.get(i).xyxy())
            .as("%s box %d", c, i)
            .containsExactly(Fixtures.ints(expected.get(i)));
        assertThat(boxes.get(i).layer()).isEqualTo(c.get("layerIdxs").get(i).intValue());
      }
    }
  }

  @Test
  void xywhAndAreaUseExclusiveEnds() {
    CropBox b = new CropBox(10, 20, 110, 70, 1);
    assertThat(b.xywh()).containsExactly(10, 20, 100, 50);
    assertThat(b.area()).isEqualTo(5000);
  }
}
