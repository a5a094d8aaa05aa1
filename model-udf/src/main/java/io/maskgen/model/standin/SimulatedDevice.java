package io.maskgen.model.standin;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One simulated accelerator: runs one call at a time, first come first served, each for a fixed
 * wall time during which the calling thread is parked (no CPU), as a blocking call into a single
 * GPU would. Counts the time it was busy, so a benchmark can report the fraction of wall time the
 * "GPU" worked. Safe for concurrent use.
 */
public final class SimulatedDevice {
  private final ReentrantLock lock = new ReentrantLock(true);
  private final AtomicLong busyNanos = new AtomicLong();
  private final AtomicLong calls = new AtomicLong();

  /** Waits for the device, then holds it for {@code nanos} without using CPU. */
  public void run(long nanos) {
    lock.lock();
    try {
      long start = System.nanoTime();
      long end = start + nanos;
      for (long left = nanos; left > 0; left = end - System.nanoTime()) {
        LockSupport.parkNanos(left);
      }
      busyNanos.addAndGet(System.nanoTime() - start);
      calls.incrementAndGet();
    } finally {
      lock.unlock();
    }
  }

  /** Time the device has been held since the last {@link #reset}. */
  public long busyNanos() {
    return busyNanos.get();
  }

  /** Calls since the last {@link #reset}. */
  public long calls() {
    return calls.get();
  }

  /** Zeroes the counters. */
  public void reset() {
    busyNanos.set(0);
    calls.set(0);
  }
}
