package dev.trainyard.workflows.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.workflows.ActivityTuning;
import dev.trainyard.workflows.RunSearch;
import dev.trainyard.workflows.TaskQueues;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's search attributes and activity summaries, on the in-process test server (workflow
 * logic only: that the real server indexes them and the README's queries find the run is {@code
 * app}'s {@code SearchAttributesIT}).
 */
class SearchAttributesWorkflowTest {
  private TestWorkflowEnvironment env;
  private final FakeActivities activities = new FakeActivities();

  private void start(boolean registered) {
    env = TestWorkflowEnvironment.newInstance();
    for (String name : RunSearch.names()) {
      env.registerSearchAttribute(name, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    for (String q : TaskQueues.ALL) {
      Worker w = env.newWorker(q);
      if (q.equals(TaskQueues.CONTROL)) {
        w.registerWorkflowImplementationFactory(
            TrainingPipelineWorkflow.class,
            () -> new TrainingPipelineWorkflowImpl(registered),
            ActivityTuning.DEFAULTS.implementationOptions());
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

  private SearchAttributes attributes(String id) {
    return env.getWorkflowClient().newUntypedWorkflowStub(id).describe().getTypedSearchAttributes();
  }

  private List<HistoryEvent> events(String id, EventType type) {
    return env.getWorkflowClient().fetchHistory(id).getEvents().stream()
        .filter(e -> e.getEventType() == type)
        .toList();
  }

  @Test
  void aPromotedRunIsLabelledWithPipelineModelVersionOutcomeAndLastStep() {
    start(true);
    stub("sa-ok").run(Specs.binary());

    SearchAttributes sa = attributes("sa-ok");
    assertEquals(Specs.binary().name(), sa.get(RunSearch.PIPELINE));
    assertEquals(Specs.binary().registeredModel(), sa.get(RunSearch.MODEL));
    assertEquals("2", sa.get(RunSearch.MODEL_VERSION));
    assertEquals("promoted", sa.get(RunSearch.OUTCOME));
    assertEquals("done", sa.get(RunSearch.STEP));
  }

  @Test
  void eachActivityHasASummaryNamingItsStepAndDataset() {
    start(true);
    stub("sa-summary").run(Specs.binary());

    List<String> summaries =
        events("sa-summary", EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).stream()
            .filter(e -> e.getUserMetadata().hasSummary())
            .map(
                e ->
                    DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
                        e.getUserMetadata().getSummary(), String.class, String.class))
            .toList();
    assertTrue(
        summaries.contains("validate " + Specs.binary().dataset().uri()), summaries.toString());
    assertTrue(
        summaries.stream().anyMatch(s -> s.startsWith("train mlp on ")), summaries.toString());
    assertTrue(
        summaries.stream().anyMatch(s -> s.startsWith("evaluate the new model")),
        summaries.toString());
  }

  @Test
  void aFailedRunKeepsTheStepItFailedIn() {
    start(true);
    activities.validationPasses = false;
    assertThrows(WorkflowFailedException.class, () -> stub("sa-failed").run(Specs.binary()));

    SearchAttributes sa = attributes("sa-failed");
    assertEquals("failed", sa.get(RunSearch.OUTCOME));
    assertEquals("validate", sa.get(RunSearch.STEP));
    assertEquals(Specs.binary().registeredModel(), sa.get(RunSearch.MODEL));
  }

  @Test
  void aWorkerThatFoundThemUnregisteredUpsertsNothingAndTheRunStillWorks() {
    start(false);
    PipelineResult r = stub("sa-off").run(Specs.binary());

    assertEquals("promoted", r.outcome());
    assertTrue(events("sa-off", EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES).isEmpty());
    assertFalse(attributes("sa-off").containsKey(RunSearch.OUTCOME));
  }

  @Test
  void theDecisionIsRecordedSoAWorkerThatDecidesOtherwiseReplaysTheSameRun() throws Exception {
    start(true);
    stub("sa-replay").run(Specs.binary());
    WorkflowExecutionHistory history = env.getWorkflowClient().fetchHistory("sa-replay");
    assertFalse(
        events("sa-replay", EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES).isEmpty());

    // A worker restarted against a namespace without them still replays this run as it was.
    try (TestWorkflowEnvironment replay = TestWorkflowEnvironment.newInstance()) {
      Worker w = replay.newWorker(TaskQueues.CONTROL);
      w.registerWorkflowImplementationFactory(
          TrainingPipelineWorkflow.class,
          () -> new TrainingPipelineWorkflowImpl(false),
          ActivityTuning.DEFAULTS.implementationOptions());
      WorkflowReplayer.replayWorkflowExecution(history, w);
    }
  }

  @Test
  void anInvalidSpecIsLabelledFailed() {
    start(true);
    PipelineSpec ok = Specs.binary();
    PipelineSpec bad =
        ok.withModel(PipelineSpec.Model.builder().optType("mlp").optEpochs(1_000_000_000).build());
    WorkflowClient.start(stub("sa-bad")::run, bad);
    assertThrows(
        WorkflowFailedException.class,
        () -> env.getWorkflowClient().newUntypedWorkflowStub("sa-bad").getResult(Object.class));
    assertEquals("failed", attributes("sa-bad").get(RunSearch.OUTCOME));
  }
}
