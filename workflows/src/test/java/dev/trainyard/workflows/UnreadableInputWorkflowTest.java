package dev.trainyard.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflowImpl;
import dev.trainyard.workflows.scoring.BatchScoringWorkflowImpl;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A run started from the Temporal UI (or any client) with a JSON body that cannot be read as the
 * workflow's input fails, with the converter's message, instead of staying RUNNING while its
 * workflow task fails over and over.
 */
class UnreadableInputWorkflowTest {
  private TestWorkflowEnvironment env;

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    Worker w = env.newWorker(TaskQueues.CONTROL);
    // Registered the way the worker registers them.
    w.registerWorkflowImplementationTypes(
        ActivityTuning.DEFAULTS.implementationOptions(),
        TrainingPipelineWorkflowImpl.class,
        BatchScoringWorkflowImpl.class);
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  /** Starts {@code type} with a raw JSON body, as the UI's "Start Workflow" form does. */
  private WorkflowStub start(String type, String id, Map<String, Object> body) {
    WorkflowStub wf =
        env.getWorkflowClient()
            .newUntypedWorkflowStub(
                type,
                WorkflowOptions.newBuilder()
                    .setTaskQueue(TaskQueues.CONTROL)
                    .setWorkflowId(id)
                    .build());
    wf.start(body);
    return wf;
  }

  private void assertFailedOnConversion(WorkflowStub wf, String id, String field) {
    WorkflowFailedException e =
        // Bounded only so that a regression (a run stuck RUNNING, its workflow task failing over
        // and
        // over, which time skipping cannot end) fails this test instead of hanging the build.
        assertThrows(
            WorkflowFailedException.class, () -> wf.getResult(5, TimeUnit.MINUTES, Object.class));
    ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, e.getCause());
    assertEquals("io.temporal.common.converter.DataConverterException", cause.getType());
    assertTrue(cause.getOriginalMessage().contains(field), cause.getOriginalMessage());
    assertEquals(
        WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED,
        env.getWorkflowClient()
            .getWorkflowServiceStubs()
            .blockingStub()
            .describeWorkflowExecution(
                io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest.newBuilder()
                    .setNamespace(env.getNamespace())
                    .setExecution(
                        io.temporal.api.common.v1.WorkflowExecution.newBuilder()
                            .setWorkflowId(id)
                            .build())
                    .build())
            .getWorkflowExecutionInfo()
            .getStatus());
  }

  @Test
  void aTrainingBodyWithWordsForNumbersFailsTheRun() {
    WorkflowStub wf =
        start(
            "TrainingPipelineWorkflow",
            "ui-train",
            Map.of(
                "name", "churn",
                "dataset", Map.of("uri", "/data/churn.parquet"),
                "label", "churned",
                "task", "binary",
                "model", Map.of("epochs", "five"),
                "registeredModel", "churn"));

    assertFailedOnConversion(wf, "ui-train", "epochs");
  }

  @Test
  void aScoringBodyWithWordsForNumbersFailsTheRun() {
    WorkflowStub wf =
        start(
            "BatchScoringWorkflow",
            "ui-score",
            Map.of(
                "model", "churn@champion",
                "input", "/data/in.parquet",
                "output", "/data/out",
                "batchSize", "many"));

    assertFailedOnConversion(wf, "ui-score", "batchSize");
  }
}
