package io.maskgen.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GenerateJobThreadsTest {

  @Test
  void aLocalRunWithFewerTasksThanCoresSharesTheCoresOut() {
    assertThat(GenerateJob.threadsPerTask(1, true, 8, 1)).isEqualTo(8);
    assertThat(GenerateJob.threadsPerTask(1, true, 8, 3)).isEqualTo(2);
    assertThat(GenerateJob.threadsPerTask(1, true, 2, 1)).isEqualTo(2);
  }

  @Test
  void enoughTasksOrAClusterKeepTheTaskCpus() {
    assertThat(GenerateJob.threadsPerTask(1, true, 8, 8)).isEqualTo(1);
    assertThat(GenerateJob.threadsPerTask(1, true, 8, 40)).isEqualTo(1);
    assertThat(GenerateJob.threadsPerTask(4, true, 8, 1)).isEqualTo(8);
    assertThat(GenerateJob.threadsPerTask(4, true, 8, 4)).isEqualTo(4);
    assertThat(GenerateJob.threadsPerTask(1, false, 16, 1)).isEqualTo(1);
    assertThat(GenerateJob.threadsPerTask(2, false, 16, 1)).isEqualTo(2);
    assertThat(GenerateJob.threadsPerTask(1, true, 8, 0)).isEqualTo(1);
  }
}
