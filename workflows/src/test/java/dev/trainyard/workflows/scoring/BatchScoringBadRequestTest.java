package dev.trainyard.workflows.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.Payloads.PipelineRun;
import dev.trainyard.workflows.scoring.ScoringPayloads.ResolvedModel;
import dev.trainyard.workflows.scoring.ScoringPayloads.ScoreBatchRequest;
import dev.trainyard.workflows.scoring.ScoringPayloads.ScoreBatchResult;
import dev.trainyard.workflows.scoring.ScoringPayloads.StartScoringRunRequest;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A scoring request started from the Temporal UI skips the CLI's checks: each bad one must fail the
 * workflow at once (FAILED, non-retryable, a message that names the problem) and start no activity,
 * never leave it RUNNING with a workflow task that throws forever.
 */
class BatchScoringBadRequestTest {
  private TestWorkflowEnvironment env;
  private final List<String> calls = new CopyOnWriteArrayList<>();

  /** Records a call and refuses it: a bad request must not reach any activity. */
  class Refusing implements ScoringActivities.Registry, ScoringActivities.Data {
    @Override
    public ResolvedModel resolveModel(String modelRef) {
      calls.add("resolveModel");
      throw ApplicationFailure.newNonRetryableFailure("unexpected", "Unexpected");
    }

    @Override
    public PipelineRun startScoringRun(StartScoringRunRequest request) {
      calls.add("startScoringRun");
      throw ApplicationFailure.newNonRetryableFailure("unexpected", "Unexpected");
    }

    @Override
    public ScoreBatchResult scoreBatch(ScoreBatchRequest request) {
      calls.add("scoreBatch");
      throw ApplicationFailure.newNonRetryableFailure("unexpected", "Unexpected");
    }
  }

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    for (String q : TaskQueues.ALL) {
      Worker w = env.newWorker(q);
      if (q.equals(TaskQueues.CONTROL)) {
        w.registerWorkflowImplementationTypes(BatchScoringWorkflowImpl.class);
      }
      w.registerActivitiesImplementations(new Refusing());
    }
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  /**
   * The history once the run has closed or its workflow task has failed twice: a request that
   * throws fails every attempt, forever (a single failure can be the SDK's deadlock detector on a
   * busy machine, and is retried). Event-driven, so a run that would hang ends the wait too.
   */
  private List<HistoryEvent> untilClosedOrTaskFailing(String id) throws InterruptedException {
    while (true) {
      List<HistoryEvent> events =
          env.getWorkflowClient().fetchHistory(id).getHistory().getEventsList();
      List<EventType> types = events.stream().map(HistoryEvent::getEventType).toList();
      if (types.stream().filter(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED::equals).count() >= 2
          || types.contains(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED)
          || types.contains(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)) {
        return events;
      }
      Thread.sleep(20);
    }
  }

  @ParameterizedTest(name = "output {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/data/in | / | output: file:/// is the root of the file system",
        "/data/in | file:/// | output: file:/// is the root of the file system",
        "/data/in | file:/ | output: file:/// is the root of the file system",
        "s3://lake/in | s3://lake/ | output: s3://lake/ is the root of s3://lake",
        "/data/in | /data/in | output: is the same as input (/data/in)",
        "/data/in | file:///data/in/ | output: is the same as input (/data/in)",
        "/data/in | file://localhost/data/./x/../in | output: is the same as input (/data/in)",
        "/data/in/day=1 | /data/in | output: file:///data/in contains the input"
            + " (file:///data/in/day=1); publishing replaces the whole folder",
        "/data/in | /data | output: file:///data contains the input (file:///data/in)",
        "/data/in | /data/in/scores | output: file:///data/in/scores is inside the input"
            + " (file:///data/in)",
        "s3://lake/in | s3a://lake/in/scores/ | output: s3://lake/in/scores is inside the input",
        "/data/in | . | output: '.' is a relative path",
        "/data/in | scores | output: 'scores' is a relative path",
        "/data/in | file:scores | output: 'file:scores' is a relative path",
        "/data/in | file://data/scores | output: 'file://data/scores' names the host 'data'",
        "/data/in | /home/u/.trainyard/work/x | output: file:///home/u/.trainyard/work/x is in"
            + " Trainyard's state folder (work/)",
        "/data/in | /home/u/.trainyard | output: file:///home/u/.trainyard is Trainyard's state"
            + " folder",
        "/data/in | /home/u/.trainyard/lake/features/k | output:"
            + " file:///home/u/.trainyard/lake/features/k is in Trainyard's state folder"
            + " (lake/features/)",
      })
  void aBadOutputFailsTheWorkflowAtOnceWithoutActivities(
      String input, String output, String expected) throws Exception {
    String id = "bad-output-" + Integer.toHexString((input + output).hashCode());
    BatchScoringWorkflow wf =
        env.getWorkflowClient()
            .newWorkflowStub(
                BatchScoringWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setTaskQueue(TaskQueues.CONTROL)
                    .setWorkflowId(id)
                    .build());

    WorkflowClient.start(wf::score, ScoringSpec.of("churn@champion", input, output));
    List<HistoryEvent> history = untilClosedOrTaskFailing(id);
    List<EventType> events = history.stream().map(HistoryEvent::getEventType).toList();
    assertTrue(
        events.contains(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED),
        "the run must fail, not stay RUNNING retrying a workflow task that throws: "
            + history.stream()
                .filter(HistoryEvent::hasWorkflowTaskFailedEventAttributes)
                .map(h -> h.getWorkflowTaskFailedEventAttributes().getFailure().getMessage())
                .toList()
            + " in "
            + events);
    assertFalse(
        events.contains(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
        "a bad request schedules no activity: " + events);
    WorkflowFailedException e =
        assertThrows(
            WorkflowFailedException.class,
            () -> WorkflowStub.fromTyped(wf).getResult(ScoringResult.class));

    ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, e.getCause());
    assertEquals("InvalidScoringRequest", cause.getType());
    assertTrue(cause.isNonRetryable());
    assertTrue(
        cause.getOriginalMessage().contains(expected),
        "expected '" + expected + "' in: " + cause.getOriginalMessage());
    assertEquals(
        WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED,
        env.getWorkflowClient()
            .getWorkflowServiceStubs()
            .blockingStub()
            .describeWorkflowExecution(
                DescribeWorkflowExecutionRequest.newBuilder()
                    .setNamespace(env.getNamespace())
                    .setExecution(WorkflowStub.fromTyped(wf).getExecution())
                    .build())
            .getWorkflowExecutionInfo()
            .getStatus());
    assertEquals(List.of(), calls, "no activity runs for a bad request");
  }
}
