package dev.trainyard.workflows.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.workflows.ActivityTuning;
import dev.trainyard.workflows.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pipeline's decisions, on the in-process test server with time skipping. */
class TrainingPipelineWorkflowTest {
  private TestWorkflowEnvironment env;
  private FakeActivities activities;

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    activities = new FakeActivities();
    for (String q : TaskQueues.ALL) {
      Worker w = env.newWorker(q);
      if (q.equals(TaskQueues.CONTROL)) {
        w.registerWorkflowImplementationTypes(
            ActivityTuning.DEFAULTS.implementationOptions(), TrainingPipelineWorkflowImpl.class);
      }
      w.registerActivitiesImplementations(activities);
    }
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private TrainingPipelineWorkflow stub(String id) {
    return env.getWorkflowClient()
        .newWorkflowStub(
            TrainingPipelineWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.CONTROL)
                .setWorkflowId(id)
                .build());
  }

  @Test
  void aFirstModelThatPassesTheThresholdsBecomesChampion() {
    PipelineResult r = stub("first").run(Specs.binary());

    assertEquals("promoted", r.outcome());
    assertEquals("2", r.version());
    assertNull(r.previousChampion());
    assertEquals(
        List.of(
            "startPipelineRun",
            "findChampion",
            "validateData",
            "buildFeatures",
            "trainModel",
            "evaluateModel",
            "registerModel",
            "promote",
            "finishPipelineRun:FINISHED"),
        activities.calls);
  }

  @Test
  void aModelThatDoesNotBeatTheChampionIsRegisteredButNotPromoted() {
    activities.champion = new Payloads.Champion("1", "r0", "file:///old", "file:///p", null);
    activities.candidateAuc = 0.79;

    PipelineResult r = stub("worse").run(Specs.binary());

    assertEquals("registered", r.outcome());
    assertTrue(activities.calls.contains("compareWithChampion"));
    assertFalse(activities.calls.contains("evaluateChampion"), "the comparison scores it");
    assertTrue(activities.calls.contains("registerModel"));
    assertFalse(activities.calls.contains("promote"));
    assertTrue(
        r.gateReasons()
            .contains(
                "roc_auc -0.0100 [-0.0150, -0.0050] at 95 %: worse than champion 0.8000: not"
                    + " promoted"),
        r.gateReasons().toString());
    assertEquals(r.gateReasons(), activities.registered.gateReasons(), "recorded on the version");
  }

  @Test
  void aChallengerBetterOnlyByNoiseIsNotPromotedAndTheReasonSaysSo() {
    activities.champion = new Payloads.Champion("1", "r0", "file:///old", "file:///p", null);
    activities.candidateAuc = 0.803;
    activities.halfWidth = 0.01;

    PipelineResult r = stub("noise").run(Specs.binary());

    assertEquals("registered", r.outcome());
    assertTrue(
        r.gateReasons()
            .contains(
                "roc_auc +0.0030 [-0.0070, +0.0130] at 95 %: within noise of champion 0.8000 (the"
                    + " lower bound must clear +0.0000): not promoted"),
        r.gateReasons().toString());
  }

  @Test
  void withConfidenceOffTheSameSmallGainPromotesByThePointRule() {
    activities.champion = new Payloads.Champion("1", "r0", "file:///old", "file:///p", null);
    activities.candidateAuc = 0.803;
    activities.confidence = null;
    PipelineSpec spec =
        Specs.withGate(
            Specs.binary(),
            Specs.binary().gate().toBuilder().optConfidence(Confidence.OFF).build());

    PipelineResult r = stub("point").run(spec);

    assertEquals("promoted", r.outcome());
    assertTrue(r.gateReasons().contains("roc_auc 0.8030 beats champion 0.8000 (needed +0.0000)"));
  }

  @Test
  void aChallengerBetterOverallButWorseOnASegmentIsNotPromotedNamingIt() {
    activities.champion = new Payloads.Champion("1", "r0", "file:///old", "file:///p", null);
    activities.candidateAuc = 0.90;
    activities.segments =
        List.of(
            new Payloads.SegmentComparison(
                "plan", "basic", 400, new Payloads.Difference(0.95, 0.80, 0.15, 0.12, 0.18)),
            new Payloads.SegmentComparison(
                "plan", "premium", 300, new Payloads.Difference(0.70, 0.78, -0.08, -0.12, -0.04)));
    PipelineSpec spec =
        Specs.withGate(
            Specs.binary(),
            Specs.binary().gate().toBuilder()
                .optSegments(List.of("plan"))
                .optMaxRegression(0.01)
                .build());

    PipelineResult r = stub("segment").run(spec);

    assertEquals("registered", r.outcome());
    assertTrue(
        r.gateReasons()
            .contains(
                "segment plan=premium (300 rows): roc_auc -0.0800 [-0.1200, -0.0400] at 95 %,"
                    + " challenger 0.7000 vs champion 0.7800: worse by more than maxRegression"
                    + " 0.0100: not promoted"),
        r.gateReasons().toString());
    assertTrue(
        r.gateReasons()
            .contains(
                "segments plan: 1 of 2 compared worse than the champion on roc_auc by more than"
                    + " 0.0100 at 95 %; 1 with fewer than 100 rows not compared"),
        r.gateReasons().toString());
  }

  @Test
  void failedValidationEndsTheRunWithTheViolationsAndRegistersNothing() {
    activities.validationPasses = false;

    WorkflowFailedException e =
        assertThrows(WorkflowFailedException.class, () -> stub("bad-data").run(Specs.binary()));

    ApplicationFailure cause = (ApplicationFailure) e.getCause();
    assertEquals("DataValidationFailed", cause.getType());
    assertTrue(cause.getOriginalMessage().contains("- label 'churned' has 3 NaN values"));
    assertFalse(activities.calls.contains("buildFeatures"));
    assertFalse(activities.calls.contains("registerModel"));
    assertTrue(activities.calls.contains("finishPipelineRun:FAILED"));
  }

  @Test
  void anInvalidSpecFailsBeforeAnyActivityRuns() {
    PipelineSpec spec =
        Specs.withGate(
            Specs.binary(),
            new PipelineSpec.Gate(
                Map.of("rmse", new PipelineSpec.Bound(null, 1.0)), null, null, null));

    WorkflowFailedException e =
        assertThrows(WorkflowFailedException.class, () -> stub("bad-spec").run(spec));

    ApplicationFailure cause = (ApplicationFailure) e.getCause();
    assertEquals("InvalidPipelineSpec", cause.getType());
    assertTrue(cause.isNonRetryable());
    assertTrue(
        cause
            .getOriginalMessage()
            .contains("gate.thresholds.rmse: no such metric for task 'binary'"));
    assertEquals(List.of(), activities.calls);
  }

  @Test
  void manualApprovalPromotesWhenApproved() {
    PipelineSpec spec = manual("PT2H");
    TrainingPipelineWorkflow wf = stub("approve");
    WorkflowClient.start(wf::run, spec);
    env.sleep(Duration.ofMinutes(30));
    assertEquals("awaiting approval", wf.progress().step());

    wf.decide(new TrainingPipelineWorkflow.Approval(true, "ana", "looks good"));

    PipelineResult r = WorkflowStub.fromTyped(wf).getResult(PipelineResult.class);
    assertEquals("promoted", r.outcome());
    assertTrue(r.gateReasons().contains("approved by ana: looks good"));
  }

  @Test
  void manualApprovalThatNeverComesTimesOutWithoutPromoting() {
    TrainingPipelineWorkflow wf = stub("timeout");

    PipelineResult r = wf.run(manual("PT24H"));

    assertEquals("registered", r.outcome());
    assertFalse(activities.calls.contains("promote"));
    assertTrue(r.gateReasons().contains("no approval within PT24H: not promoted"));
  }

  @Test
  void trialsRunAsChildRunsAndTheBestOneIsRegistered() {
    PipelineSpec base = Specs.binary();
    PipelineSpec spec =
        PipelineSpec.builder()
            .setName(base.name())
            .setDataset(base.dataset())
            .setLabel(base.label())
            .setTask(base.task())
            .setFeatures(base.features())
            .optModel(base.model())
            .optTrials(
                new PipelineSpec.Trials(
                    "grid",
                    null,
                    2,
                    Map.of(
                        "learningRate",
                        List.of(0.01, 0.1, 0.05),
                        "hiddenLayers",
                        List.of(List.of(8)))))
            .optGate(base.gate())
            .setRegisteredModel(base.registeredModel())
            .build();

    PipelineResult r = stub("trials").run(spec);

    assertEquals("promoted", r.outcome());
    assertEquals(3, activities.calls.stream().filter(c -> c.equals("trainModel")).count());
    assertTrue(activities.calls.contains("startTrialRun:hiddenLayers=[8],learningRate=0.1"));
    assertTrue(activities.calls.contains("recordTrials:hiddenLayers=[8],learningRate=0.1"));
  }

  @Test
  void promotionMovesChampionOnlyFromTheVersionTheGateComparedWith() {
    activities.champion = new Payloads.Champion("1", "r0", "file:///old", "file:///p", null);

    PipelineResult r = stub("cas").run(Specs.binary());

    assertEquals("promoted", r.outcome());
    assertEquals("1", activities.promoted.expectedChampion());
  }

  @Test
  void replayingARecordedHistoryIsDeterministic() throws Exception {
    TrainingPipelineWorkflow wf = stub("replay");
    wf.run(Specs.binary());
    var history = env.getWorkflowClient().fetchHistory("replay");

    // Replayed the way the worker registers it: with the activity tuning as per-type options.
    try (TestWorkflowEnvironment replay = TestWorkflowEnvironment.newInstance()) {
      Worker w = replay.newWorker(TaskQueues.CONTROL);
      w.registerWorkflowImplementationTypes(
          ActivityTuning.DEFAULTS.implementationOptions(), TrainingPipelineWorkflowImpl.class);
      WorkflowReplayer.replayWorkflowExecution(history, w);
    }
  }

  private static PipelineSpec manual(String timeout) {
    return Specs.withGate(
        Specs.binary(),
        new PipelineSpec.Gate(
            Map.of("roc_auc", new PipelineSpec.Bound(0.7, null)), null, true, timeout));
  }
}
