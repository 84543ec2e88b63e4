package dev.trainyard.workflows.scoring;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Realized performance of published scores once their labels arrive ({@link EvaluateScoresSpec}).
 */
@WorkflowInterface
public interface EvaluateScoresWorkflow {
  @WorkflowMethod
  EvaluateScoresResult evaluate(EvaluateScoresSpec spec);
}
