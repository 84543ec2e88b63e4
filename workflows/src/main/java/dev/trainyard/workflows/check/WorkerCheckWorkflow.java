package dev.trainyard.workflows.check;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Asks a worker on each task queue to answer, so a user (and {@code trainyard demo}) can see that
 * every queue is served and by whom, before starting real work.
 */
@WorkflowInterface
public interface WorkerCheckWorkflow {
  @WorkflowMethod
  WorkerCheckResult check(WorkerCheckRequest request);
}
