package dev.trainyard.app.cli;

import dev.trainyard.app.config.ConfigException;
import dev.trainyard.stack.StackException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "trainyard",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Train and batch-score ML models as durable Temporal workflows.",
    subcommands = {
      DemoCommand.class,
      DevCommand.class,
      WorkerCommand.class,
      TrainCommand.class,
      ScoreCommand.class,
      EvaluateScoresCommand.class,
      ScheduleCommands.class,
      RunCommands.Watch.class,
      RunCommands.Approve.class,
      ModelCommands.ListVersions.class,
      ModelCommands.Promote.class,
      ModelCommands.Rollback.class,
      ModelCommands.Lineage.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code; tests call this instead of {@link #main}. */
  public static int run(String... args) {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              // Expected problems get one line a user can act on; anything else keeps its trace.
              if (e instanceof StackException
                  || e instanceof ConfigException
                  || e instanceof dev.trainyard.app.spec.PipelineSpecFile.InvalidSpecException
                  || e instanceof IllegalArgumentException) {
                cmd.getErr().println("error: " + e.getMessage());
                return 1;
              }
              cmd.getErr().println("error: " + e);
              e.printStackTrace(cmd.getErr());
              return 1;
            })
        .execute(args);
  }

  /** The version Maven stamped into the jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "trainyard " + dev.trainyard.app.config.Version.current(),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vm.name")
            + ")"
      };
    }
  }
}
