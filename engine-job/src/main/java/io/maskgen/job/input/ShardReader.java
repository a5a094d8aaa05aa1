package io.maskgen.job.input;

import java.io.BufferedInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Streams the images of one shard. Reading one image's bytes never fails the iteration: an
 * unreadable file becomes an item with an error. A tar that cannot be opened or is cut off mid-way
 * raises {@link UncheckedIOException}, so Spark retries the task.
 */
public final class ShardReader implements Iterator<ShardReader.Item>, AutoCloseable {

  /** Largest single image file read into memory. */
  public static final long MAX_FILE_BYTES = 1L << 30;

  /**
   * One image of a shard: its bytes, or the error met while reading them.
   *
   * @param imageId see {@link InputImage#imageId()}; for tars the member path without extension
   * @param source where it came from: the file URI, or {@code tarUri!member}
   * @param bytes the file content, null when {@code error} is set
   * @param error why the bytes could not be read, or null
   * @param startNanos {@link System#nanoTime()} when reading started
   * @param file the file read: the image file's URI, or the tar shard's
   * @param state {@code file} as listed before the run, or null when not known
   */
  public record Item(
      String imageId,
      String source,
      byte[] bytes,
      String error,
      long startNanos,
      String file,
      FileState state) {}

  private final Configuration conf;
  private final Shard shard;
  private int fileIndex;
  private TarArchiveInputStream tar;
  private Item next;
  private boolean tarDone;
  private int tarMembers;

  public ShardReader(Shard shard, Configuration conf) {
    this.shard = shard;
    this.conf = conf;
  }

  @Override
  public boolean hasNext() {
    if (next == null) {
      next = shard.isTar() ? nextTarItem() : nextFileItem();
    }
    return next != null;
  }

  @Override
  public Item next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Item item = next;
    next = null;
    return item;
  }

  private Item nextFileItem() {
    if (fileIndex >= shard.files().size()) {
      return null;
    }
    InputImage file = shard.files().get(fileIndex++);
    long start = System.nanoTime();
    if (file.length() > MAX_FILE_BYTES) {
      return new Item(file.imageId(), file.uri(), null,
          "file is " + file.length() + " bytes, larger than the " + MAX_FILE_BYTES + " byte limit",
          start, file.uri(), file.state());
    }
    Path path = new Path(file.uri());
    try (FSDataInputStream in = path.getFileSystem(conf).open(path)) {
      return new Item(
          file.imageId(), file.uri(), in.readAllBytes(), null, start, file.uri(), file.state());
    } catch (IOException e) {
      return new Item(file.imageId(), file.uri(), null, "unreadable: " + e, start, file.uri(),
          file.state());
    }
  }

  private Item nextTarItem() {
    if (tarDone) {
      return null;
    }
    String member = null;
    long start = System.nanoTime();
    try {
      if (tar == null) {
        Path path = new Path(shard.tarUri());
        FileSystem fs = path.getFileSystem(conf);
        InputStream in = new BufferedInputStream(fs.open(path), 1 << 20);
        tar = new TarArchiveInputStream(in);
      }
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        if (!entry.isFile()) {
          continue;
        }
        String name = entry.getName();
        String base = name.substring(name.lastIndexOf('/') + 1);
        if (base.startsWith(".")
            || !InputScanner.IMAGE_EXTENSIONS.contains(InputScanner.extension(base))) {
          continue; // side files (SA-1B's .json) and anything else
        }
        start = System.nanoTime();
        member = name;
        String source = shard.tarUri() + "!" + name;
        String id = InputScanner.stripExtension(name.startsWith("./") ? name.substring(2) : name);
        if (entry.getSize() > MAX_FILE_BYTES) {
          return new Item(id, source, null,
              "tar member is " + entry.getSize() + " bytes, larger than the limit", start,
              shard.tarUri(), shard.tarState());
        }
        byte[] bytes = tar.readAllBytes();
        tarMembers++;
        return new Item(id, source, bytes, null, start, shard.tarUri(), shard.tarState());
      }
      tarDone = true;
      return null;
    } catch (FileNotFoundException e) {
      throw new UncheckedIOException("Tar shard not found: " + shard.tarUri(), e);
    } catch (IOException e) {
      // A cut-off or corrupt tar: keep what was read, record the break as a failed row, stop.
      tarDone = true;
      String where = member != null ? member : "#after-" + tarMembers + "-members";
      String id = member != null ? InputScanner.stripExtension(member) : shardName() + where;
      return new Item(id, shard.tarUri() + "!" + where, null,
          "corrupt or truncated tar shard after " + tarMembers + " members: " + e.getMessage(),
          start, shard.tarUri(), shard.tarState());
    }
  }

  private String shardName() {
    String t = shard.tarUri();
    return InputScanner.stripExtension(t.substring(t.lastIndexOf('/') + 1));
  }

  @Override
  public void close() throws IOException {
    if (tar != null) {
      tar.close();
    }
  }
}
