package io.maskgen.job.input;

import java.io.Serializable;

/**
 * One loose image file to process.
 *
 * @param uri fully qualified Hadoop path (file:/..., s3a://...)
 * @param imageId path relative to the input root it was found under, without extension
 * @param length file length in bytes
 * @param state the file as listed (length, modification time, entity tag); null when unknown
 */
public record InputImage(String uri, String imageId, long length, FileState state)
    implements Serializable {

  /** A file whose modification time is unknown. */
  public InputImage(String uri, String imageId, long length) {
    this(uri, imageId, length, null);
  }
}
