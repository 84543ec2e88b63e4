package dev.trainyard.workflows.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import dev.trainyard.workflows.ActivityTuning;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.Payloads.FinishRunRequest;
import dev.trainyard.workflows.pipeline.Payloads.PipelineRun;
import dev.trainyard.workflows.pipeline.PipelineActivities;
import dev.trainyard.workflows.scoring.ScoringPayloads.ResolvedModel;
import dev.trainyard.workflows.scoring.ScoringPayloads.ScoreBatchRequest;
import dev.trainyard.workflows.scoring.ScoringPayloads.ScoreBatchResult;
import dev.trainyard.workflows.scoring.ScoringPayloads.StartScoringRunRequest;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;

/**
 * Batch scoring's decisions on the in-process test server: the activities are mocked (they are
 * tested against real Spark and MLflow in the activities module), the workflow is registered the
 * way the worker registers it.
 */
class BatchScoringWorkflowTest {
  /**
   * Where the happy path writes its history; copied to the test resources to refresh the replay.
   */
  static final Path RECORDED = Path.of("target", "recorded-histories", "batch-scoring.json");

  static final String HISTORY_RESOURCE = "/histories/batch-scoring.json";

  private static final ResolvedModel CHAMPION_7 =
      new ResolvedModel("churn", "7", "champion", "mlflow-artifacts:/3/run-7/artifacts", "run-7");
  private static final PipelineRun RUN =
      new PipelineRun("5", "scoring-run-1", "mlflow-artifacts:/5/scoring-run-1/artifacts");

