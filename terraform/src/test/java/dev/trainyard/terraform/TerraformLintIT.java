package dev.trainyard.terraform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What CI can check of terraform/ without provider downloads (so no init, validate or plan):
 * formatting with the pinned Terraform, and TFLint's bundled terraform ruleset over every module
 * and env. Installs both through infra/terraform/install-tools.sh, the same way a developer does.
 */
class TerraformLintIT {
  /** A cold `go install` of both tools took about 6 minutes on a busy 2-core machine. */
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(30);

  private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(2);

  // Surefire and Failsafe run in the module's folder, which is terraform/ itself.
  private static final Path TERRAFORM_DIR = Path.of("").toAbsolutePath();

  private static Path terraform;
  private static Path tflint;

  @BeforeAll
  static void installTools() {
    Path root = ToolRun.repositoryRoot();
    long start = System.nanoTime();
    ToolRun install =
        ToolRun.of(
            root,
            INSTALL_TIMEOUT,
            Map.of("TRAINYARD_TERRAFORM_TOOLS", "terraform tflint"),
            "bash",
            root.resolve("infra/terraform/install-tools.sh").toString());
    assertThat(install.exitCode()).as("install-tools.sh failed:%n%s", install.stderr()).isZero();
    List<String> paths = install.stdout().lines().toList();
    assertThat(paths).as("install-tools.sh prints two paths: %s", paths).hasSize(2);
    terraform = Path.of(paths.get(0));
    tflint = Path.of(paths.get(1));
    // A cold install builds both tools for minutes; say so in the build log, where CI time goes.
    System.out.printf(
        "TerraformLintIT: %s and %s ready after %d s%n",
        terraform, tflint, Duration.ofNanos(System.nanoTime() - start).toSeconds());
  }

  @Test
  void everyFileIsFormatted() {
    ToolRun fmt =
        ToolRun.of(
            TERRAFORM_DIR,
            TOOL_TIMEOUT,
            terraform.toString(),
            "fmt",
            "-check",
            "-recursive",
            "-diff",
            "-no-color");

    assertThat(fmt.exitCode())
        .as(
            "terraform fmt -check found unformatted files (run `terraform fmt -recursive terraform`):%n%s%s",
            fmt.stdout(), fmt.stderr())
        .isZero();
  }

  static Stream<String> configurations() throws IOException {
    return Stream.of("modules", "envs")
        .flatMap(
            parent -> {
              try (Stream<Path> dirs = Files.list(TERRAFORM_DIR.resolve(parent))) {
                return dirs
                    .filter(Files::isDirectory)
                    .map(d -> parent + "/" + d.getFileName())
                    .sorted()
                    .toList()
                    .stream();
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
  }

  @ParameterizedTest
  @MethodSource("configurations")
  void tflintFindsNothing(String configuration) {
    ToolRun lint =
        ToolRun.of(
            TERRAFORM_DIR,
            TOOL_TIMEOUT,
            tflint.toString(),
            "--chdir=" + configuration,
            "--config=" + TERRAFORM_DIR.resolve(".tflint.hcl"),
            "--no-color");

    assertThat(lint.exitCode())
        .as("tflint on %s:%n%s%s", configuration, lint.stdout(), lint.stderr())
        .isZero();
  }
}
