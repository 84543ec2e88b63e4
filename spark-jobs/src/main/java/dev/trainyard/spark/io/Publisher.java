package dev.trainyard.spark.io;

/**
 * Who publishes an output, as {@code _trainyard.json} records it.
 *
 * @param kind what the output is ({@link #SCORES}, {@link #QUARANTINE}, {@link #FEATURES}): a
 *     publish replaces an earlier output of its own kind only
 * @param model the registered model, or null
 * @param version its version, or null
 * @param workflowId the workflow that published it, or null (a job run outside Temporal)
 * @param runId that workflow's run, or null
 */
public record Publisher(
    String kind, String model, String version, String workflowId, String runId) {
  public static final String SCORES = "scores";
  public static final String QUARANTINE = "quarantine";
  public static final String FEATURES = "features";

  /** A shadow scoring run's side-by-side output: the champion's and the shadow's predictions. */
  public static final String SHADOW = "shadow-scores";

  public Publisher {
    if (kind == null || kind.isBlank()) {
      throw new IllegalArgumentException("publisher: kind is required");
    }
  }

  /** A publisher known only by the kind of output. */
  public static Publisher of(String kind) {
    return new Publisher(kind, null, null, null, null);
  }

  Publisher as(String otherKind) {
    return new Publisher(otherKind, model, version, workflowId, runId);
  }
}
