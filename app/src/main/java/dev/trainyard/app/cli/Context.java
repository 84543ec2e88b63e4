package dev.trainyard.app.cli;

import dev.trainyard.app.config.TrainyardConfig;
import dev.trainyard.stack.StackConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command shares, and the configuration they resolve to. */
public class Context {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "YAML config file (default: $TRAINYARD_CONFIG, else trainyard.yaml in the Trainyard home)."
              + " Environment variables override it.")
  Path configFile;

  private StackConfig stack;

  /** The Trainyard installation: the launcher exports TRAINYARD_HOME; else the working folder. */
  public static Path home() {
    String env = System.getenv("TRAINYARD_HOME");
    Path home = env != null ? Path.of(env) : Path.of("").toAbsolutePath();
    return home.toAbsolutePath().normalize();
  }

  public StackConfig stack() {
    if (stack == null) {
      Path home = home();
      stack =
          TrainyardConfig.load(
              home, TrainyardConfig.locate(home, configFile, System.getenv()), System.getenv());
    }
    return stack;
  }
}
