package io.maskgen.amg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RunWriterTest {

  @Test
  void touchingSpansMergeAndTheEncodingIsCanonical() {
    RunWriter w = new RunWriter(3, 2);
    w.add(0, 1);
    w.add(1, 2);
    w.add(4, 2);
    // Column-major: 1 1 1 | 0 1 1 -> counts [0, 3, 1, 2] with no empty trailing run.
    assertThat(w.finish().counts()).containsExactly(0, 3, 1, 2);
  }

  @Test
  void emptyMaskIsOneRun() {
    assertThat(new RunWriter(4, 5).finish().counts()).containsExactly(20);
  }

  @Test
  void rejectsSpansOutOfOrder() {
    RunWriter w = new RunWriter(3, 3);
    w.add(4, 2);
    assertThatThrownBy(() -> w.add(5, 1)).isInstanceOf(IllegalStateException.class);
  }
}
