package io.maskgen.image;

/**
 * An image that cannot be decoded. The message names the file and the cause, e.g. {@code
 * "photo.jpg: truncated JPEG (no end-of-image marker)"}; {@link #reason()} classifies it. It is a
 * property of one input record, never of the run: callers turn it into a failed row and go on.
 */
public final class ImageDecodeException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why an image could not be decoded. */
  public enum Reason {
    /** Zero bytes. */
    EMPTY,
    /** The bytes are not an image in any format the decoder knows (a text file named .jpg). */
    NOT_AN_IMAGE,
    /** A known format whose data ends early. */
    TRUNCATED,
    /** The header declares more pixels than the configured limit. */
    TOO_LARGE,
    /** A real image in a format or variant this decoder does not read (WebP, 12-bit JPEG). */
    UNSUPPORTED,
    /** A known format whose data is inconsistent. */
    CORRUPT
  }

  private final String fileName;
  private final Reason reason;

  public ImageDecodeException(String fileName, Reason reason, String detail) {
    this(fileName, reason, detail, null);
  }

  public ImageDecodeException(String fileName, Reason reason, String detail, Throwable cause) {
    super(fileName + ": " + detail, cause);
    this.fileName = fileName;
    this.reason = reason;
  }

  /** The name given to the decoder for this image (usually its path). */
  public String fileName() {
    return fileName;
  }

  public Reason reason() {
    return reason;
  }
}
