package dev.trainyard.terraform;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One finished process: exit code and what it printed, read from files so no pipe can fill. */
record ToolRun(int exitCode, String stdout, String stderr) {
  // Surefire and Failsafe run in the module's folder, which is terraform/ itself.
  static final Path TERRAFORM_DIR = Path.of("").toAbsolutePath();

  /** The parent pom passes the checkout as trainyard.root; the module's parent otherwise. */
  static Path repositoryRoot() {
    String root = System.getProperty("trainyard.root");
    return root != null ? Path.of(root) : TERRAFORM_DIR.getParent();
  }

  static ToolRun of(Path dir, Duration timeout, String... command) {
    return of(dir, timeout, Map.of(), command);
  }

  static ToolRun of(Path dir, Duration timeout, Map<String, String> env, String... command) {
    try {
      File out = File.createTempFile("tool", ".out");
      File err = File.createTempFile("tool", ".err");
      try {
        ProcessBuilder pb =
            new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out)
                .redirectError(err);
        // No update checks against checkpoint-api.hashicorp.com from CI.
        pb.environment().put("CHECKPOINT_DISABLE", "1");
        pb.environment().put("TF_IN_AUTOMATION", "1");
        // fmt needs no CLI configuration; without one Terraform warns about ~/.terraformrc.
        pb.environment().put("TF_CLI_CONFIG_FILE", "/dev/null");
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return new ToolRun(
              -1, read(out), read(err) + "\n(killed after " + timeout.toSeconds() + " s)");
        }
        return new ToolRun(p.exitValue(), read(out), read(err));
      } finally {
        Files.deleteIfExists(out.toPath());
        Files.deleteIfExists(err.toPath());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
    }
  }

  private static String read(File f) throws IOException {
    return Files.readString(f.toPath(), StandardCharsets.UTF_8);
  }
}
