package dev.trainyard.app.cli;

import dev.trainyard.app.config.ConfigException;
import dev.trainyard.stack.StackException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
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
              if (e instanceof StackException || e instanceof ConfigException) {
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
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("/trainyard-version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {
        "trainyard " + p.getProperty("version", "unknown"),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vm.name")
            + ")"
      };
    }
  }
}
