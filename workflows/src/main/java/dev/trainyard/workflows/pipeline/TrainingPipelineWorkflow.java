package dev.trainyard.workflows.pipeline;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** validate → features → train → evaluate → gate → register/promote, for one pipeline spec. */
@WorkflowInterface
public interface TrainingPipelineWorkflow {
  @WorkflowMethod
  PipelineResult run(PipelineSpec spec);

  @QueryMethod
  PipelineProgress progress();

  /** A person's decision for a {@code manual} gate; ignored unless the run is waiting for one. */
  @SignalMethod
  void decide(Approval approval);

  /** Training reports each epoch here so {@link #progress()} can show it. */
  @SignalMethod
  void epochDone(int epoch, java.util.Map<String, Double> metrics);

  record Approval(boolean approve, String by, String comment) {}
}
