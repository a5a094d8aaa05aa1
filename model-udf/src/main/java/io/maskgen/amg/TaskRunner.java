package io.maskgen.amg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Runs independent tasks on up to {@code parallelism} threads and returns their results in task
 * order, so the outcome does not depend on scheduling. With parallelism 1 tasks run inline on the
 * caller's thread. {@link #runAll} returns only when no task is running any more, even when one
 * fails or the caller is interrupted, so resources the tasks share may be closed afterwards.
 */
final class TaskRunner implements AutoCloseable {
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final int parallelism;
  private final ExecutorService pool;

  TaskRunner(int parallelism) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("Invalid parallelism: " + parallelism + " (must be >= 1)");
    }
    this.parallelism = parallelism;
    this.pool =
        parallelism == 1 ? null : Executors.newFixedThreadPool(parallelism, daemonThreads());
  }

  int parallelism() {
    return parallelism;
  }

  /**
   * Runs every task; returns the results in task order, or throws the failure of the first failed
   * task (in task order). After a failure or an interrupt, tasks not yet started are skipped.
   */
  <T> List<T> runAll(List<? extends Callable<T>> tasks) {
    int n = tasks.size();
    if (pool == null || n <= 1) {
      List<T> results = new ArrayList<>(n);
      for (Callable<T> task : tasks) {
        results.add(call(task));
      }
      return results;
    }
    Object[] results = new Object[n];
    Throwable[] failures = new Throwable[n];
    AtomicBoolean abort = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      int k = i;
      Callable<T> task = tasks.get(i);
      pool.execute(
          () -> {
            try {
              if (!abort.get()) {
                results[k] = task.call();
              }
            } catch (Exception | Error e) {
              // Handed to the caller below; the pool thread must not die with it.
              failures[k] = e;
              abort.set(true);
            } finally {
              done.countDown();
            }
          });
    }
    boolean interrupted = false;
    while (true) {
      try {
        done.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
        abort.set(true);
      }
    }
    // The latch orders the workers' writes before these reads.
    return outcome(results, failures, interrupted);
  }

  /**
   * Runs {@code produce(0)}, ..., {@code produce(n - 1)} one after another on the caller's thread
   * and hands each result to {@code consume} on the threads, with at most {@code parallelism + 1}
   * produced results not yet consumed (which bounds the memory they hold); returns the consumed
   * results in order. Failures as in {@link #runAll}: the first in order is thrown once nothing
   * runs any more, and nothing new starts after it. With parallelism 1 it alternates on the
   * caller's thread.
   */
  <D, T> List<T> runFed(int n, IntFunction<D> produce, Function<D, T> consume) {
    if (pool == null || n <= 1) {
      List<T> results = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        results.add(consume.apply(produce.apply(i)));
      }
      return results;
    }
    Semaphore slots = new Semaphore(parallelism + 1);
    Semaphore finished = new Semaphore(0);
    Object[] results = new Object[n];
    Throwable[] failures = new Throwable[n + 1];
    AtomicBoolean abort = new AtomicBoolean();
    int submitted = 0;
    boolean interrupted = false;
    try {
      for (int i = 0; i < n && !abort.get(); i++) {
        slots.acquire();
        D item;
        try {
          item = produce.apply(i);
        } catch (RuntimeException | Error e) {
          slots.release();
          failures[n] = e;
          break;
        }
        int k = i;
        Runnable work =
            () -> {
              try {
                if (!abort.get()) {
                  results[k] = consume.apply(item);
                }
              } catch (Exception | Error e) {
                // Handed to the caller below; the pool thread must not die with it.
                failures[k] = e;
                abort.set(true);
              } finally {
                slots.release();
                finished.release();
              }
            };
        try {
          pool.execute(work);
        } catch (RuntimeException e) {
          slots.release();
          failures[n] = e;
          break;
        }
        submitted++;
      }
    } catch (InterruptedException e) {
      interrupted = true;
      abort.set(true);
    }
    while (true) {
      try {
        finished.acquire(submitted);
        break;
      } catch (InterruptedException e) {
        interrupted = true;
        abort.set(true);
      }
    }
    // The semaphore orders the workers' writes before these reads; a consumer failure comes
    // before the producer's (its item was produced first).
    return outcome(results, failures, interrupted);
  }

  /**
   * The results in order, or the first failure in order (unchecked ones as they are); restores
   * the caller's interrupt flag and fails if it was interrupted.
   */
  private static <T> List<T> outcome(Object[] results, Throwable[] failures, boolean interrupted) {
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    for (Throwable f : failures) {
      if (f instanceof RuntimeException re) {
        throw re;
      }
      if (f instanceof Error err) {
        throw err;
      }
      if (f != null) {
        throw new IllegalStateException("Mask generation task failed", f);
      }
    }
    if (interrupted) {
      throw new IllegalStateException("Interrupted while generating masks");
    }
    @SuppressWarnings("unchecked")
    List<T> out = (List<T>) Arrays.asList(results);
    return new ArrayList<>(out);
  }

  private static <T> T call(Callable<T> task) {
    try {
      return task.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("Mask generation task failed", e);
    }
  }

  private static ThreadFactory daemonThreads() {
    int pool = POOLS.incrementAndGet();
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "maskgen-amg-" + pool + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Stops the threads; tasks already handed to {@link #runAll} still finish. */
  @Override
  public void close() {
    if (pool != null) {
      pool.shutdown();
    }
  }
}
