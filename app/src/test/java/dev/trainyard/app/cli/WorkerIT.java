package dev.trainyard.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.stack.Probe;
import dev.trainyard.testing.TemporalExtension;
import dev.trainyard.testing.TemporalServer;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.check.WorkerAnswer;
import dev.trainyard.workflows.check.WorkerCheckRequest;
import dev.trainyard.workflows.check.WorkerCheckResult;
import dev.trainyard.workflows.check.WorkerCheckWorkflow;
import io.temporal.api.enums.v1.PendingActivityState;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** `trainyard worker` against the real Temporal dev server. */
@ExtendWith(TemporalExtension.class)
class WorkerIT {

  @Test
  void servesAllThreeQueuesAndFinishesInFlightActivitiesOnSigterm(TemporalServer temporal)
      throws Exception {
    Path err = Files.createTempFile("worker", ".err");
    Process worker =
        Cli.command(
                Map.of("TEMPORAL_ADDRESS", temporal.address()), "worker", "--shutdown-grace", "60")
            .redirectErrorStream(true)
            .redirectOutput(err.toFile())
            .start();
    Process successor = null;
    WorkflowServiceStubs service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.address()).build());
    try {
      awaitLog(err, "polling trainyard-control, trainyard-spark, trainyard-train");
      WorkflowClient client =
          WorkflowClient.newInstance(
              service,
              WorkflowClientOptions.newBuilder().setNamespace(temporal.namespace()).build());
      String id = "worker-it-" + UUID.randomUUID();
      WorkerCheckWorkflow check =
          client.newWorkflowStub(
              WorkerCheckWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setTaskQueue(TaskQueues.CONTROL)
                  .setWorkflowId(id)
                  .build());
      // Each answer takes 8s, so the SIGTERM below lands while all three are running.
      WorkflowClient.start(check::check, new WorkerCheckRequest(TaskQueues.ALL, 8_000, 30));
      awaitRunningActivities(service, temporal.namespace(), id, 3);

      worker.destroy(); // SIGTERM

      assertTrue(worker.waitFor(60, TimeUnit.SECONDS), "worker did not exit after SIGTERM");
      assertThat(Files.readString(err, StandardCharsets.UTF_8)).contains("worker stopped cleanly");
      // The activities finished on the stopping worker; the workflow's next step needs a workflow
      // worker, so a second one picks the run up where it stands.
      Path err2 = Files.createTempFile("worker2", ".err");
      successor =
          Cli.command(Map.of("TEMPORAL_ADDRESS", temporal.address()), "worker")
              .redirectErrorStream(true)
              .redirectOutput(err2.toFile())
              .start();
      WorkerCheckResult result =
          WorkflowStub.fromTyped(check).getResult(60, TimeUnit.SECONDS, WorkerCheckResult.class);
      assertTrue(result.allServed(), result.toString());
      assertEquals(TaskQueues.ALL, result.answers().stream().map(WorkerAnswer::queue).toList());
      for (WorkerAnswer a : result.answers()) {
        assertThat(a.worker())
            .as("answered by the worker that was stopping, not retried elsewhere")
            .startsWith(worker.pid() + "@");
      }
      assertThat(result.answers().get(2).device()).contains("PyTorch");
    } finally {
      worker.destroyForcibly();
      if (successor != null) {
        successor.destroyForcibly();
      }
      service.shutdownNow();
    }
  }

  @Test
  void anUnreachableTemporalGivesOneLineAndWhatToDo() throws Exception {
    Cli.Result r = Cli.run(Map.of("TEMPORAL_ADDRESS", "127.0.0.1:" + Probe.freePort()), "worker");

    assertEquals(1, r.exitCode());
    assertThat(r.stderr().strip())
        .matches(
            "error: Temporal at 127\\.0\\.0\\.1:\\d+ is not reachable\\. Start the local stack with"
                + " `\\./trainyard dev up`, or set TEMPORAL_ADDRESS to your server\\.");
  }

  @Test
  void anUnknownQueueIsRefusedBeforeConnecting(TemporalServer temporal) throws Exception {
    Cli.Result r =
        Cli.run(
            Map.of("TEMPORAL_ADDRESS", temporal.address()), "worker", "--queues", "control,gpu");

    assertEquals(1, r.exitCode());
    assertEquals(
        "error: Unknown queue 'gpu' in --queues. Use any of: control, spark, train (comma-separated).",
        r.stderr().strip());
  }

  @Test
  void servesMetricsOnLoopbackAndABusyPortIsOneLine(TemporalServer temporal) throws Exception {
    Path err = Files.createTempFile("worker-metrics", ".err");
    Process worker =
        Cli.command(
                Map.of("TEMPORAL_ADDRESS", temporal.address()),
                "worker",
                "--queues",
                "control",
                "--metrics-port",
                "0")
            .redirectErrorStream(true)
            .redirectOutput(err.toFile())
            .start();
    try {
      awaitLog(err, "/metrics (Prometheus)");
      Matcher m =
          Pattern.compile("metrics: (http://127\\.0\\.0\\.1:(\\d+)/metrics) \\(Prometheus\\)")
              .matcher(Files.readString(err, StandardCharsets.UTF_8));
      assertTrue(m.find(), Files.readString(err, StandardCharsets.UTF_8));
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(m.group(1))).GET().build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertThat(r.body()).contains("jvm_memory_used_bytes").contains("process_uptime_seconds");

      // The same port through the environment: taken, so the second worker stops with one line.
      Cli.Result busy =
          Cli.run(
              Map.of("TEMPORAL_ADDRESS", temporal.address(), "TRAINYARD_METRICS_PORT", m.group(2)),
              "worker",
              "--queues",
              "control");
      assertEquals(1, busy.exitCode());
      assertThat(busy.stderr().strip())
          .startsWith("error: Cannot serve metrics on 127.0.0.1:" + m.group(2) + ": ")
          .contains("Set TRAINYARD_METRICS_PORT to a free port");
    } finally {
      worker.destroyForcibly();
    }
  }

  private static void awaitLog(Path log, String text) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.readString(log, StandardCharsets.UTF_8).contains(text)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("worker never logged '" + text + "': " + Files.readString(log));
  }

  private static void awaitRunningActivities(
      WorkflowServiceStubs service, String namespace, String workflowId, int count)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      var d =
          service
              .blockingStub()
              .describeWorkflowExecution(
                  DescribeWorkflowExecutionRequest.newBuilder()
                      .setNamespace(namespace)
                      .setExecution(
                          io.temporal.api.common.v1.WorkflowExecution.newBuilder()
                              .setWorkflowId(workflowId))
                      .build());
      long started =
          d.getPendingActivitiesList().stream()
              .filter(a -> a.getState() == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED)
              .count();
      if (started >= count) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("activities never started");
  }
}
