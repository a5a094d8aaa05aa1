package io.maskgen.job.cli;

import io.maskgen.job.bench.BenchCommand;
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
      PredictCommand.class,
      InspectCommand.class,
      SearchCommand.class,
      ExportCommand.class,
      ImportSa1bCommand.class,
      PruneCommand.class,
      BenchCommand.class,
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
    return commandLine(new String[0]);
  }

  /**
   * A command line for {@code args}: when they name {@code --config FILE}, the file's values become
   * the defaults of the subcommand's options (a flag on the command line still wins).
   */
  public static CommandLine commandLine(String[] args) {
    CommandLine cl = new CommandLine(new MaskgenCommand());
    java.nio.file.Path config = ConfigFileDefaults.findConfigArg(args);
    UsageException[] configError = {null};
    if (config != null) {
      try {
        ConfigFileDefaults defaults = ConfigFileDefaults.read(config);
        for (CommandLine sub : cl.getSubcommands().values()) {
          if (sub.getCommandSpec().findOption("--config") != null) {
            defaults.checkKeys(sub.getCommandSpec());
            sub.setDefaultValueProvider(defaults);
          }
        }
      } catch (UsageException e) {
        configError[0] = e;
        cl.setExecutionStrategy(
            parseResult -> {
              cl.getErr().println("maskgen: " + e.getMessage());
              return 2;
            });
      }
    }
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler(
        (ex, badArgs) -> {
          CommandLine cmd = ex.getCommandLine();
          if (configError[0] != null) {
            // The config file's problem explains the rest (e.g. options it should have set).
            cmd.getErr().println("maskgen: " + configError[0].getMessage());
            return 2;
          }
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
