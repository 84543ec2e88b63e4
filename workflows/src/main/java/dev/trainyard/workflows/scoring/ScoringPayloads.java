package dev.trainyard.workflows.scoring;

import dev.trainyard.workflows.pipeline.Payloads.PipelineRun;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What the scoring activities take and return: references and aggregates, never rows. */
public final class ScoringPayloads {
  private ScoringPayloads() {}

  /**
   * The version a scoring run uses, pinned when the run starts.
   *
   * @param alias the alias it was resolved through, or null for a {@code NAME/VERSION} reference
   * @param source the version's artifact URI (its {@code model/} folder)
   */
  public record ResolvedModel(
      String name, String version, String alias, String source, String runId) {
    public String ref() {
      return name + "/" + version;
    }
  }

  public record StartScoringRunRequest(
      ScoringSpec spec, ResolvedModel model, String workflowId, String workflowRunId) {}

  /**
   * @param shadow the shadow version, pinned like the model; null when the spec names none
   */
  public record ScoreBatchRequest(
      ScoringSpec spec, ResolvedModel model, PipelineRun run, ResolvedModel shadow) {
    public ScoreBatchRequest(ScoringSpec spec, ResolvedModel model, PipelineRun run) {
      this(spec, model, run, null);
    }
  }

  /**
   * How a shadow model's predictions compared with the champion's on the same rows.
   *
   * @param model the shadow, {@code NAME/VERSION}
   * @param outputUri where both predictions were published side by side
   * @param agreement classification: share of rows with the same predicted class; null for
   *     regression
   * @param meanAbsDifference regression: mean |champion − shadow|; null for classification
   * @param predictionPsi PSI of the shadow's prediction distribution against the champion's
   */
  public record ShadowSummary(
      String model,
      String outputUri,
      long rows,
      Double agreement,
      Double meanAbsDifference,
      double predictionPsi) {

    /** "agreement 0.9650" or "mean absolute difference 1.2300", then the prediction PSI. */
    public String describe() {
      return (agreement != null
              ? String.format(java.util.Locale.ROOT, "agreement %.4f", agreement)
              : String.format(
                  java.util.Locale.ROOT,
                  "mean absolute difference %.4f",
                  meanAbsDifference == null ? Double.NaN : meanAbsDifference))
          + String.format(java.util.Locale.ROOT, ", prediction PSI %.4f", predictionPsi);
    }
  }

