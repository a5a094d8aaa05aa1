package io.maskgen.schema.sa1b;

import java.io.IOException;

/**
 * Thrown when an SA-1B JSON file is malformed: not JSON, a missing or mistyped field, or an invalid
 * mask. The message names the file and the field, e.g. {@code "Invalid SA-1B JSON sa_1.json:
 * annotations[3].segmentation.size: expected [height, width]"}.
 */
public class Sa1bFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public Sa1bFormatException(String message) {
    super(message);
  }

  public Sa1bFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
