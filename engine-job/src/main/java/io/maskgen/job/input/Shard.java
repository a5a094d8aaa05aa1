package io.maskgen.job.input;

import java.io.Serializable;
import java.util.List;

/**
 * The unit of work of one Spark task: either one tar shard, or a bounded group of loose files.
 *
 * @param index position of the shard in the plan
 * @param tarUri the tar file for a tar shard, or null
 * @param files the loose files of a file shard (empty for a tar shard)
 * @param tarState the tar file as listed, or null (a file shard, or not known)
 */
public record Shard(int index, String tarUri, List<InputImage> files, FileState tarState)
    implements Serializable {

  public static Shard ofTar(int index, String tarUri) {
    return new Shard(index, tarUri, List.of(), null);
  }

  public static Shard ofTar(int index, String tarUri, FileState state) {
    return new Shard(index, tarUri, List.of(), state);
  }

  public static Shard ofFiles(int index, List<InputImage> files) {
    return new Shard(index, null, List.copyOf(files), null);
  }

  public boolean isTar() {
    return tarUri != null;
  }

  /** A short label for progress and error messages. */
  public String label() {
    return isTar() ? tarUri : files.size() + " files from " + files.get(0).uri();
  }
}
