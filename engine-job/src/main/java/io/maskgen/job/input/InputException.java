package io.maskgen.job.input;

/** An input path that cannot be used; the message names the path and the cause. */
public final class InputException extends RuntimeException {
  public InputException(String message) {
    super(message);
  }

  public InputException(String message, Throwable cause) {
    super(message, cause);
  }
}
