package dev.trainyard.activities.check;

import dev.trainyard.training.Devices;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.check.WorkerAnswer;
import dev.trainyard.workflows.check.WorkerCheckActivities;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityWorkerShutdownException;

public class WorkerCheckActivitiesImpl implements WorkerCheckActivities {
  private final String workerIdentity;

  public WorkerCheckActivitiesImpl(String workerIdentity) {
    this.workerIdentity = workerIdentity;
  }

  @Override
  public WorkerAnswer answer(long holdMillis) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    String queue = ctx.getInfo().getActivityTaskQueue();
    long until = System.currentTimeMillis() + holdMillis;
    boolean workerStopping = false;
    while (System.currentTimeMillis() < until) {
      if (!workerStopping) {
        try {
          ctx.heartbeat(until - System.currentTimeMillis());
        } catch (ActivityWorkerShutdownException e) {
          // This answer is short, so it finishes within the worker's shutdown grace rather than
          // handing back; long activities checkpoint and rethrow instead.
          workerStopping = true;
        }
      }
      try {
        Thread.sleep(Math.min(500, Math.max(1, until - System.currentTimeMillis())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Activity.wrap(e);
      }
    }
    // Only the training queue's answer needs the engine: loading it costs a second or two.
    String device = queue.equals(TaskQueues.TRAIN) ? Devices.describe() : null;
    return new WorkerAnswer(queue, workerIdentity, device, null);
  }
}
