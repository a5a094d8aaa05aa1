package io.maskgen.job.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code maskgen} command; the work is in its subcommands. */
@Command(
    name = "maskgen",
    mixinStandardHelpOptions = true,
    versionProvider = MaskgenCommand.Version.class,
    description = "Generates Segment-Anything-style mask datasets with Spark and queries them.",
    subcommands = {
      GenerateCommand.class,
      SqlCommand.class,
      RenderCommand.class,
      InspectCommand.class,
      CommandLine.HelpCommand.class
    })
public final class MaskgenCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** A command line with the project's error handling: bad options exit 2 with one clear line. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new MaskgenCommand());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine cmd = ex.getCommandLine();
          cmd.getErr().println("maskgen: " + ex.getMessage());
          cmd.getErr()
              .println(
                  "Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for the options.");
          return 2;
        });
    cl.setExecutionExceptionHandler(
        (ex, cmd, parseResult) -> {
          if (ex instanceof UsageException || ex instanceof IllegalArgumentException) {
            cmd.getErr().println("maskgen: " + ex.getMessage());
            return 2;
          }
          throw ex;
        });
    return cl;
  }

  /** Version from the jar manifest, when run from a jar. */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = MaskgenCommand.class.getPackage().getImplementationVersion();
      return new String[] {"maskgen " + (v == null ? "(development build)" : v)};
    }
  }
}
