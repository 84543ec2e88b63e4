package dev.trainyard.activities.runtime;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one step read, wrote and was told, and by which code, attempt and worker: enough to follow a
 * model version back to the bytes it was trained on and the machine that made it.
 */
public record LineageRecord(
    String step,
    List<Dataset> inputs,
    List<Dataset> outputs,
    Map<String, String> parameters,
    String codeVersion,
    String workflowId,
    String workflowRunId,
    int attempt,
    Instant start,
    Instant end,
    boolean cacheHit,
    Worker worker) {

  /** A dataset or artifact by URI, with a content fingerprint and row count where known. */
  public record Dataset(String uri, String fingerprint, Long rows) {}

  /**
   * The worker that ran the step: its Temporal identity ({@code pid@host}, as the Temporal UI shows
   * it on the activity's events) and the task queue it took the step from.
   */
  public record Worker(String identity, String taskQueue) {}
}
