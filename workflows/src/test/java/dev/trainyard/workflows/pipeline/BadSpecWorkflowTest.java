package dev.trainyard.workflows.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.trainyard.workflows.TaskQueues;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A run started straight from the Temporal UI (or any client) skips the CLI's checks: a bad spec
 * must still end the workflow FAILED at once, non-retryably, before any activity, and never leave
 * it RUNNING with a failing workflow task or burn activity retries on a NaN.
 */
class BadSpecWorkflowTest {
  private TestWorkflowEnvironment env;
  private FakeActivities activities;

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    activities = new FakeActivities();
    for (String q : TaskQueues.ALL) {
      Worker w = env.newWorker(q);
      if (q.equals(TaskQueues.CONTROL)) {
        w.registerWorkflowImplementationTypes(TrainingPipelineWorkflowImpl.class);
      }
      w.registerActivitiesImplementations(activities);
    }
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  static Stream<Arguments> badSpecs() {
    PipelineSpec ok = Specs.binary();
    PipelineSpec.Model m = ok.model();
    return Stream.of(
        Arguments.of(
            "learning rate NaN",
            ok.withModel(model(m, List.of(8), 3, 32, Double.NaN)),
            "model.learningRate: NaN is not a finite number"),
        Arguments.of(
            "a billion epochs",
            ok.withModel(model(m, List.of(8), 1_000_000_000, 32, 0.01)),
            "model.epochs: 1000000000 is above the limit of 10000"),
        Arguments.of(
            "layer of 2^31-1 units",
            ok.withModel(model(m, List.of(Integer.MAX_VALUE), 3, 32, 0.01)),
            "model.hiddenLayers[0]: 2147483647 units is above the limit of 16384 per layer"),
        Arguments.of(
            "huge batch",
            ok.withModel(model(m, List.of(8), 3, 100_000_000, 0.01)),
            "model.batchSize: 100000000 is above the limit of 65536"),
        Arguments.of(
            "17x17 trial grid",
            ok.withTrials(
                new PipelineSpec.Trials(
                    "grid",
                    null,
                    2,
                    Map.of(
                        "learningRate",
                        IntStream.rangeClosed(1, 17).mapToObj(i -> (Object) (i / 1000.0)).toList(),
                        "epochs",
                        IntStream.rangeClosed(1, 17).mapToObj(i -> (Object) i).toList()))),
            "trials.space: the grid has 289 combinations, above the limit of 256 trials"),
        Arguments.of(
            "split without its train fraction",
            PipelineSpec.builder()
                .setName(ok.name())
                .setDataset(ok.dataset())
                .setLabel(ok.label())
                .setTask(ok.task())
                .setFeatures(ok.features())
                .optValidation(ok.validation())
                .optSplit(new PipelineSpec.Split(null, 0.15, 0.15, 1L))
                .optModel(ok.model())
                .optGate(ok.gate())
                .setRegisteredModel(ok.registeredModel())
                .build(),
            "split.train: missing"),
        Arguments.of(
            "gate threshold infinite",
            ok.withGate(
                new PipelineSpec.Gate(
                    Map.of("roc_auc", new PipelineSpec.Bound(Double.POSITIVE_INFINITY, null)),
                    null,
                    false,
                    null)),
            "gate.thresholds.roc_auc.min: Infinity is not a finite number"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSpecs")
  void failsAtOnceNonRetryablyBeforeAnyActivity(String name, PipelineSpec spec, String expected) {
    WorkflowStub wf = untypedStub("bad-" + name.replace(' ', '-'));
    wf.start(spec);

    assertFailedAtOnce(wf, expected);
  }

  /** The UI's start form sends JSON; JSON has no NaN, but Jackson reads the text "NaN" as one. */
  @org.junit.jupiter.api.Test
  void aNanTypedAsTextInTheUiFormFailsTheSameWay() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", "churn");
    json.put("dataset", Map.of("uri", "file:///data/churn.parquet"));
    json.put("label", "churned");
    json.put("task", "binary");
    json.put("features", Map.of("numeric", List.of("age")));
    json.put("model", Map.of("learningRate", "NaN"));
    json.put("registeredModel", "churn-classifier");
    WorkflowStub wf = untypedStub("bad-json-nan");
    wf.start(json);

    assertFailedAtOnce(wf, "model.learningRate: NaN is not a finite number");
  }

  private void assertFailedAtOnce(WorkflowStub wf, String expected) {
    awaitClosedOrStuck(wf);
    WorkflowFailedException e =
        assertThrows(WorkflowFailedException.class, () -> wf.getResult(PipelineResult.class));
    ApplicationFailure cause = (ApplicationFailure) e.getCause();
    assertEquals("InvalidPipelineSpec", cause.getType());
    assertTrue(cause.isNonRetryable());
    assertTrue(cause.getOriginalMessage().contains("- " + expected), cause.getOriginalMessage());
    assertEquals(List.of(), activities.calls, "no activity may run for a bad spec");

    String id = wf.getExecution().getWorkflowId();
    assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED, status(wf));
    long failedTasks =
        env.getWorkflowClient().fetchHistory(id).getEvents().stream()
            .filter(ev -> ev.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
            .count();
    assertEquals(0, failedTasks, "the workflow task must not fail and retry");
  }

  /**
   * Waits until the run closes, or fails the test as soon as its workflow task fails: Temporal
   * retries a failed workflow task forever, so such a run would stay RUNNING and never answer.
   */
  private void awaitClosedOrStuck(WorkflowStub wf) {
    String id = wf.getExecution().getWorkflowId();
    while (true) {
      var events = env.getWorkflowClient().fetchHistory(id).getEvents();
      for (var ev : events) {
        if (ev.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) {
          fail(
              "the workflow is stuck RUNNING: its workflow task failed ("
                  + ev.getWorkflowTaskFailedEventAttributes().getFailure().getMessage()
                  + ") and Temporal retries it forever");
        }
      }
      if (status(wf) != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        return;
      }
      try {
        Thread.sleep(50); // a poll interval, not a limit: the loop ends on close or on stuck
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  private WorkflowExecutionStatus status(WorkflowStub wf) {
    return env.getWorkflowServiceStubs()
        .blockingStub()
        .describeWorkflowExecution(
            DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(env.getNamespace())
                .setExecution(wf.getExecution())
                .build())
        .getWorkflowExecutionInfo()
        .getStatus();
  }

  private WorkflowStub untypedStub(String id) {
    return env.getWorkflowClient()
        .newUntypedWorkflowStub(
            "TrainingPipelineWorkflow",
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.CONTROL)
                .setWorkflowId(id)
                // Temporal time (skipped by the test server), not wall-clock: a run that hangs on
                // a failing workflow task ends TIMED_OUT here instead of blocking the test.
                .setWorkflowExecutionTimeout(Duration.ofHours(1))
                .build());
  }

  private static PipelineSpec.Model model(
      PipelineSpec.Model m, List<Integer> layers, int epochs, int batch, double lr) {
    return PipelineSpec.Model.builder()
        .optType(m.type())
        .optHiddenLayers(layers)
        .optEpochs(epochs)
        .optBatchSize(batch)
        .optLearningRate(lr)
        .optEarlyStoppingPatience(m.earlyStoppingPatience())
        .optDevice(m.device())
        .optSeed(m.seed())
        .build();
  }
}
