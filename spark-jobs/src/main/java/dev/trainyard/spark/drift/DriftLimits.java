package dev.trainyard.spark.drift;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How far a scoring batch may drift from the model's training data before it is flagged, beyond PSI
 * (which the retraining trigger has its own limit for): what breaks models in practice is a feature
 * that suddenly goes missing, or a categorical feature flooded with values training never saw; both
 * can leave PSI over the remaining values small. And the model's output itself: a batch whose
 * predictions are distributed unlike the model's test-split predictions (prediction drift, PSI of
 * the predicted classes or of regression's decile bins) is flagged whatever its features did.
 *
 * @param maxMissingChange the largest rise of a feature's missing-value fraction over training's
 *     (absolute: 0.1 means 10 percentage points)
 * @param maxUnseenShare the largest share of a categorical feature's values that training never saw
 * @param maxPredictionPsi the largest PSI of the batch's predictions against the model version's
 *     test-split predictions
 */
public record DriftLimits(double maxMissingChange, double maxUnseenShare, double maxPredictionPsi) {
  public static final double DEFAULT_MAX_MISSING_CHANGE = 0.1;
  public static final double DEFAULT_MAX_UNSEEN_SHARE = 0.05;

  /** PSI over 0.25 is the usual reading of a large shift. */
  public static final double DEFAULT_MAX_PREDICTION_PSI = 0.25;

  /**
   * What {@link Violation#feature()} says for prediction drift (no feature: the model's output).
   */
  public static final String PREDICTIONS = "predictions";

  public static DriftLimits defaults() {
    return new DriftLimits(
        DEFAULT_MAX_MISSING_CHANGE, DEFAULT_MAX_UNSEEN_SHARE, DEFAULT_MAX_PREDICTION_PSI);
  }

  /** The limits with {@code null}s replaced by the defaults. */
  public static DriftLimits of(
      Double maxMissingChange, Double maxUnseenShare, Double maxPredictionPsi) {
    return new DriftLimits(
        maxMissingChange != null ? maxMissingChange : DEFAULT_MAX_MISSING_CHANGE,
        maxUnseenShare != null ? maxUnseenShare : DEFAULT_MAX_UNSEEN_SHARE,
        maxPredictionPsi != null ? maxPredictionPsi : DEFAULT_MAX_PREDICTION_PSI);
  }

  /**
   * One feature (or the {@value #PREDICTIONS}) over one limit.
   *
   * @param measure {@code missing} (rise of the missing fraction), {@code unseen} (share never seen
   *     in training) or {@code psi} (prediction drift)
   */
  public record Violation(String feature, String measure, double value, double limit) {
    /** In words, e.g. {@code income: missing +0.400 > 0.100}. */
    public String describe() {
      return String.format(
          Locale.ROOT,
          "%s: %s %s%.3f > %.3f",
          feature,
          measure,
          measure.equals("missing") ? "+" : "",
          value,
          limit);
    }
  }

  /**
   * Every feature over a limit, missing-value rises first, in the maps' order, then prediction
   * drift.
   *
   * @param predictionPsi null when it is not known (a version without a prediction reference)
   */
  public List<Violation> violations(
      Map<String, Double> missingChange, Map<String, Double> unseenShare, Double predictionPsi) {
    List<Violation> v = new ArrayList<>();
    missingChange.forEach(
        (feature, change) -> {
          if (change > maxMissingChange) {
            v.add(new Violation(feature, "missing", change, maxMissingChange));
          }
        });
    unseenShare.forEach(
        (feature, share) -> {
          if (share > maxUnseenShare) {
            v.add(new Violation(feature, "unseen", share, maxUnseenShare));
          }
        });
    if (predictionPsi != null && predictionPsi > maxPredictionPsi) {
      v.add(new Violation(PREDICTIONS, "psi", predictionPsi, maxPredictionPsi));
    }
    return v;
  }
}
