package io.maskgen.schema;

import static io.maskgen.schema.MaskRecord.check;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One row of the {@code images} table: an input image and what became of it. Every input image gets
 * exactly one row, also when it could not be read or decoded ({@code status = 'failed'}).
 *
 * @param imageId path of the image relative to its input root, or its member path inside a tar
 *     shard, without the file extension (e.g. {@code "train/sa_1"}); never null
 * @param source where the image was read from: the input root directory or the tar shard's path or
 *     URI; never null
 * @param sha256 lowercase hex SHA-256 of the image file's bytes; null only when the bytes could not
 *     be read
 * @param width image width in pixels; null only when the image failed before it was decoded
 * @param height image height in pixels; null only when the image failed before it was decoded
 * @param status {@value #STATUS_OK} or {@value #STATUS_FAILED}
 * @param error for failed images, the reason naming the file; null for {@code ok}
 * @param maskCount number of rows of this image in {@code masks}; 0 for failed images
 * @param generator fingerprint of the model and generator parameters; never null
 * @param runId id of the job run that wrote the row; never null
 * @param seconds wall time spent on this image, from reading its bytes to its last mask, in seconds
 * @param inputFile the file that was read: the image file's URI, or the tar shard's; null when
 *     not recorded (rows of other writers)
 * @param inputSize {@code inputFile}'s length in bytes as listed before reading; null when not
 *     recorded
 * @param inputModified {@code inputFile}'s modification time as listed before reading, in
 *     milliseconds since the epoch; null when not recorded
 * @param inputEtag {@code inputFile}'s entity tag on object stores that have one (S3); null
 *     elsewhere
 */
public record ImageRecord(
    String imageId,
    String source,
    String sha256,
    Integer width,
    Integer height,
    String status,
    String error,
    int maskCount,
    String generator,
    String runId,
    double seconds,
    String inputFile,
    Long inputSize,
    Long inputModified,
    String inputEtag) {

  public static final String STATUS_OK = "ok";
  public static final String STATUS_FAILED = "failed";

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** Validates the invariants. */
  public ImageRecord {
    Objects.requireNonNull(imageId, "imageId");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(generator, "generator");
    Objects.requireNonNull(runId, "runId");
    check(
        status.equals(STATUS_OK) || status.equals(STATUS_FAILED),
        "Invalid status: '%s', expected '%s' or '%s'",
        status,
        STATUS_OK,
        STATUS_FAILED);
    check(
        sha256 == null || SHA256.matcher(sha256).matches(),
        "Invalid sha256: '%s', expected 64 lowercase hex digits",
        sha256);
    check(width == null || width > 0, "Invalid width: %s", width);
    check(height == null || height > 0, "Invalid height: %s", height);
    check(maskCount >= 0, "Invalid mask count: %s", maskCount);
    check(seconds >= 0 && Double.isFinite(seconds), "Invalid seconds: %s", seconds);
    check(inputSize == null || inputSize >= 0, "Invalid input size: %s", inputSize);
    if (status.equals(STATUS_OK)) {
      check(error == null, "Image %s has status 'ok' and an error: %s", imageId, error);
      check(
          sha256 != null && width != null && height != null,
          "Image %s has status 'ok' but no sha256, width or height",
          imageId);
    } else {
      check(
          error != null && !error.isBlank(), "Image %s has status 'failed' but no error", imageId);
      check(maskCount == 0, "Image %s has status 'failed' but %s masks", imageId, maskCount);
    }
  }

  /** A successfully processed image. */
  public static ImageRecord ok(
      String imageId,
      String source,
      String sha256,
      int width,
      int height,
      int maskCount,
      String generator,
      String runId,
      double seconds) {
    return new ImageRecord(
        imageId, source, sha256, width, height, STATUS_OK, null, maskCount, generator, runId,
        seconds, null, null, null, null);
  }

  /**
   * An image that could not be processed.
   *
   * @param sha256 null if the bytes could not be read
   * @param width null if the image was not decoded
   * @param height null if the image was not decoded
   * @param error the reason, naming the file
   */
  public static ImageRecord failed(
      String imageId,
      String source,
      String sha256,
      Integer width,
      Integer height,
      String error,
      String generator,
      String runId,
      double seconds) {
    return new ImageRecord(
        imageId, source, sha256, width, height, STATUS_FAILED, error, 0, generator, runId, seconds,
        null, null, null, null);
  }

  /** This row with the input file as found before reading it (see the {@code input*} fields). */
  public ImageRecord withInput(String file, long size, long modified, String etag) {
    return new ImageRecord(
        imageId, source, sha256, width, height, status, error, maskCount, generator, runId,
        seconds, file, size, modified, etag);
  }

  /** Whether {@link #status()} is {@value #STATUS_OK}. */
  public boolean isOk() {
    return status.equals(STATUS_OK);
  }
}
