package io.maskgen.amg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TaskRunnerTest {

  @Test
  void resultsComeInTaskOrderWhateverFinishesFirst() {
    try (TaskRunner r = new TaskRunner(4)) {
      List<Callable<Integer>> tasks = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        int v = i;
        tasks.add(
            () -> {
              Thread.sleep((20 - v) % 5); // later tasks tend to finish first
              return v;
            });
      }
      List<Integer> out = r.runAll(tasks);
      assertThat(out)
          .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).boxed().toList());
    }
  }

  @Test
  void aFailureIsRethrownAfterRunningTasksFinish() {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxSeenAfter = new AtomicInteger(-1);
    try (TaskRunner r = new TaskRunner(3)) {
      List<Callable<Integer>> tasks = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        int v = i;
        tasks.add(
            () -> {
              running.incrementAndGet();
              try {
                Thread.sleep(5);
                if (v == 2) {
                  throw new IllegalStateException("task 2 failed");
                }
                return v;
              } finally {
                running.decrementAndGet();
              }
            });
      }
      assertThatThrownBy(() -> r.runAll(tasks)).hasMessage("task 2 failed");
      maxSeenAfter.set(running.get());
    }
    assertThat(maxSeenAfter.get()).isZero();
  }

  @Test
  void parallelismOneRunsInline() {
    try (TaskRunner r = new TaskRunner(1)) {
      Thread caller = Thread.currentThread();
      assertThat(r.runAll(List.of(() -> Thread.currentThread() == caller))).containsExactly(true);
    }
    assertThatThrownBy(() -> new TaskRunner(0)).hasMessageContaining("parallelism: 0");
  }
}
