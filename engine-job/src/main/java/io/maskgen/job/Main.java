package io.maskgen.job;

import io.maskgen.job.cli.MaskgenCommand;
import picocli.CommandLine;

/** Entry point of {@code bin/maskgen} and of {@code spark-submit --class io.maskgen.job.Main}. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    int code = MaskgenCommand.commandLine(args).execute(args);
    System.exit(code);
  }
}
