package io.maskgen.job.cli;

/** A wrong option value found after parsing; reported as one line, exit code 2, before any work. */
public final class UsageException extends RuntimeException {
  public UsageException(String message) {
    super(message);
  }
}
