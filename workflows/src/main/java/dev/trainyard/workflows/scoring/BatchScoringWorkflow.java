package dev.trainyard.workflows.scoring;

import dev.trainyard.workflows.pipeline.PipelineProgress;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * resolve the model once → score the input on Spark → publish output + quarantine atomically →
 * report (MLflow run, lineage) → optionally start retraining when the input drifted.
 */
@WorkflowInterface
public interface BatchScoringWorkflow {
  @WorkflowMethod
  ScoringResult score(ScoringSpec spec);

  @QueryMethod
  PipelineProgress progress();
}
