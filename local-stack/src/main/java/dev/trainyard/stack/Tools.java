package dev.trainyard.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Installs the services' programs on first use by running {@code infra/local/install-*.sh}, the
 * same scripts for {@code dev up} and for the tests' stacks.
 */
public final class Tools {
  private final Path home;
  private final Path toolsDir;
  private final Consumer<String> progress;
  private final Map<String, String> env;

  public Tools(Path home, Path toolsDir, Consumer<String> progress) {
    this(home, toolsDir, progress, Map.of());
  }

  /** {@code env} overrides the scripts' environment (versions, TRAINYARD_PYTHON, PATH). */
  public Tools(Path home, Path toolsDir, Consumer<String> progress, Map<String, String> env) {
    this.home = home;
    this.toolsDir = toolsDir;
    this.progress = progress;
    this.env = Map.copyOf(env);
  }

  /** The {@code temporal} CLI (it embeds the dev server and the Web UI). */
  public Path temporalCli() {
    return install("install-temporal.sh", toolsDir.toString(), "the Temporal CLI");
  }

  /** The Python of a venv that has the MLflow server installed. */
  public Path mlflowPython() {
    return install(
        "install-mlflow.sh", toolsDir.resolve("mlflow-venv").toString(), "the MLflow server");
  }

  /** S3Proxy's standalone jar. */
  public Path s3proxyJar() {
    return install("install-s3proxy.sh", toolsDir.resolve("s3proxy").toString(), "S3Proxy");
  }

  /**
   * {@code toxiproxy-server}, the TCP fault proxy the fault-injection tests put between services.
   */
  public Path toxiproxyServer() {
    return install("install-toxiproxy.sh", toolsDir.toString(), "toxiproxy-server");
  }

  private Path install(String script, String target, String what) {
    Path scriptPath = home.resolve("infra/local").resolve(script);
    if (!Files.isRegularFile(scriptPath)) {
      throw new StackException(
          "Cannot install " + what + ": " + scriptPath + " is missing.",
          "Run Trainyard from its checkout or release folder (TRAINYARD_HOME).");
    }
    List<String> errors = new ArrayList<>();
    try {
      ProcessBuilder pb =
          new ProcessBuilder("bash", scriptPath.toString(), target)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().putAll(env);
      Process p = pb.start();
      // Scripts report progress and errors on stderr and print the installed path on stdout.
      Thread pump =
          new Thread(
              () -> {
                try (var r = p.errorReader(StandardCharsets.UTF_8)) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    if (line.startsWith("error: ")) {
                      errors.add(line.substring("error: ".length()));
                    } else if (line.startsWith("installing ") || line.startsWith("fetching ")) {
                      progress.accept(line);
                    }
                  }
                } catch (IOException ignored) {
                  // the process ended; whatever it printed has been read
                }
              },
              "install-" + script);
      pump.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(30, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new StackException(
            "Installing " + what + " took over 30 minutes and was stopped.",
            "Check the network, then retry.");
      }
      pump.join();
      if (p.exitValue() != 0) {
        String cause =
            errors.isEmpty()
                ? "Installing " + what + " failed (" + script + " exited " + p.exitValue() + ")."
                : errors.get(errors.size() - 1);
        throw new StackException(cause, errors.isEmpty() ? "See the output above." : "");
      }
      String[] lines = out.split("\n");
      return Path.of(lines[lines.length - 1].trim());
    } catch (IOException e) {
      throw new StackException(
          "Cannot run " + scriptPath + ": " + e.getMessage() + ".", "Make sure bash is installed.");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StackException("Installing " + what + " was interrupted.", "Retry.");
    }
  }
}
