package io.maskgen.job.table;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Instant;
import org.apache.hadoop.fs.Path;

/**
 * The one writer of a dataset: {@code _maskgen/lock}, created only if absent, holding who took it.
 * A second {@code generate} or {@code prune} on the same dataset is refused with the holder's
 * details. A lock left by a killed run on this host (its process is gone) is taken over with a
 * note; one from another host must be removed by hand, as the message says.
 */
public final class DatasetLock implements AutoCloseable {

  /**
   * What the lock file says.
   *
   * @param runId the holding run
   * @param host its driver's host name
   * @param pid its driver's process id
   * @param started when it took the lock, ISO-8601
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Holder(String runId, String host, long pid, String started) {}

  /** Thrown when another run holds the lock. */
  public static final class HeldException extends RuntimeException {
    HeldException(String message) {
      super(message);
    }
  }

  private final DatasetStore store;
  private final Path file;
  private final Holder me;
  private boolean released;

  private DatasetLock(DatasetStore store, Path file, Holder me) {
    this.store = store;
    this.file = file;
    this.me = me;
  }

  /**
   * Takes the lock of the dataset for {@code runId}.
   *
   * @throws HeldException if a live run holds it
   */
  public static DatasetLock acquire(DatasetStore store, String runId, PrintStream log) {
    return acquire(store, runId, (java.util.function.Consumer<String>) log::println);
  }

  /** As {@link #acquire(DatasetStore, String, PrintStream)}, messages to a writer. */
  public static DatasetLock acquire(DatasetStore store, String runId, java.io.PrintWriter log) {
    return acquire(store, runId, (java.util.function.Consumer<String>) m -> {
      log.println(m);
      log.flush();
    });
  }

  private static DatasetLock acquire(
      DatasetStore store, String runId, java.util.function.Consumer<String> log) {
    Path file = store.meta("lock");
    Holder me = new Holder(runId, host(), ProcessHandle.current().pid(), Instant.now().toString());
    for (int attempt = 0; attempt < 2; attempt++) {
      if (tryCreate(store, file, me)) {
        return new DatasetLock(store, file, me);
      }
      Holder h = read(store, file);
      if (h == null) {
        continue; // released meanwhile
      }
      if (h.host() != null && h.host().equals(me.host()) && !ProcessHandle.of(h.pid()).isPresent()) {
        log.accept(
            String.format(
                "maskgen: taking over the lock of run %s (process %d on this host is gone)",
                h.runId(), h.pid()));
        delete(store, file);
        continue;
      }
      throw new HeldException(
          "Dataset "
              + store.root()
              + " is being changed by run "
              + h.runId()
              + " (host "
              + h.host()
              + ", pid "
              + h.pid()
              + ", since "
              + h.started()
              + "): wait until it ends. If that run is dead, delete "
              + file
              + " and run again");
    }
    throw new HeldException("Cannot take the lock " + file + ": another run keeps taking it");
  }

  public Holder holder() {
    return me;
  }

  @Override
  public void close() {
    if (released) {
      return;
    }
    released = true;
    Holder h = read(store, file);
    if (h != null && me.equals(h)) {
      delete(store, file);
    }
  }

  private static boolean tryCreate(DatasetStore store, Path file, Holder me) {
    try {
      return store.createExclusive(file, DatasetStore.json().writeValueAsBytes(me));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Holder read(DatasetStore store, Path file) {
    try (InputStream in = store.fs().open(file)) {
      return DatasetStore.json().readValue(in, Holder.class);
    } catch (java.io.FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      // Being written (empty or partial): treat as held by an unknown live run.
      return new Holder("(unknown: " + e.getMessage() + ")", null, -1, null);
    }
  }

  private static void delete(DatasetStore store, Path file) {
    try {
      store.fs().delete(file, false);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete lock " + file + ": " + e.getMessage(), e);
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
