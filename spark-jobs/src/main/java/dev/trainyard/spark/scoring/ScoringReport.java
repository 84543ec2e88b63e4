package dev.trainyard.spark.scoring;

import dev.trainyard.spark.io.Json;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link ScoringJob} run did: counts, why rows were quarantined, the shape of the
 * predictions and drift from the model's training data. Small (aggregates only), so it fits a
 * workflow payload. {@link ScoringJob} builds it with {@link #builder()}.
 *
 * @param rowsIn input rows
 * @param scored rows in the published output
 * @param quarantined rows published to the quarantine instead
 * @param quarantineReasons rows per reason (a row with two problems counts under both)
 * @param predictionDistribution classification: share of rows per predicted class, every class of
 *     the model in label order; regression: {@code p05}, {@code p50}, {@code p95} (approximate
 *     quantiles) and {@code mean} of the predicted values; empty when nothing was scored
 * @param psi per feature: population stability index of the scored rows against the model's
 *     training profile (empty when the model folder has none)
 * @param missingChange per profiled feature: its missing-value fraction among the scored rows minus
 *     the training profile's ({@code DriftBins#missingChange})
 * @param unseenShare per profiled categorical feature: the share of its values training never saw
 *     ({@code DriftBins#unseenShare})
 * @param predictionPsi prediction drift: PSI of the scored rows' predictions against the model
 *     version's test-split predictions ({@code PredictionReference}); null when the version has no
 *     reference or nothing was scored
 * @param seconds wall time of the run
 * @param rowsPerSecond {@code rowsIn / seconds}
 * @param outputUri where the output was published
 * @param modelVersion the model version that scored
 * @param shadow how the shadow model's predictions compare with the champion's; null without a
 *     shadow
 */
public record ScoringReport(
    long rowsIn,
    long scored,
    long quarantined,
    Map<String, Long> quarantineReasons,
    Map<String, Double> predictionDistribution,
    Map<String, Double> psi,
    Map<String, Double> missingChange,
    Map<String, Double> unseenShare,
    Double predictionPsi,
    double seconds,
    double rowsPerSecond,
    String outputUri,
    String modelVersion,
    ShadowComparison shadow) {

  public ScoringReport {
    quarantineReasons = copy(quarantineReasons);
    predictionDistribution = copy(predictionDistribution);
    psi = copy(psi);
    missingChange = copy(missingChange);
    unseenShare = copy(unseenShare);
  }

  private static <V> Map<String, V> copy(Map<String, V> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map == null ? Map.of() : map));
  }

  public String toJson() {
    return Json.write(this);
  }

  public static ScoringReport fromJson(String json) {
    return Json.read(json, ScoringReport.class);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * {@code setOutputUri} and {@code setModelVersion} are required; counts and time default to 0,
   * the maps to empty; {@code rowsPerSecond} follows from {@code rowsIn} and {@code seconds}.
   */
  public static final class Builder {
    private long rowsIn;
    private long scored;
    private long quarantined;
    private Map<String, Long> quarantineReasons = Map.of();
    private Map<String, Double> predictionDistribution = Map.of();
    private Map<String, Double> psi = Map.of();
    private Map<String, Double> missingChange = Map.of();
    private Map<String, Double> unseenShare = Map.of();
    private Double predictionPsi;
    private double seconds;
    private String outputUri;
    private String modelVersion;
    private ShadowComparison shadow;

    private Builder() {}

    public Builder optShadow(ShadowComparison shadow) {
      this.shadow = shadow;
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
      this.quarantineReasons = quarantineReasons;
      return this;
    }

    public Builder optPredictionDistribution(Map<String, Double> predictionDistribution) {
      this.predictionDistribution = predictionDistribution;
      return this;
    }

    public Builder optPsi(Map<String, Double> psi) {
      this.psi = psi;
      return this;
    }

    public Builder optMissingChange(Map<String, Double> missingChange) {
      this.missingChange = missingChange;
      return this;
    }

    public Builder optUnseenShare(Map<String, Double> unseenShare) {
      this.unseenShare = unseenShare;
      return this;
    }

    public Builder optPredictionPsi(Double predictionPsi) {
      this.predictionPsi = predictionPsi;
      return this;
    }

    /** The run's wall time; {@code rowsPerSecond} is {@code rowsIn / seconds} (0 for no time). */
    public Builder setSeconds(double seconds) {
      this.seconds = seconds;
      return this;
    }

    public Builder setOutputUri(String outputUri) {
      this.outputUri = Objects.requireNonNull(outputUri, "outputUri");
      return this;
    }

    public Builder setModelVersion(String modelVersion) {
      this.modelVersion = Objects.requireNonNull(modelVersion, "modelVersion");
      return this;
    }

    public ScoringReport build() {
      if (outputUri == null || modelVersion == null) {
        throw new IllegalStateException(
            "a scoring report names its output and model version: call setOutputUri and"
                + " setModelVersion");
      }
      return new ScoringReport(
          rowsIn,
          scored,
          quarantined,
          quarantineReasons,
          predictionDistribution,
          psi,
          missingChange,
          unseenShare,
          predictionPsi,
          seconds,
          seconds > 0 ? rowsIn / seconds : 0,
          outputUri,
          modelVersion,
          shadow);
    }
  }
}
