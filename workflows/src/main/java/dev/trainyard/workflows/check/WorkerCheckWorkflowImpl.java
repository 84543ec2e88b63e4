package dev.trainyard.workflows.check;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

public class WorkerCheckWorkflowImpl implements WorkerCheckWorkflow {
  @Override
  public WorkerCheckResult check(WorkerCheckRequest request) {
    List<Promise<WorkerAnswer>> pending = new ArrayList<>();
    for (String queue : request.queues()) {
      WorkerCheckActivities activities =
          Workflow.newActivityStub(
              WorkerCheckActivities.class,
              ActivityOptions.newBuilder()
                  .setTaskQueue(queue)
                  // An unserved queue would otherwise wait forever: that is the thing to report.
                  .setScheduleToStartTimeout(Duration.ofSeconds(request.noWorkerTimeoutSeconds()))
                  .setStartToCloseTimeout(Duration.ofMillis(request.holdMillis()).plusMinutes(1))
                  .setHeartbeatTimeout(Duration.ofSeconds(10))
                  .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(3).build())
                  .build());
      pending.add(Async.function(activities::answer, request.holdMillis()));
    }
    List<WorkerAnswer> answers = new ArrayList<>();
    for (int i = 0; i < pending.size(); i++) {
      String queue = request.queues().get(i);
      try {
        answers.add(pending.get(i).get());
      } catch (ActivityFailure e) {
        String problem =
            e.getCause() instanceof TimeoutFailure
                ? "no worker polled "
                    + queue
                    + " within "
                    + request.noWorkerTimeoutSeconds()
                    + "s: start one with `trainyard worker`"
                : "the check failed: " + e.getCause().getMessage();
        answers.add(new WorkerAnswer(queue, null, null, problem));
      }
    }
    return new WorkerCheckResult(answers);
  }
}
