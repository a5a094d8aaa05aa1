package io.maskgen.job.input;

import java.io.Serializable;
import java.util.Objects;
import org.apache.hadoop.fs.EtagSource;
import org.apache.hadoop.fs.FileStatus;

/**
 * What a listing says about an input file, and what a refresh compares with the dataset's record
 * of it instead of reading it (as rsync and cloud sync tools do): its length, its modification
 * time and, on object stores that have one (S3), its entity tag.
 *
 * @param size length in bytes
 * @param modified modification time, milliseconds since the epoch
 * @param etag the entity tag, or null where the file system has none
 */
public record FileState(long size, long modified, String etag) implements Serializable {

  /** The state of a listed file. */
  public static FileState of(FileStatus status) {
    String etag = null;
    if (status instanceof EtagSource e) {
      String t = e.getEtag();
      etag = t == null || t.isEmpty() ? null : t;
    }
    return new FileState(status.getLen(), status.getModificationTime(), etag);
  }

  /**
   * Whether a recorded state (any part may be null: not recorded) is this one: same size, and the
   * same entity tag when both have one, else the same modification time.
   */
  public boolean matches(Long recordedSize, Long recordedModified, String recordedEtag) {
    if (recordedSize == null || recordedSize != size) {
      return false;
    }
    if (etag != null && recordedEtag != null) {
      return etag.equals(recordedEtag);
    }
    return Objects.equals(recordedModified, modified);
  }
}
