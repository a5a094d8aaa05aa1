package io.maskgen.model.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StandInSettingTest {

  @Test
  void parsesMillisecondsPerCallPromptAndCrop() {
    ModelTape.Timing t = StandInSetting.parse("207: 0.216:0.69");
    assertThat(t).isEqualTo(new ModelTape.Timing(207_000_000, 216_000, 690_000));
    assertThat(StandInSetting.parse(StandInSetting.format(t))).isEqualTo(t);
  }

  @Test
  void rejectsAnythingElseNamingTheSetting() {
    for (String bad : new String[] {"207:0.2", "a:b:c", "1:-1:0", "1:2:3:4", "NaN:1:1", "1,2,3"}) {
      assertThatThrownBy(() -> StandInSetting.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Invalid spark.maskgen.standin: '" + bad + "'");
    }
  }

  @Test
  void theDeviceRunsOneCallAtATimeAndCountsItsBusyTime() throws InterruptedException {
    SimulatedDevice device = new SimulatedDevice();
    Thread[] threads = new Thread[4];
    long t0 = System.nanoTime();
    for (int i = 0; i < threads.length; i++) {
      threads[i] = new Thread(() -> device.run(2_000_000));
      threads[i].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    // Four 2 ms calls one after another cannot end sooner than 8 ms after the first began.
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(8_000_000);
    assertThat(device.calls()).isEqualTo(4);
    assertThat(device.busyNanos()).isEqualTo(8_000_000);
    device.reset();
    assertThat(device.calls()).isZero();
    assertThat(device.busyNanos()).isZero();
  }
}