  private TestWorkflowEnvironment env;
  private ScoringActivities.Registry registry;
  private ScoringActivities.Data data;
  private PipelineActivities.Registry runs;

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    registry = mock(ScoringActivities.Registry.class, withSettings().withoutAnnotations());
    data = mock(ScoringActivities.Data.class, withSettings().withoutAnnotations());
    runs = mock(PipelineActivities.Registry.class, withSettings().withoutAnnotations());
    Worker control = env.newWorker(TaskQueues.CONTROL);
    control.registerWorkflowImplementationTypes(
        ActivityTuning.DEFAULTS.implementationOptions(), BatchScoringWorkflowImpl.class);
    control.registerActivitiesImplementations(registry, runs);
    env.newWorker(TaskQueues.SPARK).registerActivitiesImplementations(data);
    env.start();
    when(registry.resolveModel("churn@champion")).thenReturn(CHAMPION_7);
    when(registry.startScoringRun(any())).thenReturn(RUN);
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private BatchScoringWorkflow stub(String id) {
    return env.getWorkflowClient()
        .newWorkflowStub(
            BatchScoringWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.CONTROL)
                .setWorkflowId(id)
                .build());
  }

  private static ScoringSpec daily() {
    return ScoringSpec.of("churn@champion", "/lake/events/dt={date}/", "/lake/scores/dt={date}/")
        .withDate("2026-11-20");
  }

  private static ScoreBatchResult scored(double maxPsi) {
    return ScoreBatchResult.builder()
        .setRowsIn(1000)
        .setScored(990)
        .setQuarantined(10)
        .optQuarantineReasons(Map.of("missing_feature", 10L))
        .optPredictionDistribution(Map.of("positive_rate", 0.2))
        .optPsi(Map.of("tenure", maxPsi))
        .optMaxPsi(maxPsi, "tenure")
        .setRowsPerSecond(5000.0)
        .setOutputUri("file:///lake/scores/dt=2026-11-20")
        .setQuarantineUri("file:///lake/scores/_quarantine/dt=2026-11-20")
        .optReportUri("mlflow-artifacts:/5/scoring-run-1/artifacts/scoring/report.json")
        .build();
  }

  @Test
  void aDailyRunScoresTheDaysInputWithTheResolvedChampionAndFinishesItsRun() throws Exception {
    when(data.scoreBatch(any())).thenReturn(scored(0.04));

    ScoringResult r = stub("score-2026-11-20").score(daily());

    assertEquals("scored", r.outcome());
    assertEquals("churn", r.model());
    assertEquals("7", r.version());
    assertEquals("2026-11-20", r.date());
    assertEquals(990, r.scored());
    assertEquals(10, r.quarantined());
    assertEquals("scoring-run-1", r.mlflowRunId());
    assertNull(r.retrainWorkflowId());

    InOrder order = inOrder(registry, data, runs);
    ArgumentCaptor<StartScoringRunRequest> started =
        ArgumentCaptor.forClass(StartScoringRunRequest.class);
    order.verify(registry).resolveModel("churn@champion");
    order.verify(registry).startScoringRun(started.capture());
    ArgumentCaptor<ScoreBatchRequest> request = ArgumentCaptor.forClass(ScoreBatchRequest.class);
    order.verify(data).scoreBatch(request.capture());
    ArgumentCaptor<FinishRunRequest> finished = ArgumentCaptor.forClass(FinishRunRequest.class);
    order.verify(runs).finishPipelineRun(finished.capture());

    assertEquals("score-2026-11-20", started.getValue().workflowId());
    assertEquals(CHAMPION_7, started.getValue().model());
    // The activity gets the spec with the day filled in and the run to report to.
    assertEquals("file:///lake/events/dt=2026-11-20/", request.getValue().spec().input());
    assertEquals("file:///lake/scores/dt=2026-11-20", request.getValue().spec().output());
    assertEquals(RUN, request.getValue().run());
    assertEquals("FINISHED", finished.getValue().status());
    assertTrue(
        finished.getValue().outcome().startsWith("scored: 990 rows with churn/7, 10 quarantined"),
        finished.getValue().outcome());

    Files.createDirectories(RECORDED.getParent());
    Files.writeString(
        RECORDED, env.getWorkflowClient().fetchHistory("score-2026-11-20").toJson(true));
  }

  @Test
  void theAliasIsResolvedOnceAndThatVersionIsWhatGetsScored() {
    // A promotion right after resolution must not reach this run: only the first answer is used.
    when(registry.resolveModel("churn@champion"))
        .thenReturn(CHAMPION_7)
        .thenReturn(new ResolvedModel("churn", "8", "champion", "src-8", "run-8"));
    when(data.scoreBatch(any())).thenReturn(scored(0.01));

    ScoringResult r = stub("pinned").score(daily());

    ArgumentCaptor<ScoreBatchRequest> request = ArgumentCaptor.forClass(ScoreBatchRequest.class);
    verify(data).scoreBatch(request.capture());
    assertEquals(CHAMPION_7, request.getValue().model());
    assertEquals("7", r.version());
    verify(registry).resolveModel("churn@champion");
  }

  @Test
  void aModelThatCannotBeResolvedFailsTheRunBeforeAnythingIsScored() {
    when(registry.resolveModel("churn@champion"))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "registered model 'churn' has no alias 'champion'", "ModelNotFound"));

    WorkflowFailedException e =
        assertThrows(WorkflowFailedException.class, () -> stub("no-model").score(daily()));

    ActivityFailure step = assertInstanceOf(ActivityFailure.class, e.getCause());
    ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, step.getCause());
    assertEquals("ModelNotFound", cause.getType());
    assertTrue(cause.getOriginalMessage().contains("no alias 'champion'"));
    verify(registry, never()).startScoringRun(any());
    verify(data, never()).scoreBatch(any());
    verify(runs, never()).finishPipelineRun(any());
  }

  @Test
  void anAlreadyPublishedOutputIsSkippedAndSaysSo() {
    ScoringSpec spec = daily().withIfOutputExists(ScoringSpec.SKIP);
    when(data.scoreBatch(any()))
        .thenReturn(
            ScoreBatchResult.skipped(
                "file:///lake/scores/dt=2026-11-20",
                "file:///lake/scores/_quarantine/dt=2026-11-20"));

    ScoringResult r = stub("skip").score(spec);

    assertEquals("skipped", r.outcome());
    assertEquals("file:///lake/scores/dt=2026-11-20", r.outputUri());
    ArgumentCaptor<ScoreBatchRequest> request = ArgumentCaptor.forClass(ScoreBatchRequest.class);
    verify(data).scoreBatch(request.capture());
    // The activity is what checks the output: the workflow passes the policy on.
    assertEquals(ScoringSpec.SKIP, request.getValue().spec().ifOutputExists());
    ArgumentCaptor<FinishRunRequest> finished = ArgumentCaptor.forClass(FinishRunRequest.class);
    verify(runs).finishPipelineRun(finished.capture());
    assertEquals("FINISHED", finished.getValue().status());
    assertEquals(
        "skipped: file:///lake/scores/dt=2026-11-20 was already published (ifOutputExists=skip)",
        finished.getValue().outcome());
  }

  @Test
  void aFailedScoringStepFinishesTheRunAsFailedAtThatStep() {
    when(data.scoreBatch(any()))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "input file:///lake/events/dt=2026-11-20/ does not exist", "BadInputData"));

    WorkflowFailedException e =
        assertThrows(WorkflowFailedException.class, () -> stub("bad-input").score(daily()));

    ActivityFailure step = assertInstanceOf(ActivityFailure.class, e.getCause());
    assertEquals(
        "BadInputData", assertInstanceOf(ApplicationFailure.class, step.getCause()).getType());
    ArgumentCaptor<FinishRunRequest> finished = ArgumentCaptor.forClass(FinishRunRequest.class);
    verify(runs).finishPipelineRun(finished.capture());
    assertEquals("FAILED", finished.getValue().status());
    assertEquals("failed at score", finished.getValue().outcome());
    assertFalse(finished.getValue().outcome().contains("retrain"));
  }

  @Test
  void replayingTheRecordedHistoryIsDeterministic() throws Exception {
    String json;
    try (InputStream in = getClass().getResourceAsStream(HISTORY_RESOURCE)) {
      assertTrue(in != null, "missing test resource " + HISTORY_RESOURCE);
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    WorkflowExecutionHistory history = WorkflowExecutionHistory.fromJson(json);

    // Replayed the way the worker registers it: with the activity tuning as per-type options.
    try (TestWorkflowEnvironment replay = TestWorkflowEnvironment.newInstance()) {
      Worker w = replay.newWorker(TaskQueues.CONTROL);
      w.registerWorkflowImplementationTypes(
          ActivityTuning.DEFAULTS.implementationOptions(), BatchScoringWorkflowImpl.class);
      WorkflowReplayer.replayWorkflowExecution(history, w);
    }
  }
}
