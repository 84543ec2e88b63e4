package dev.trainyard.activities.runtime;

/**
 * The MLflow tags that tie a run to the workflow that made it, so a retried activity finds the run
 * its earlier attempt created instead of making a second one (training and scoring runs alike).
 */
public final class RunTags {
  /** The workflow id: stable across retries and resets. */
  public static final String WORKFLOW_ID = "trainyard.workflow_id";

  /** The workflow run id: one per execution of that workflow id. */
  public static final String WORKFLOW_RUN = "trainyard.workflow_run_id";

  private RunTags() {}
}
