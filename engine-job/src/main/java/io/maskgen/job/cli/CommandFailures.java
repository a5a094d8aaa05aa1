package io.maskgen.job.cli;

import io.maskgen.job.query.QueryErrors;
import java.io.PrintWriter;

/** How the query commands report a failure: one line on stderr, exit code 1. */
final class CommandFailures {

  private CommandFailures() {}

  /**
   * Prints {@code "maskgen COMMAND: reason"} (and the stack trace first when {@code verbose}).
   *
   * @return the exit code, 1
   */
  static int report(
      String command, Exception e, boolean verbose, PrintWriter out, PrintWriter err) {
    out.flush();
    if (verbose) {
      e.printStackTrace(err);
    }
    err.println("maskgen " + command + ": " + QueryErrors.describe(e));
    err.flush();
    return 1;
  }
}
