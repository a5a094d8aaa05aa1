package io.maskgen.job.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One in-process run of the maskgen command line, as tests see it: exit code, stdout and stderr.
 *
 * @param code the exit code
 * @param out what the command printed on stdout
 * @param err what it printed on stderr
 */
public record CliRun(int code, String out, String err) {

  /** Runs {@code maskgen ARGS...} (with {@code --config} defaults, as {@code Main} does). */
  public static CliRun run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = MaskgenCommand.commandLine(args);
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }
}
