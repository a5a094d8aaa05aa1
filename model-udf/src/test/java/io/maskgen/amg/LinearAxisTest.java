package io.maskgen.amg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LinearAxisTest {

  @Test
  void bilinearUpsamplingByTwoUsesQuarterWeights() {
    // 2 -> 4: sources max(0.5 * (o + 0.5) - 0.5, 0) = 0, 0.25, 0.75, 1.25 (clamped index 1).
    LinearAxis a = LinearAxis.torchBilinear(2, 4);
    assertThat(a.start(0)).isZero();
    assertThat(a.weight(0, 0)).isEqualTo(1.0);
    assertThat(a.weight(1, 0)).isEqualTo(0.75);
    assertThat(a.weight(1, 1)).isEqualTo(0.25);
    assertThat(a.weight(2, 0)).isEqualTo(0.25);
    assertThat(a.weight(2, 1)).isEqualTo(0.75);
    assertThat(a.start(3)).isEqualTo(1);
    assertThat(a.length(3)).isEqualTo(1);
  }

  @Test
  void sameSizeIsTheIdentity() {
    LinearAxis a = LinearAxis.torchBilinear(5, 5);
    for (int o = 0; o < 5; o++) {
      assertThat(a.start(o)).isEqualTo(o);
      assertThat(a.length(o)).isEqualTo(1);
      assertThat(a.weight(o, 0)).isEqualTo(1.0);
    }
  }

  @Test
  void compositionIsConvexAndReadsAtMostThreeInputs() {
    LinearAxis a = LinearAxis.torchBilinear(256, 1024).then(LinearAxis.torchBilinear(683, 1500));
    assertThat(a.inputLength()).isEqualTo(256);
    assertThat(a.outputLength()).isEqualTo(1500);
    for (int o = 0; o < a.outputLength(); o++) {
      double sum = 0;
      for (int k = 0; k < a.length(o); k++) {
        assertThat(a.weight(o, k)).isGreaterThanOrEqualTo(0);
        sum += a.weight(o, k);
      }
      assertThat(a.length(o)).isBetween(1, 3);
      assertThat(sum).isCloseTo(1.0, within(1e-6));
      // The 683-row cut ends at low-res 0.25 * 682.5 - 0.5 = 170.1: rows up to 171 are read.
      assertThat(a.start(o) + a.length(o)).isLessThanOrEqualTo(172);
    }
  }
}
