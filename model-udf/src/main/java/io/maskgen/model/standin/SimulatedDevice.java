package io.maskgen.model.standin;

import java.util.concurrent.locks.LockSupport;

/**
 * One simulated accelerator with its own timeline: calls run one at a time in the order they
 * arrive, each for a fixed time; a call that arrives while the device is busy starts when the
 * previous one ends. The caller is parked (no CPU) until its call ends, as a blocking call into a
 * single GPU would. The timeline does not depend on when parked threads wake up, so a loaded
 * machine does not slow the device down. Counts the time the device worked, so a benchmark can
 * report the fraction of wall time the "GPU" was busy. Safe for concurrent use.
 */
public final class SimulatedDevice {
  private long freeAt = Long.MIN_VALUE;
  private long busyNanos;
  private long calls;

  /** Queues a call of {@code nanos} on the device and waits, without CPU, until it has run. */
  public void run(long nanos) {
    long end;
    synchronized (this) {
      long now = System.nanoTime();
      end = Math.max(now, freeAt) + nanos;
      freeAt = end;
      busyNanos += nanos;
      calls++;
    }
    for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }

  /** Time the device has worked since the last {@link #reset}, calls not yet ended included. */
  public synchronized long busyNanos() {
    return busyNanos;
  }

  /** Calls since the last {@link #reset}. */
  public synchronized long calls() {
    return calls;
  }

  /** Zeroes the counters. */
  public synchronized void reset() {
    busyNanos = 0;
    calls = 0;
  }
}
