package dev.trainyard.spark.scoring;

import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.io.Publisher;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One batch-scoring run of {@link ScoringJob}. Build one with {@link #builder()}: its many string
 * fields are too easy to swap by position.
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
 *     _trainyard.json}), or null (a job started outside Temporal)
 * @param shadow a second model scored in the same pass, whose predictions are published next to the
 *     champion's ({@link ShadowModel}); null: none
 * @see #builder()
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
    String workflowRunId,
    ShadowModel shadow) {

  public static final int DEFAULT_BATCH_SIZE = 1024;

  /** The quarantined share a request allows unless it says otherwise (as a scoring spec's). */
  public static final double DEFAULT_MAX_QUARANTINE_FRACTION = 0.05;

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
    if (shadow != null
        && (shadow.outputUri().equals(outputUri) || shadow.outputUri().equals(quarantineUri))) {
      throw new IllegalArgumentException(
          "the shadow output " + shadow.outputUri() + " is the output or the quarantine");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * {@code setInput}, {@code setModelDir}, {@code setModelName}, {@code setModelVersion}, {@code
   * setScoringRunId}, {@code setOutputUri} and {@code setQuarantineUri} are required (the request
   * says which is missing); no key columns, batches of {@link #DEFAULT_BATCH_SIZE}, the input's
   * partitioning, {@link #DEFAULT_MAX_QUARANTINE_FRACTION} and no workflow run unless set.
   */
  public static final class Builder {
    private DatasetInput input;
    private String modelDir;
    private String modelName;
    private String modelVersion;
    private String scoringRunId;
    private List<String> keyColumns = List.of();
    private String outputUri;
    private String quarantineUri;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private Integer partitions;
    private double maxQuarantineFraction = DEFAULT_MAX_QUARANTINE_FRACTION;
    private String workflowRunId;
    private ShadowModel shadow;

    private Builder() {}

    public Builder optShadow(ShadowModel shadow) {
      this.shadow = shadow;
      return this;
    }

    public Builder setInput(DatasetInput input) {
      this.input = input;
      return this;
    }

    public Builder setModelDir(String modelDir) {
      this.modelDir = modelDir;
      return this;
    }

    public Builder setModelName(String modelName) {
      this.modelName = modelName;
      return this;
    }

    public Builder setModelVersion(String modelVersion) {
      this.modelVersion = modelVersion;
      return this;
    }

    public Builder setScoringRunId(String scoringRunId) {
      this.scoringRunId = scoringRunId;
      return this;
    }

    public Builder optKeyColumns(List<String> keyColumns) {
      this.keyColumns = keyColumns;
      return this;
    }

    public Builder setOutputUri(String outputUri) {
      this.outputUri = outputUri;
      return this;
    }

    public Builder setQuarantineUri(String quarantineUri) {
      this.quarantineUri = quarantineUri;
      return this;
    }

    public Builder optBatchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    public Builder optPartitions(Integer partitions) {
      this.partitions = partitions;
      return this;
    }

    public Builder optMaxQuarantineFraction(double maxQuarantineFraction) {
      this.maxQuarantineFraction = maxQuarantineFraction;
      return this;
    }

    public Builder optWorkflowRunId(String workflowRunId) {
      this.workflowRunId = workflowRunId;
      return this;
    }

    /**
     * @throws NullPointerException without an input
     * @throws IllegalArgumentException naming the first field that is missing or wrong
     */
    public ScoringRequest build() {
      return new ScoringRequest(
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
          workflowRunId,
          shadow);
    }
  }
}
