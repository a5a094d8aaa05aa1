package io.maskgen.amg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    // The latch orders the workers' writes before these reads.
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
