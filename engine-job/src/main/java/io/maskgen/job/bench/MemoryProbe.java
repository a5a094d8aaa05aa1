package io.maskgen.job.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory of this JVM. Heap: the sum over heap pools of their peak use since {@link #reset} (an
 * upper bound of the true peak, as pools peak at different times). Process: resident set size now
 * and its peak ({@code VmRSS}, {@code VmHWM} of {@code /proc/self/status}; the peak is reset by
 * writing 5 to {@code /proc/self/clear_refs}, where the kernel allows it). Native memory is the
 * resident set minus the committed heap: ONNX Runtime / PyTorch, thread stacks, code, metaspace.
 * Values are -1 where {@code /proc} is not available.
 */
final class MemoryProbe {
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

  private boolean rssPeakReset;

  /** Starts a new measurement window. */
  void reset() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
    try {
      Files.writeString(CLEAR_REFS, "5", StandardCharsets.US_ASCII);
      rssPeakReset = true;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      rssPeakReset = false;
    }
  }

  /** Whether the last {@link #reset} also reset the process peak (else it is since JVM start). */
  boolean rssPeakReset() {
    return rssPeakReset;
  }

  long heapPeakBytes() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  long heapUsedBytes() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  long heapCommittedBytes() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
  }

  long rssBytes() {
    return status("VmRSS:");
  }

  long rssPeakBytes() {
    return status("VmHWM:");
  }

  /** Resident memory that is not committed heap, now. */
  long nativeBytes() {
    long rss = rssBytes();
    return rss < 0 ? -1 : rss - heapCommittedBytes();
  }

  private static long status(String key) {
    try {
      for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
        if (line.startsWith(key)) {
          String[] parts = line.substring(key.length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
