package io.maskgen.amg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class PointGridsTest {

  @Test
  void gridOfTwoHasCellCentresWithXFastest() {
    double[][] g = PointGrids.buildPointGrid(2);
    assertThat(g)
        .isDeepEqualTo(new double[][] {{0.25, 0.25}, {0.75, 0.25}, {0.25, 0.75}, {0.75, 0.75}});
  }

  @Test
  void gridOfOneIsTheCentre() {
    assertThat(PointGrids.buildPointGrid(1)).isDeepEqualTo(new double[][] {{0.5, 0.5}});
  }

  @Test
  void gridsMatchNumpyLinspaceBitForBit() {
    JsonNode grids = Fixtures.json("grids_and_crops.json").get("grids");
    for (String n : List.of("1", "2", "3", "7", "32")) {
      double[][] g = PointGrids.buildPointGrid(Integer.parseInt(n));
      JsonNode expected = grids.get(n);
      assertThat(g.length).isEqualTo(expected.size());
      for (int i = 0; i < g.length; i++) {
        assertThat(g[i][0])
            .as("n=%s point %d x", n, i)
            .isEqualTo(expected.get(i).get(0).doubleValue());
        assertThat(g[i][1])
            .as("n=%s point %d y", n, i)
            .isEqualTo(expected.get(i).get(1).doubleValue());
      }
    }
  }

  @Test
  void layersDownscaleThePointsPerSideWithIntegerTruncation() {
    List<double[][]> grids = PointGrids.buildAllLayerPointGrids(32, 3, 3);
    // int(32 / 3^i): 32, 10, 3, 1
    assertThat(grids).extracting(g -> g.length).containsExactly(1024, 100, 9, 1);
  }

  @Test
  void rejectsAnEmptyGrid() {
    assertThatThrownBy(() -> PointGrids.buildPointGrid(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0");
  }
}
