package dev.trainyard.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MlflowExtension.class)
class TrackingIT {
  private final MlflowClient mlflow;

  TrackingIT(MlflowServer server) {
    this.mlflow = TestClients.client(server);
  }

  @AfterEach
  void close() {
    mlflow.close();
  }

  @Test
  void getOrCreateExperimentIsIdempotentAndReadableByIdAndName() {
    String name = TestClients.unique("exp");
    Experiment created = mlflow.tracking().getOrCreateExperiment(name);
    Experiment again = mlflow.tracking().getOrCreateExperiment(name);

    assertEquals(created.experimentId(), again.experimentId());
    assertEquals(name, mlflow.tracking().getExperiment(created.experimentId()).name());
    assertEquals(
        created.experimentId(), mlflow.tracking().getExperimentByName(name).experimentId());
    assertTrue(created.isActive());
    // The test stack proxies artifacts, so a default experiment stores them via the server.
    assertTrue(
        created.artifactLocation().startsWith("mlflow-artifacts:"), created.artifactLocation());
    assertTrue(mlflow.tracking().findExperimentByName(name + "-absent").isEmpty());
  }

  @Test
  void runLifecycleReadsBackParamsMetricsWithStepsTagsAndStatus() {
    Experiment exp = mlflow.tracking().getOrCreateExperiment(TestClients.unique("runs"));
    Run parent =
        mlflow
            .tracking()
            .createRun(
                RunSpec.builder().setExperimentId(exp.experimentId()).optRunName("parent").build());
    Instant start = Instant.ofEpochMilli(1_700_000_000_000L);
    Run run =
        mlflow
            .tracking()
            .createRun(
                RunSpec.builder()
                    .setExperimentId(exp.experimentId())
                    .optRunName("trial-1")
                    .optTag("trainyard.workflowId", "wf-1")
                    .optParentRunId(parent.runId())
                    .optStartTime(start)
                    .build());
    assertEquals(RunStatus.RUNNING, run.info().status());
    assertEquals("trial-1", run.info().runName());
    assertEquals(start, run.info().startTime());

    String id = run.runId();
    mlflow.tracking().logParams(id, Map.of("lr", "0.01", "epochs", "3"));
    mlflow.tracking().logParams(id, Map.of("lr", "0.01")); // same value again: a safe retry
    mlflow
        .tracking()
        .logMetrics(
            id,
            List.of(
                new Metric("loss", 0.9, 0, Instant.ofEpochMilli(1_700_000_001_000L)),
                new Metric("loss", 0.5, 1, Instant.ofEpochMilli(1_700_000_002_000L)),
                new Metric("loss", 0.25, 2, Instant.ofEpochMilli(1_700_000_003_000L))));
    mlflow.tracking().logMetric(id, "accuracy", 0.75, 2);
    mlflow.tracking().setTag(id, "stage", "train");
    RunInfo ended = mlflow.tracking().setRunStatus(id, RunStatus.FINISHED);
    assertEquals(RunStatus.FINISHED, ended.status());

    Run read = mlflow.tracking().getRun(id);
    assertEquals(RunStatus.FINISHED, read.info().status());
    assertTrue(read.info().endTime().isPresent());
    assertEquals(Map.of("lr", "0.01", "epochs", "3"), read.data().params());
    assertEquals(0.25, read.data().metrics().get("loss").value());
    assertEquals(2, read.data().metrics().get("loss").step());
    assertEquals(0.75, read.data().metrics().get("accuracy").value());
    assertEquals("train", read.tag("stage").orElseThrow());
    assertEquals("wf-1", read.tag("trainyard.workflowId").orElseThrow());
    assertEquals(parent.runId(), read.parentRunId().orElseThrow());

    List<Metric> history = mlflow.tracking().getMetricHistory(id, "loss");
    assertEquals(
        Map.of(0L, 0.9, 1L, 0.5, 2L, 0.25),
        history.stream().collect(Collectors.toMap(Metric::step, Metric::value)));
    assertEquals(
        Instant.ofEpochMilli(1_700_000_002_000L),
        history.stream().filter(m -> m.step() == 1).findFirst().orElseThrow().timestamp());

    RunInfo failed = mlflow.tracking().setRunStatus(parent.runId(), RunStatus.FAILED);
    assertEquals(RunStatus.FAILED, failed.status());
  }

  @Test
  void logBatchSplitsLargeBatchesWithinMlflowLimits() {
    Experiment exp = mlflow.tracking().getOrCreateExperiment(TestClients.unique("batch"));
    String id =
        mlflow
            .tracking()
            .createRun(RunSpec.builder().setExperimentId(exp.experimentId()).build())
            .runId();
    List<Metric> metrics =
        java.util.stream.IntStream.range(0, 2500)
            .mapToObj(i -> Metric.of("loss", 1.0 / (i + 1), i))
            .toList();
    Map<String, String> params =
        java.util.stream.IntStream.range(0, 150)
            .boxed()
            .collect(Collectors.toMap(i -> "p" + i, i -> Integer.toString(i)));
    mlflow.tracking().logBatch(id, metrics, params, Map.of("t", "v"));

    assertEquals(2500, mlflow.tracking().getMetricHistory(id, "loss").size());
    assertEquals(150, mlflow.tracking().getRun(id).data().params().size());
  }

  @Test
  void searchRunsByTagFindsOnlyMatchingRuns() {
    Experiment exp = mlflow.tracking().getOrCreateExperiment(TestClients.unique("search"));
    String wf = TestClients.unique("wf");
    Run a =
        mlflow
            .tracking()
            .createRun(
                RunSpec.builder()
                    .setExperimentId(exp.experimentId())
                    .optTag("trainyard.workflowId", wf)
                    .build());
    mlflow
        .tracking()
        .createRun(
            RunSpec.builder()
                .setExperimentId(exp.experimentId())
                .optTag("trainyard.workflowId", "other")
                .build());

    List<Run> found =
        mlflow.tracking().searchRunsByTag(List.of(exp.experimentId()), "trainyard.workflowId", wf);
    assertEquals(List.of(a.runId()), found.stream().map(Run::runId).toList());
  }

  @Test
  void changingALoggedParamIsRejectedAsInvalid() {
    Experiment exp = mlflow.tracking().getOrCreateExperiment(TestClients.unique("param"));
    String id =
        mlflow
            .tracking()
            .createRun(RunSpec.builder().setExperimentId(exp.experimentId()).build())
            .runId();
    mlflow.tracking().logParams(id, Map.of("lr", "0.1"));

    InvalidParameterException e =
        assertThrows(
            InvalidParameterException.class,
            () -> mlflow.tracking().logParams(id, Map.of("lr", "0.2")));
    assertEquals("INVALID_PARAMETER_VALUE", e.errorCode());
    assertTrue(!e.isRetryable());
  }

  @Test
  void missingRunAndExperimentAreResourceNotFound() {
    ResourceNotFoundException run =
        assertThrows(
            ResourceNotFoundException.class,
            () -> mlflow.tracking().getRun("0123456789abcdef0123456789abcdef"));
    assertEquals("RESOURCE_DOES_NOT_EXIST", run.errorCode());
    assertEquals(404, run.httpStatus());
    assertTrue(
        run.serverMessage().contains("0123456789abcdef0123456789abcdef"), run.serverMessage());

    assertThrows(
        ResourceNotFoundException.class,
        () -> mlflow.tracking().getExperimentByName(TestClients.unique("absent")));
  }
}
