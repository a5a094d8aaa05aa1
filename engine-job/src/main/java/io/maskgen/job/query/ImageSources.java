package io.maskgen.job.query;

import io.maskgen.job.input.ShardReader;
import java.io.BufferedInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads an image's bytes back from its {@code images.source} value: a file URI or path ({@code
 * file:/data/a.jpg}, {@code s3a://bucket/a.jpg}), or {@code TAR_URI!MEMBER} for an image inside a
 * tar shard (the member is found by scanning the tar).
 */
public final class ImageSources {

  private static final String TAR_SEPARATOR = ".tar!";

  private ImageSources() {}

  /**
   * The file's bytes.
   *
   * @throws FileNotFoundException if the file, the tar or the member does not exist
   * @throws IOException if it cannot be read, or is larger than {@link ShardReader#MAX_FILE_BYTES}
   */
  public static byte[] read(String source, Configuration conf) throws IOException {
    int tar = source.indexOf(TAR_SEPARATOR);
    if (tar >= 0) {
      String tarUri = source.substring(0, tar + TAR_SEPARATOR.length() - 1);
      String member = source.substring(tar + TAR_SEPARATOR.length());
      return readTarMember(tarUri, member, conf);
    }
    Path path = new Path(source);
    FileSystem fs = path.getFileSystem(conf);
    long length = fs.getFileStatus(path).getLen();
    checkLength(source, length);
    try (FSDataInputStream in = fs.open(path)) {
      return in.readAllBytes();
    }
  }

  private static byte[] readTarMember(String tarUri, String member, Configuration conf)
      throws IOException {
    Path path = new Path(tarUri);
    try (InputStream raw = path.getFileSystem(conf).open(path);
        TarArchiveInputStream tar =
            new TarArchiveInputStream(new BufferedInputStream(raw, 1 << 20))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        if (entry.isFile() && entry.getName().equals(member)) {
          checkLength(tarUri + "!" + member, entry.getSize());
          return tar.readAllBytes();
        }
      }
    }
    throw new FileNotFoundException("No member " + member + " in tar shard " + tarUri);
  }

  private static void checkLength(String source, long length) throws IOException {
    if (length > ShardReader.MAX_FILE_BYTES) {
      throw new IOException(
          source
              + " is "
              + length
              + " bytes, larger than the "
              + ShardReader.MAX_FILE_BYTES
              + " byte limit");
    }
  }
}
