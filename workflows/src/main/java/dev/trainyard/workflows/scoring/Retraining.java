package dev.trainyard.workflows.scoring;

import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;

/**
 * Closing the loop, one way for every trigger (a scoring run's drift, realized performance): the
 * training pipeline starts as an independent run, {@code retrain-<this workflow's id>}, that
 * outlives the run that started it.
 */
final class Retraining {
  private Retraining() {}

  /**
   * Starts {@code pipeline} and waits until it has started (so its id is real), not until it ends.
   *
   * @param why the run's summary in the Temporal UI
   * @return the retraining workflow's id
   */
  static String start(PipelineSpec pipeline, String why) {
    String id = "retrain-" + Workflow.getInfo().getWorkflowId();
    TrainingPipelineWorkflow child =
        Workflow.newChildWorkflowStub(
            TrainingPipelineWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setTaskQueue(TaskQueues.CONTROL)
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
                .setStaticSummary(why)
                .build());
    Async.function(child::run, pipeline);
    Workflow.getWorkflowExecution(child).get();
    return id;
  }
}
