package io.maskgen.job.table;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.maskgen.schema.DatasetColumns;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The files of a dataset folder besides its two Delta tables: the published snapshots
 * ({@code _maskgen/snapshots/NNN.json}) and the layout checks. A snapshot file is written whole
 * before it appears under its name (temporary file and rename on file systems with atomic rename,
 * one PUT on object stores), and never overwritten: two runs publishing the same number cannot
 * both succeed.
 */
public final class DatasetStore {

  /** Folder of maskgen's own files. */
  public static final String META_DIR = "_maskgen";

  private static final String SNAPSHOTS = "snapshots";
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** How the folder is laid out. */
  public enum Layout {
    /** Nothing there yet (or only the leftovers of a first run that never finished). */
    EMPTY,
    /** Delta tables and at least one published snapshot. */
    DELTA,
    /** Plain Parquet folders written by maskgen before 0.2 (read-only). */
    LEGACY_PARQUET
  }

  private final Path root;
  private final FileSystem fs;

  public DatasetStore(Path root, Configuration conf) {
    this.root = root;
    try {
      this.fs = root.getFileSystem(conf);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open " + root, e);
    }
  }

  public Path root() {
    return root;
  }

  public FileSystem fs() {
    return fs;
  }

  public Path table(String name) {
    return new Path(root, name);
  }

  public Path meta(String child) {
    return new Path(new Path(root, META_DIR), child);
  }

  public Layout layout() {
    try {
      if (latest().isPresent()) {
        return Layout.DELTA;
      }
      Path images = table(DatasetColumns.IMAGES_TABLE);
      if (fs.exists(images) && !fs.exists(new Path(images, "_delta_log"))) {
        return Layout.LEGACY_PARQUET;
      }
      return Layout.EMPTY;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + root, e);
    }
  }

  /** Whether a table folder has a Delta log (commits that may not be published). */
  public boolean hasDeltaLog(String table) {
    try {
      return fs.exists(new Path(table(table), "_delta_log"));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + table(table), e);
    }
  }

  /** The newest published snapshot, if any. */
  public Optional<Snapshot> latest() {
    List<Long> numbers = numbers();
    return numbers.isEmpty() ? Optional.empty() : snapshot(numbers.get(numbers.size() - 1));
  }

  /** The numbers of the published snapshots, in increasing order; empty if there are none. */
  public List<Long> numbers() {
    Path dir = meta(SNAPSHOTS);
    FileStatus[] files;
    try {
      files = fs.listStatus(dir);
    } catch (FileNotFoundException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir, e);
    }
    List<Long> numbers = new ArrayList<>();
    for (FileStatus f : files) {
      long n = number(f.getPath().getName());
      if (n >= 0) {
        numbers.add(n);
      }
    }
    Collections.sort(numbers);
    return numbers;
  }

  /** Published snapshot {@code number}; empty if there is no such snapshot. */
  public Optional<Snapshot> snapshot(long number) {
    Path file = new Path(meta(SNAPSHOTS), name(number));
    try (InputStream in = fs.open(file)) {
      return Optional.of(JSON.readValue(in, Snapshot.class));
    } catch (FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read snapshot " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Publishes {@code s} as the dataset's current state.
   *
   * @throws IllegalStateException if snapshot {@code s.number()} exists already (another run
   *     published first)
   */
  public void publish(Snapshot s) {
    Path file = new Path(meta(SNAPSHOTS), name(s.number()));
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!createExclusive(file, bytes)) {
      throw new IllegalStateException(
          "Snapshot " + file + " exists already: another run changed the dataset meanwhile");
    }
  }

  /**
   * Creates {@code file} with {@code bytes} unless it exists; readers never see it partly
   * written. Local files: a hard link from a finished temporary file (atomic, fails if the name
   * exists). HDFS and other file systems: rename of a finished temporary file (fails if the name
   * exists). Object stores: one PUT, preceded by an existence check (not atomic against a
   * concurrent writer; {@link DatasetLock} keeps writers apart).
   *
   * @return false if {@code file} exists already
   */
  public boolean createExclusive(Path file, byte[] bytes) {
    try {
      fs.mkdirs(file.getParent());
      if (isObjectStore()) {
        try (OutputStream o = fs.create(file, false)) {
          o.write(bytes);
        }
        return true;
      }
      Path tmp = new Path(file.getParent(), "." + file.getName() + "." + UUID.randomUUID() + ".tmp");
      try (OutputStream o = fs.create(tmp, false)) {
        o.write(bytes);
      }
      try {
        if ("file".equals(fs.getUri().getScheme())) {
          java.nio.file.Path target = java.nio.file.Path.of(fs.makeQualified(file).toUri());
          java.nio.file.Path source = java.nio.file.Path.of(fs.makeQualified(tmp).toUri());
          try {
            java.nio.file.Files.createLink(target, source);
            return true;
          } catch (java.nio.file.FileAlreadyExistsException e) {
            return false;
          }
        }
        return fs.rename(tmp, file);
      } finally {
        fs.delete(tmp, false);
      }
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  boolean isObjectStore() {
    String scheme = fs.getUri().getScheme();
    return scheme != null && (scheme.equals("s3a") || scheme.equals("gs") || scheme.equals("abfs"));
  }

  static ObjectMapper json() {
    return JSON;
  }

  private static String name(long n) {
    return String.format(Locale.ROOT, "%020d.json", n);
  }

  private static long number(String name) {
    if (name.length() != 25 || !name.endsWith(".json")) {
      return -1;
    }
    try {
      return Long.parseLong(name.substring(0, 20));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
