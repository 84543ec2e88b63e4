package dev.trainyard.activities.pipeline;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one step read, wrote and was told, and by which code and attempt: enough to follow a model
 * version back to the bytes it was trained on.
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
    boolean cacheHit) {

  /** A dataset or artifact by URI, with a content fingerprint and row count where known. */
  public record Dataset(String uri, String fingerprint, Long rows) {}
}
