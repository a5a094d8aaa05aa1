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

  @Test
  void runFedProducesOnTheCallersThreadInOrderAndConsumesOnThePool() {
    Thread caller = Thread.currentThread();
    List<Integer> produced = new ArrayList<>();
    AtomicInteger waiting = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    try (TaskRunner r = new TaskRunner(2)) {
      List<Integer> out =
          r.runFed(
              20,
              i -> {
                assertThat(Thread.currentThread()).isSameAs(caller);
                produced.add(i);
                most.accumulateAndGet(waiting.incrementAndGet(), Math::max);
                return i;
              },
              i -> {
                assertThat(Thread.currentThread()).isNotSameAs(caller);
                sleepMillis((20 - i) % 3);
                waiting.decrementAndGet();
                return i * i;
              });
      assertThat(out).hasSize(20);
      for (int i = 0; i < 20; i++) {
        assertThat(out.get(i)).isEqualTo(i * i);
        assertThat(produced.get(i)).isEqualTo(i);
      }
    }
    // Never more than parallelism + 1 produced and not yet consumed.
    assertThat(most.get()).isBetween(1, 3);
  }

  @Test
  void runFedThrowsTheFirstFailureInOrderAndProducesNothingAfterIt() {
    List<Integer> produced = new ArrayList<>();
    try (TaskRunner r = new TaskRunner(2)) {
      assertThatThrownBy(
              () ->
                  r.runFed(
                      50,
                      i -> {
                        produced.add(i);
                        if (i == 7) {
                          throw new IllegalStateException("producer 7");
                        }
                        return i;
                      },
                      i -> {
                        if (i == 3) {
                          throw new IllegalArgumentException("consumer 3");
                        }
                        return i;
                      }))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("consumer 3");
      assertThat(produced).doesNotContain(8).hasSizeLessThanOrEqualTo(8);
      assertThatThrownBy(
              () ->
                  r.runFed(
                      5,
                      i -> {
                        if (i == 2) {
                          throw new IllegalStateException("producer 2");
                        }
                        return i;
                      },
                      i -> i))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("producer 2");
    }
  }

  private static void sleepMillis(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
