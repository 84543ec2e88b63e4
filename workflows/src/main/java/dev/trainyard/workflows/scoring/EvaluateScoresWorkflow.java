package dev.trainyard.workflows.scoring;

import dev.trainyard.workflows.pipeline.PipelineProgress;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Realized performance of published scores once their labels arrive ({@link EvaluateScoresSpec}).
 */
@WorkflowInterface
public interface EvaluateScoresWorkflow {
  @WorkflowMethod
  EvaluateScoresResult evaluate(EvaluateScoresSpec spec);

  /** The day being evaluated and the days done (what {@code trainyard runs} and --wait show). */
  @QueryMethod
  PipelineProgress progress();
}
