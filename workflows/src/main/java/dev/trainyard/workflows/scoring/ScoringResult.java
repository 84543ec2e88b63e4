package dev.trainyard.workflows.scoring;

import java.util.Map;

/**
 * What a batch-scoring run did, as the workflow returns it (and the CLI prints it).
 *
 * @param outcome {@code scored}, {@code skipped} (output already published) or {@code scored,
 *     retraining started}
 * @param retrainWorkflowId the retraining pipeline started because of drift, or null
 */
public record ScoringResult(
    String outcome,
    String model,
    String version,
    String date,
    String outputUri,
    String quarantineUri,
    long rowsIn,
    long scored,
    long quarantined,
    Map<String, Double> psi,
    double maxPsi,
    double rowsPerSecond,
    String mlflowRunId,
    String retrainWorkflowId) {}
