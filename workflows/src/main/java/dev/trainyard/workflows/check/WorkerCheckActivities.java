package dev.trainyard.workflows.check;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

@ActivityInterface
public interface WorkerCheckActivities {
  /** Answers from whichever worker polls the queue this activity was scheduled on. */
  @ActivityMethod
  WorkerAnswer answer(long holdMillis);
}
