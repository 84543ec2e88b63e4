package dev.trainyard.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The real services, started and stopped the way `trainyard dev up|down` does it. */
class LocalStackIT {

  @Test
  void upStartsEveryServiceHealthyIsIdempotentAndDownStopsOnlyWhatItStarted() throws Exception {
    StackConfig config = TestConfigs.freshStack();
    List<String> progress = new ArrayList<>();
    LocalStack stack = new LocalStack(config, progress::add);
    Process bystander = new ProcessBuilder("sleep", "3600").start();
    try {
      List<ServiceStatus> up = stack.up(true);

      assertEquals(
          List.of("s3", "mlflow", "temporal"), up.stream().map(ServiceStatus::name).toList());
      for (ServiceStatus s : up) {
        assertTrue(s.healthy(), s.name() + " should be healthy: " + s.detail());
        assertTrue(s.managed());
        assertTrue(ProcessHandle.of(s.pid()).map(ProcessHandle::isAlive).orElse(false));
      }
      // Both UIs answer like a browser would see them.
      assertEquals(200, httpStatus(config.temporal().uiUri()));
      assertEquals(200, httpStatus(config.mlflowTrackingUri()));
      // The buckets exist: an unsigned request to a bucket gets "forbidden", not "no such bucket".
      assertTrue(Files.isDirectory(config.dataDir("s3").resolve("trainyard-lake")));
      assertTrue(Files.isDirectory(config.dataDir("s3").resolve("trainyard-artifacts")));

      // Running it again changes nothing.
      List<ServiceStatus> again = stack.up(true);
      assertEquals(
          up.stream().map(ServiceStatus::pid).toList(),
          again.stream().map(ServiceStatus::pid).toList());
      assertTrue(progress.stream().filter(l -> l.startsWith("starting ")).count() == 3);

      List<String> stopped = stack.down();

      assertEquals(List.of("temporal", "mlflow", "s3"), stopped);
      for (ServiceStatus s : up) {
        ProcessHandle.of(s.pid()).ifPresent(h -> h.onExit().join());
        assertFalse(ProcessHandle.of(s.pid()).map(ProcessHandle::isAlive).orElse(false));
      }
      assertTrue(bystander.isAlive(), "down must not touch processes it did not start");
      for (ServiceStatus s : stack.status()) {
        assertFalse(s.healthy(), s.name() + " still answers after down");
        assertNull(s.pid());
      }
    } finally {
      stack.down();
      bystander.destroy();
    }
  }

  @Test
  void aTakenPortIsReportedWithTheFix() throws Exception {
    StackConfig config = TestConfigs.freshStack();
    int port = config.s3().endpoint().getPort();
    try (ServerSocket squatter = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      LocalStack stack = new LocalStack(config, l -> {});

      StackException e =
          assertThrows(StackException.class, () -> stack.ensureRunning(stack.service("s3"), true));

      assertThat(e.getMessage())
          .contains("Port " + port + " on 127.0.0.1 is taken by another program")
          .contains("AWS_ENDPOINT_URL_S3")
          .doesNotContain("\n");
      assertTrue(stack.status().stream().noneMatch(s -> s.pid() != null), "nothing was started");
    }
  }

  @Test
  void aMissingGoToolchainSaysWhatToInstall() throws Exception {
    Tools tools =
        new Tools(
            TestConfigs.home(),
            Files.createTempDirectory("no-tools"),
            l -> {},
            Map.of("PATH", "/usr/bin:/bin", "TRAINYARD_IGNORE_PATH_TOOLS", "1"));

    StackException e = assertThrows(StackException.class, tools::temporalCli);

    assertThat(e.getMessage())
        .startsWith("Temporal CLI not found and Go is not installed")
        .contains("Install Go")
        .doesNotContain("\n");
  }

  @Test
  void aMissingPythonSaysWhatToInstall() throws Exception {
    Tools tools =
        new Tools(
            TestConfigs.home(),
            Files.createTempDirectory("no-tools"),
            l -> {},
            Map.of("TRAINYARD_PYTHON", "/nonexistent/python3"));

    StackException e = assertThrows(StackException.class, tools::mlflowPython);

    assertThat(e.getMessage())
        .contains("'/nonexistent/python3') was not found")
        .contains("TRAINYARD_PYTHON")
        .doesNotContain("\n");
  }

  @Test
  void aFailedInstallNamesTheStepAndLeavesNothingBehind() throws Exception {
    var dir = Files.createTempDirectory("bad-tools");
    Tools tools =
        new Tools(TestConfigs.home(), dir, l -> {}, Map.of("MLFLOW_VERSION", "0.0.0.dev424242"));

    StackException e = assertThrows(StackException.class, tools::mlflowPython);

    assertThat(e.getMessage())
        .contains("'pip install mlflow[auth]==0.0.0.dev424242 boto3' failed")
        .contains("PyPI")
        .doesNotContain("\n");
    assertFalse(Files.exists(dir.resolve("mlflow-venv")), "a half-made venv must not stay");
  }

  private static int httpStatus(URI uri) throws Exception {
    var client = java.net.http.HttpClient.newHttpClient();
    return client
        .send(
            java.net.http.HttpRequest.newBuilder(uri).GET().build(),
            java.net.http.HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
