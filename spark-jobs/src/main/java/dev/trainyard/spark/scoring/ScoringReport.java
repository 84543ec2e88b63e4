package dev.trainyard.spark.scoring;

import dev.trainyard.spark.io.Json;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link ScoringJob} run did: counts, why rows were quarantined, the shape of the
 * predictions and drift from the model's training data. Small (aggregates only), so it fits a
 * workflow payload.
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
 * @param seconds wall time of the run
 * @param rowsPerSecond {@code rowsIn / seconds}
 * @param outputUri where the output was published
 * @param modelVersion the model version that scored
 */
public record ScoringReport(
    long rowsIn,
    long scored,
    long quarantined,
    Map<String, Long> quarantineReasons,
    Map<String, Double> predictionDistribution,
    Map<String, Double> psi,
    double seconds,
    double rowsPerSecond,
    String outputUri,
    String modelVersion) {

  public ScoringReport {
    quarantineReasons = copy(quarantineReasons);
    predictionDistribution = copy(predictionDistribution);
    psi = copy(psi);
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
}
