package io.maskgen.amg;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs independent tasks on up to {@code parallelism} threads and returns their results in task
 * order, so the outcome does not depend on scheduling. With parallelism 1 tasks run inline on the
 * caller's thread. {@link #runAll} returns only when every started task has finished, even when one
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
   * Runs every task; returns the results in task order or throws the first failure (in task order),
   * after cancelling the tasks not yet started and waiting for the running ones.
   */
  <T> List<T> runAll(List<? extends Callable<T>> tasks) {
    List<T> results = new ArrayList<>(tasks.size());
    if (pool == null || tasks.size() <= 1) {
      for (Callable<T> task : tasks) {
        results.add(call(task));
      }
      return results;
    }
    List<Future<T>> futures = new ArrayList<>(tasks.size());
    for (Callable<T> task : tasks) {
      futures.add(pool.submit(task));
    }
    boolean interrupted = false;
    Throwable failure = null;
    for (Future<T> f : futures) {
      while (true) {
        try {
          if (failure == null && !interrupted) {
            results.add(f.get());
          } else {
            f.cancel(false);
            if (!f.isCancelled()) {
              f.get();
            }
          }
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause();
            futures.forEach(x -> x.cancel(false));
          }
          break;
        } catch (java.util.concurrent.CancellationException e) {
          break;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure instanceof RuntimeException re) {
      throw re;
    }
    if (failure instanceof Error err) {
      throw err;
    }
    if (failure != null) {
      throw new IllegalStateException("Mask generation task failed", failure);
    }
    if (interrupted) {
      throw new IllegalStateException("Interrupted while generating masks");
    }
    return results;
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

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdown();
    }
  }
}
