package dev.trainyard.app.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trainyard.app.pipeline.PipelineStack;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.testing.TemporalExtension;
import dev.trainyard.testing.TemporalServer;
import dev.trainyard.workflows.pipeline.PipelineResult;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The release archive Maven builds in {@code package}, as an operator uses it: unpacked into an
 * empty folder, its {@code bin/trainyard} run with nothing from the checkout (no Maven, no sources,
 * no TRAINYARD_HOME), and a worker started from it completes a training pipeline on the test's real
 * Temporal, MLflow and S3.
 */
@ExtendWith({TemporalExtension.class, MlflowExtension.class})
class ReleaseArchiveIT {

  @Test
  void theUnpackedArchiveRunsTheCliAndAWorkerThatTrainsAModel(
      TemporalServer temporal, MlflowServer mlflow) throws Exception {
    Path archive = archive();
    String version =
        archive.getFileName().toString().replaceAll("^trainyard-(.*)\\.tar\\.gz$", "$1");
    StackConfig config = PipelineStack.config(temporal, mlflow);
    Path unpacked = Files.createDirectories(config.stateDir().resolve("install"));
    long t0 = System.nanoTime();
    Process tar =
        new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", unpacked.toString())
            .inheritIO()
            .start();
    assertTrue(tar.waitFor(5, TimeUnit.MINUTES) && tar.exitValue() == 0, "tar -xzf failed");
    System.out.printf(
        "archive %s: %d MB, unpacked in %d ms%n",
        archive.getFileName(), Files.size(archive) >> 20, (System.nanoTime() - t0) / 1_000_000);
    Path home = unpacked.resolve("trainyard-" + version);
    Path launcher = home.resolve("bin/trainyard");
    assertTrue(Files.isExecutable(launcher), "bin/trainyard is not executable");
    assertTrue(Files.isRegularFile(home.resolve("conf/trainyard.yaml")));
    try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
      assertThat(jars.map(p -> p.getFileName().toString()))
          .contains("trainyard-app-" + version + ".jar")
          .anyMatch(n -> n.startsWith("pytorch-native-cpu-"));
    }

    // From a folder outside the checkout, with only a Java runtime on hand.
    Path cwd = Files.createDirectories(config.stateDir().resolve("elsewhere"));
    Process v = launch(launcher, cwd, Map.of(), "--version").start();
    assertTrue(v.waitFor(60, TimeUnit.SECONDS));
    String out = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, v.exitValue(), out);
    assertThat(out).startsWith("trainyard " + version);

    Path log = config.stateDir().resolve("archive-worker.log");
    Process worker =
        launch(launcher, cwd, Fleet.env(temporal, mlflow, config), "worker")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    WorkflowServiceStubs service = Fleet.service(temporal);
    try {
      assertThat(Fleet.awaitLog(log, "Temporal UI:", worker))
          .contains("polling trainyard-control, trainyard-spark, trainyard-train")
          .contains("concurrent activities: control 20, spark 2, train 1")
          .contains("training device: ");
      long t1 = System.nanoTime();

      PipelineResult r =
          Fleet.train(
              Fleet.client(service, temporal),
              Fleet.churnSpec(config, "release-" + UUID.randomUUID()));

      System.out.printf(
          "pipeline on the archive's worker: %d s%n", (System.nanoTime() - t1) / 1_000_000_000);
      assertEquals("promoted", r.outcome(), r.gateReasons().toString());
      Map<String, JsonNode> lineage = Fleet.lineage(mlflow, r.mlflowRunId(), config.stateDir());
      // The launcher execs java, so the worker's identity carries the launched process's pid.
      assertThat(lineage.get("train").path("worker").path("identity").asText())
          .startsWith(worker.pid() + "@");
      assertEquals(version, lineage.get("train").path("codeVersion").asText());
    } finally {
      worker.destroy();
      if (!worker.waitFor(40, TimeUnit.SECONDS)) {
        worker.destroyForcibly();
      }
      service.shutdownNow();
      System.out.println("archive worker log:\n" + Files.readString(log));
    }
  }

  /** target/trainyard-<version>.tar.gz, which `package` builds before failsafe runs. */
  private static Path archive() throws Exception {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      List<Path> found =
          files.filter(p -> p.getFileName().toString().matches("trainyard-.+\\.tar\\.gz")).toList();
      assertEquals(1, found.size(), "expected one release archive in target/: " + found);
      return found.get(0).toAbsolutePath();
    }
  }

  /**
   * bin/trainyard with a clean environment: a Java runtime and the given settings, nothing else.
   */
  private static ProcessBuilder launch(
      Path launcher, Path cwd, Map<String, String> settings, String... args) {
    ProcessBuilder pb = new ProcessBuilder();
    pb.command().add(launcher.toString());
    pb.command().addAll(List.of(args));
    pb.directory(cwd.toFile());
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/bin:/bin");
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("HOME", System.getProperty("user.home"));
    pb.environment().putAll(settings);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    return pb;
  }
}
