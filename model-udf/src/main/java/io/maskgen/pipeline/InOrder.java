package io.maskgen.pipeline;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Applies a function to the items of a source on up to {@code depth} threads at once and yields
 * the results in source order, so several images can be in the pipeline together: while the model
 * works on one, the previous one is post-processed and embedded and the caller writes the one
 * before. The outcome does not depend on the depth: each item's work is the same, only when it
 * runs changes. Depth 1 runs everything on the caller's thread, one item after another.
 *
 * <p>The source is read on the caller's thread, {@code depth} items ahead of the result it
 * returns. A failed item throws its exception (unchecked exceptions and errors as they are) when
 * its result is due. Not thread-safe; close it to stop the threads.
 */
public final class InOrder<T, R> implements Iterator<R>, AutoCloseable {
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final Iterator<T> source;
  private final Function<T, R> work;
  private final int depth;
  private final ExecutorService pool;
  private final ArrayDeque<Future<R>> running = new ArrayDeque<>();

  /**
   * @param depth items worked on at once, at least 1
   */
  public InOrder(Iterator<T> source, Function<T, R> work, int depth) {
    if (depth < 1) {
      throw new IllegalArgumentException("Invalid depth: " + depth + " (must be >= 1)");
    }
    this.source = source;
    this.work = work;
    this.depth = depth;
    if (depth == 1) {
      this.pool = null;
    } else {
      int id = POOLS.incrementAndGet();
      AtomicInteger n = new AtomicInteger();
      this.pool =
          Executors.newFixedThreadPool(
              depth,
              r -> {
                Thread t = new Thread(r, "maskgen-image-" + id + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
    }
  }

  @Override
  public boolean hasNext() {
    return !running.isEmpty() || source.hasNext();
  }

  @Override
  public R next() {
    if (pool == null) {
      return work.apply(source.next());
    }
    while (running.size() < depth && source.hasNext()) {
      T item = source.next();
      running.add(pool.submit(() -> work.apply(item)));
    }
    Future<R> head = running.poll();
    if (head == null) {
      throw new NoSuchElementException();
    }
    try {
      return head.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for an image", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("Image processing failed: " + c, c);
    }
  }

  /** Stops the threads, interrupting work still running; results not taken are dropped. */
  @Override
  public void close() {
    if (pool != null) {
      running.forEach(f -> f.cancel(true));
      running.clear();
      pool.shutdownNow();
    }
  }
}
