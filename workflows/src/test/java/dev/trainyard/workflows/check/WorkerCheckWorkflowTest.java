package dev.trainyard.workflows.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.workflows.TaskQueues;
import io.temporal.activity.Activity;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Workflow logic on the in-process test server, with time skipping. */
class WorkerCheckWorkflowTest {
  private TestWorkflowEnvironment env;

  /** Answers with the queue it was scheduled on, as the real activity does. */
  static final class QueueEcho implements WorkerCheckActivities {
    @Override
    public WorkerAnswer answer(long holdMillis) {
      return new WorkerAnswer(
          Activity.getExecutionContext().getInfo().getActivityTaskQueue(), "test@host", null, null);
    }
  }

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private WorkerCheckResult run(List<String> servedQueues) {
    for (String q : servedQueues) {
      Worker w = env.newWorker(q);
      if (q.equals(TaskQueues.CONTROL)) {
        w.registerWorkflowImplementationTypes(WorkerCheckWorkflowImpl.class);
      }
      w.registerActivitiesImplementations(new QueueEcho());
    }
    env.start();
    WorkerCheckWorkflow wf =
        env.getWorkflowClient()
            .newWorkflowStub(
                WorkerCheckWorkflow.class,
                WorkflowOptions.newBuilder().setTaskQueue(TaskQueues.CONTROL).build());
    return wf.check(new WorkerCheckRequest(TaskQueues.ALL, 0, 5));
  }

  @Test
  void eachQueueIsAnsweredFromItsOwnQueue() {
    WorkerCheckResult result = run(TaskQueues.ALL);

    assertTrue(result.allServed());
    assertEquals(TaskQueues.ALL, result.answers().stream().map(WorkerAnswer::queue).toList());
  }

  @Test
  void aQueueNobodyPollsIsReportedWithWhatToDo() {
    WorkerCheckResult result = run(List.of(TaskQueues.CONTROL, TaskQueues.SPARK));

    assertFalse(result.allServed());
    WorkerAnswer train = result.answers().get(2);
    assertEquals(TaskQueues.TRAIN, train.queue());
    assertNull(train.worker());
    assertEquals(
        "no worker polled trainyard-train within 5s: start one with `trainyard worker`",
        train.problem());
    assertTrue(result.answers().get(0).served());
  }
}
