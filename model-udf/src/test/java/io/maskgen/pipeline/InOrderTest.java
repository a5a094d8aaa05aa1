package io.maskgen.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class InOrderTest {

  @Test
  void resultsComeInSourceOrderWhateverOrderTheyFinishIn() {
    List<Integer> items = IntStream.range(0, 40).boxed().toList();
    List<Integer> out = new ArrayList<>();
    // Later items finish first: item i sleeps (40 - i) * 0.2 ms.
    try (InOrder<Integer, Integer> in =
        new InOrder<>(items.iterator(), i -> {
          sleepMicros((40 - i) * 200L);
          return i * 10;
        }, 4)) {
      in.forEachRemaining(out::add);
    }
    assertThat(out).isEqualTo(items.stream().map(i -> i * 10).toList());
  }

  @Test
  void worksOnUpToDepthItemsAtOnce() throws InterruptedException {
    // Items 0, 1 and 2 each finish only once all three have started: needs 3 at once.
    CountDownLatch firstThreeStarted = new CountDownLatch(3);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<Integer> out = new ArrayList<>();
    try (InOrder<Integer, Integer> in =
        new InOrder<>(IntStream.range(0, 9).boxed().iterator(), i -> {
          most.accumulateAndGet(running.incrementAndGet(), Math::max);
          try {
            if (i < 3) {
              firstThreeStarted.countDown();
              if (!firstThreeStarted.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("items 0-2 never ran at once");
              }
            }
            return i;
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          } finally {
            running.decrementAndGet();
          }
        }, 3)) {
      in.forEachRemaining(out::add);
    }
    assertThat(out).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(most.get()).isEqualTo(3);
  }

  @Test
  void depthOneRunsEachItemOnTheCallersThreadInTurn() {
    Thread caller = Thread.currentThread();
    List<String> events = new ArrayList<>();
    try (InOrder<Integer, Integer> in =
        new InOrder<>(List.of(1, 2, 3).iterator(), i -> {
          assertThat(Thread.currentThread()).isSameAs(caller);
          events.add("work " + i);
          return i;
        }, 1)) {
      while (in.hasNext()) {
        events.add("took " + in.next());
      }
    }
    assertThat(events)
        .containsExactly("work 1", "took 1", "work 2", "took 2", "work 3", "took 3");
  }

  @Test
  void aFailedItemThrowsItsOwnExceptionWhenItsResultIsDue() {
    List<Integer> out = new ArrayList<>();
    try (InOrder<Integer, Integer> in =
        new InOrder<>(IntStream.range(0, 6).boxed().iterator(), i -> {
          if (i == 3) {
            throw new IllegalArgumentException("bad item 3");
          }
          return i;
        }, 3)) {
      assertThatThrownBy(() -> {
            while (in.hasNext()) {
              out.add(in.next());
            }
          })
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("bad item 3");
    }
    assertThat(out).containsExactly(0, 1, 2);
  }

  @Test
  void rejectsDepthZero() {
    assertThatThrownBy(() -> new InOrder<>(List.of(1).iterator(), i -> i, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("depth: 0");
  }

  private static void sleepMicros(long micros) {
    try {
      Thread.sleep(micros / 1000, (int) (micros % 1000) * 1000);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
