package dev.trainyard.workflows.scoring;

import dev.trainyard.workflows.scoring.ScoringPayloads.ResolvedModel;
import dev.trainyard.workflows.scoring.ScoringPayloads.ScoreBatchResult;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a batch-scoring run did, as the workflow returns it (and the CLI prints it). Build one with
 * {@link #builder()}.
 *
 * @param outcome {@code scored}, {@code skipped} (output already published) or {@code scored,
 *     retraining started}
 * @param driftFlags features over the spec's drift limits, in words ({@link
 *     ScoreBatchResult#driftFlags()})
 * @param predictionPsi prediction drift against the version's test-split predictions; null when the
 *     version has no reference or nothing was scored
 * @param retrainWorkflowId the retraining pipeline started because of drift, or null
 * @param shadow how the shadow model compared with the champion; null without one
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
    List<String> driftFlags,
    Double predictionPsi,
    double rowsPerSecond,
    String mlflowRunId,
    String retrainWorkflowId,
    ScoringPayloads.ShadowSummary shadow) {

  public ScoringResult {
    driftFlags = driftFlags == null ? List.of() : List.copyOf(driftFlags);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * {@code setOutcome} and {@code setModel} are required; {@link Builder#fromBatch} copies what the
   * scoring step returned (where it published, counts, drift, speed).
   */
  public static final class Builder {
    private String outcome;
    private String model;
    private String version;
    private String date;
    private String outputUri;
    private String quarantineUri;
    private long rowsIn;
    private long scored;
    private long quarantined;
    private Map<String, Double> psi = Map.of();
    private Double predictionPsi;
    private double maxPsi;
    private List<String> driftFlags = List.of();
    private double rowsPerSecond;
    private String mlflowRunId;
    private String retrainWorkflowId;
    private ScoringPayloads.ShadowSummary shadow;

    private Builder() {}

    public Builder setOutcome(String outcome) {
      this.outcome = Objects.requireNonNull(outcome, "outcome");
      return this;
    }

    /** The model version that scored: its registered name and version. */
    public Builder setModel(ResolvedModel model) {
      this.model = model.name();
      this.version = model.version();
      return this;
    }

    /** Where the step published, its counts, drift and speed. */
    public Builder fromBatch(ScoreBatchResult r) {
      this.outputUri = r.outputUri();
      this.quarantineUri = r.quarantineUri();
      this.rowsIn = r.rowsIn();
      this.scored = r.scored();
      this.quarantined = r.quarantined();
      this.psi = r.psi();
      this.maxPsi = r.maxPsi();
      this.driftFlags = r.driftFlags();
      this.predictionPsi = r.predictionPsi();
      this.rowsPerSecond = r.rowsPerSecond();
      this.shadow = r.shadow();
      return this;
    }

    public Builder optDate(String date) {
      this.date = date;
      return this;
    }

    public Builder optOutputUri(String outputUri) {
      this.outputUri = outputUri;
      return this;
    }

    public Builder optQuarantineUri(String quarantineUri) {
      this.quarantineUri = quarantineUri;
      return this;
    }

    public Builder optRowsIn(long rowsIn) {
      this.rowsIn = rowsIn;
      return this;
    }

    public Builder optScored(long scored) {
      this.scored = scored;
      return this;
    }

    public Builder optQuarantined(long quarantined) {
      this.quarantined = quarantined;
      return this;
    }

    public Builder optPsi(Map<String, Double> psi) {
      this.psi = psi;
      return this;
    }

    public Builder optMaxPsi(double maxPsi) {
      this.maxPsi = maxPsi;
      return this;
    }

    public Builder optDriftFlags(List<String> driftFlags) {
      this.driftFlags = driftFlags;
      return this;
    }

    public Builder optPredictionPsi(Double predictionPsi) {
      this.predictionPsi = predictionPsi;
      return this;
    }

    public Builder optRowsPerSecond(double rowsPerSecond) {
      this.rowsPerSecond = rowsPerSecond;
      return this;
    }

    /** The MLflow run that records this scoring run. */
    public Builder optMlflowRunId(String mlflowRunId) {
      this.mlflowRunId = mlflowRunId;
      return this;
    }

    /** The retraining pipeline this run started, or null. */
    public Builder optRetrainWorkflowId(String retrainWorkflowId) {
      this.retrainWorkflowId = retrainWorkflowId;
      return this;
    }

    public ScoringResult build() {
      if (outcome == null) {
        throw new IllegalStateException("a scoring result needs an outcome: call setOutcome");
      }
      if (model == null) {
        throw new IllegalStateException("a scoring result names its model: call setModel");
      }
      return new ScoringResult(
          outcome,
          model,
          version,
          date,
          outputUri,
          quarantineUri,
          rowsIn,
          scored,
          quarantined,
          psi,
          maxPsi,
          driftFlags,
          predictionPsi,
          rowsPerSecond,
          mlflowRunId,
          retrainWorkflowId,
          shadow);
    }
  }
}
