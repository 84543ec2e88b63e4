package dev.trainyard.terraform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * checkov's Terraform checks over every module and env, offline: no API key, no external modules,
 * no guideline download. Any failed check fails the build unless the resource skips it in the code
 * with {@code #checkov:skip=CKV_...: one-line reason}, so each accepted finding is explained where
 * it applies. Installs checkov through infra/terraform/install-tools.sh (a venv from PyPI).
 */
class CheckovIT {
  /** A cold pip install of checkov and its dependencies takes a few minutes. */
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(20);

  private static final Duration SCAN_TIMEOUT = Duration.ofMinutes(10);

  private static Path checkov;

  @BeforeAll
  static void installCheckov() {
    Path root = ToolRun.repositoryRoot();
    long start = System.nanoTime();
    ToolRun install =
        ToolRun.of(
            root,
            INSTALL_TIMEOUT,
            Map.of("TRAINYARD_TERRAFORM_TOOLS", "checkov"),
            "bash",
            root.resolve("infra/terraform/install-tools.sh").toString());
    assertThat(install.exitCode()).as("install-tools.sh failed:%n%s", install.stderr()).isZero();
    List<String> paths = install.stdout().lines().toList();
    assertThat(paths).as("install-tools.sh prints one path: %s", paths).hasSize(1);
    checkov = Path.of(paths.get(0));
    System.out.printf(
        "CheckovIT: %s ready after %d s%n",
        checkov, Duration.ofNanos(System.nanoTime() - start).toSeconds());
  }

  /**
   * One scan per folder: given both at once (-d modules -d envs), checkov 3.3.30 reports the second
   * folder's results twice. Scanning envs also checks every module as the envs call it.
   */
  @ParameterizedTest
  @ValueSource(strings = {"modules", "envs"})
  void noFailedCheck(String folder) {
    ToolRun scan =
        ToolRun.of(
            ToolRun.TERRAFORM_DIR,
            SCAN_TIMEOUT,
            // No calls home: no Prisma Cloud mapping or guideline download, no version check.
            Map.of("BC_SKIP_MAPPING", "TRUE", "CHECKOV_SKIP_VERSION_CHECK", "TRUE"),
            checkov.toString(),
            "--directory",
            folder,
            "--framework",
            "terraform",
            "--download-external-modules",
            "false",
            "--skip-download",
            "--compact",
            "--quiet");
    // The summary (passed, failed, skipped) goes to the build log either way.
    System.out.println("CheckovIT " + folder + ": " + summary(scan.stdout()));

    assertThat(scan.exitCode())
        .as(
            "checkov found failed checks in %s (fix them, or skip one in the resource with"
                + " '#checkov:skip=CKV_...: reason'):%n%s%s",
            folder, scan.stdout(), scan.stderr())
        .isZero();
  }

  private static String summary(String stdout) {
    return stdout
        .lines()
        .filter(l -> l.contains("Passed checks:"))
        .findFirst()
        .orElse("(no summary line)")
        .trim();
  }
}