  /**
   * What one scoring step did. Build one with {@link #builder()} (or {@link #skipped}): thirteen
   * fields, four of them numbers, are too many to pass by position.
   *
   * @param skipped the output was already published and the spec says {@code skip}
   * @param maxPsi the largest per-feature PSI (0 when the model has no training profile)
   * @param maxPsiFeature the feature with that PSI, or null
   * @param driftFlags features over the spec's {@link ScoringSpec.Drift} limits, in words (e.g.
   *     {@code income: missing +0.400 > 0.100}, {@code predictions: psi 0.812 > 0.250}); empty when
   *     none is
   * @param predictionPsi prediction drift: PSI of the batch's predictions against the model
   *     version's test-split predictions; null when the version has no reference (or skipped)
   * @param reportUri the full JSON report (an MLflow artifact of the scoring run); null when
   *     skipped
   * @param shadow the shadow comparison; null without a shadow (or when skipped)
   */
  public record ScoreBatchResult(
      boolean skipped,
      long rowsIn,
      long scored,
      long quarantined,
      Map<String, Long> quarantineReasons,
      Map<String, Double> predictionDistribution,
      Map<String, Double> psi,
      double maxPsi,
      String maxPsiFeature,
      List<String> driftFlags,
      Double predictionPsi,
      double rowsPerSecond,
      String outputUri,
      String quarantineUri,
      String reportUri,
      ShadowSummary shadow) {

    public ScoreBatchResult {
      // Absent in results recorded before the flags existed: replayed, they start no retraining.
      driftFlags = driftFlags == null ? List.of() : List.copyOf(driftFlags);
    }

    /** A run that left an already published output alone: nothing scored. */
    public static ScoreBatchResult skipped(String outputUri, String quarantineUri) {
      return builder()
          .setSkipped(true)
          .setOutputUri(outputUri)
          .setQuarantineUri(quarantineUri)
          .build();
    }

    public static Builder builder() {
      return new Builder();
    }

    /**
     * {@code setOutputUri} and {@code setQuarantineUri} are required; counts, rates and PSI default
     * to 0, the maps to empty, {@code maxPsiFeature} and {@code reportUri} to null.
     */
    public static final class Builder {
      private boolean skipped;
      private long rowsIn;
      private long scored;
      private long quarantined;
      private Map<String, Long> quarantineReasons = Map.of();
      private Map<String, Double> predictionDistribution = Map.of();
      private Map<String, Double> psi = Map.of();
      private double maxPsi;
      private String maxPsiFeature;
      private List<String> driftFlags = List.of();
      private Double predictionPsi;
      private double rowsPerSecond;
      private String outputUri;
      private String quarantineUri;
      private String reportUri;
      private ShadowSummary shadow;

      private Builder() {}

      public Builder optShadow(ShadowSummary shadow) {
        this.shadow = shadow;
        return this;
      }

      public Builder setSkipped(boolean skipped) {
        this.skipped = skipped;
        return this;
      }

      public Builder setRowsIn(long rowsIn) {
        this.rowsIn = rowsIn;
        return this;
      }

      public Builder setScored(long scored) {
        this.scored = scored;
        return this;
      }

      public Builder setQuarantined(long quarantined) {
        this.quarantined = quarantined;
        return this;
      }

      public Builder optQuarantineReasons(Map<String, Long> quarantineReasons) {
        this.quarantineReasons = Objects.requireNonNull(quarantineReasons, "quarantineReasons");
        return this;
      }

      public Builder optPredictionDistribution(Map<String, Double> predictionDistribution) {
        this.predictionDistribution =
            Objects.requireNonNull(predictionDistribution, "predictionDistribution");
        return this;
      }

      public Builder optPsi(Map<String, Double> psi) {
        this.psi = Objects.requireNonNull(psi, "psi");
        return this;
      }

      /** The largest per-feature PSI and its feature (null when there is none). */
      public Builder optMaxPsi(double maxPsi, String feature) {
        this.maxPsi = maxPsi;
        this.maxPsiFeature = feature;
        return this;
      }

      public Builder optDriftFlags(List<String> driftFlags) {
        this.driftFlags = Objects.requireNonNull(driftFlags, "driftFlags");
        return this;
      }

      public Builder optPredictionPsi(Double predictionPsi) {
        this.predictionPsi = predictionPsi;
        return this;
      }

      public Builder setRowsPerSecond(double rowsPerSecond) {
        this.rowsPerSecond = rowsPerSecond;
        return this;
      }

      public Builder setOutputUri(String outputUri) {
        this.outputUri = Objects.requireNonNull(outputUri, "outputUri");
        return this;
      }

      public Builder setQuarantineUri(String quarantineUri) {
        this.quarantineUri = Objects.requireNonNull(quarantineUri, "quarantineUri");
        return this;
      }

      public Builder optReportUri(String reportUri) {
        this.reportUri = reportUri;
        return this;
      }

      public ScoreBatchResult build() {
        if (outputUri == null || quarantineUri == null) {
          throw new IllegalStateException(
              "a scoring result names where it published: call setOutputUri and setQuarantineUri");
        }
        return new ScoreBatchResult(
            skipped,
            rowsIn,
            scored,
            quarantined,
            quarantineReasons,
            predictionDistribution,
            psi,
            maxPsi,
            maxPsiFeature,
            driftFlags,
            predictionPsi,
            rowsPerSecond,
            outputUri,
            quarantineUri,
            reportUri,
            shadow);
      }
    }
  }
}
