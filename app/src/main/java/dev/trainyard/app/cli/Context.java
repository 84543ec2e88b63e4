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

  private TrainyardConfig config;

  /** The Trainyard installation: the launcher exports TRAINYARD_HOME; else the working folder. */
  public static Path home() {
    return TrainyardConfig.home();
  }

  /** The configuration, read once: file, then environment, then this command's flags. */
  public TrainyardConfig config() {
    if (config == null) {
      config = TrainyardConfig.fromProcess(configFile);
    }
    return config;
  }

  public StackConfig stack() {
    return config().stack();
  }
}
