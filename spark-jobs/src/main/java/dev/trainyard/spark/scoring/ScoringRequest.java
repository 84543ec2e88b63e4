package dev.trainyard.spark.scoring;

import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.io.Publisher;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One batch-scoring run of {@link ScoringJob}.
 *
 * @param input the rows to score (Parquet, or CSV with a header)
 * @param modelDir a local folder holding one model version's files: {@code djl/} (DJL parameters +
 *     {@code model-spec.json}), {@code feature-pipeline/} (the fitted Spark pipeline), {@code
 *     features.json} and, optionally, {@code training-profile.json} (for drift); a path or a {@code
 *     file:} URI
 * @param modelName the registered model's name, written into every output row
 * @param modelVersion the model version, written into every output row
 * @param scoringRunId this run's id (e.g. the workflow id), written into every output row
 * @param keyColumns input columns copied to the output to identify rows (may be empty); a row whose
 *     key is null is quarantined
 * @param outputUri where the scored Parquet is published (replaced if present)
 * @param quarantineUri where rows that cannot be scored are published, with a {@code reason} column
 *     (replaced if present; empty when every row is scored)
 * @param batchSize rows per {@code predict} call
 * @param partitions repartition the rows to score into this many partitions (one model load each);
 *     null keeps the input's partitioning
 * @param maxQuarantineFraction the largest share of quarantined rows (0..1) that still publishes
 * @param workflowRunId the workflow run that scores (recorded in the outputs' {@code
 *     _trainyard.json}), or null
 */
public record ScoringRequest(
    DatasetInput input,
    String modelDir,
    String modelName,
    String modelVersion,
    String scoringRunId,
    List<String> keyColumns,
    String outputUri,
    String quarantineUri,
    int batchSize,
    Integer partitions,
    double maxQuarantineFraction,
    String workflowRunId) {

  public static final int DEFAULT_BATCH_SIZE = 1024;

  /** A request without a workflow run (a job started outside Temporal). */
  public ScoringRequest(
      DatasetInput input,
      String modelDir,
      String modelName,
      String modelVersion,
      String scoringRunId,
      List<String> keyColumns,
      String outputUri,
      String quarantineUri,
      int batchSize,
      Integer partitions,
      double maxQuarantineFraction) {
    this(
        input,
        modelDir,
        modelName,
        modelVersion,
        scoringRunId,
        keyColumns,
        outputUri,
        quarantineUri,
        batchSize,
        partitions,
        maxQuarantineFraction,
        null);
  }

  /** Who publishes this run's outputs, as their {@code _trainyard.json} records it. */
  Publisher publisher(String kind) {
    return new Publisher(kind, modelName, modelVersion, scoringRunId, workflowRunId);
  }

  public ScoringRequest {
    Objects.requireNonNull(input, "input");
    for (var field :
        new String[][] {
          {"modelDir", modelDir},
          {"modelName", modelName},
          {"modelVersion", modelVersion},
          {"scoringRunId", scoringRunId},
          {"outputUri", outputUri},
          {"quarantineUri", quarantineUri}
        }) {
      if (field[1] == null || field[1].isBlank()) {
        throw new IllegalArgumentException("scoring request: " + field[0] + " is required");
      }
    }
    keyColumns = List.copyOf(keyColumns == null ? List.of() : keyColumns);
    Set<String> seen = new HashSet<>();
    for (String key : keyColumns) {
      if (!seen.add(key)) {
        throw new IllegalArgumentException("key column '" + key + "' is listed twice");
      }
      if (ScoringJob.OUTPUT_COLUMNS.contains(key) || key.equals("features")) {
        throw new IllegalArgumentException(
            "key column '"
                + key
                + "' clashes with an output column of the scoring job "
                + ScoringJob.OUTPUT_COLUMNS
                + "; rename it upstream");
      }
    }
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
    }
    if (partitions != null && partitions <= 0) {
      throw new IllegalArgumentException("partitions must be positive, got " + partitions);
    }
    if (!(maxQuarantineFraction >= 0 && maxQuarantineFraction <= 1)) {
      throw new IllegalArgumentException(
          "maxQuarantineFraction must be within [0, 1], got " + maxQuarantineFraction);
    }
    if (outputUri.equals(quarantineUri)) {
      throw new IllegalArgumentException("outputUri and quarantineUri are the same: " + outputUri);
    }
  }
}
