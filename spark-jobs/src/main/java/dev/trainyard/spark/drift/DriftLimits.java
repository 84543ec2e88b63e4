package dev.trainyard.spark.drift;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How far a scoring batch may drift from the model's training data before it is flagged, beyond PSI
 * (which the retraining trigger has its own limit for): what breaks models in practice is a feature
 * that suddenly goes missing, or a categorical feature flooded with values training never saw; both
 * can leave PSI over the remaining values small.
 *
 * @param maxMissingChange the largest rise of a feature's missing-value fraction over training's
 *     (absolute: 0.1 means 10 percentage points)
 * @param maxUnseenShare the largest share of a categorical feature's values that training never saw
 */
public record DriftLimits(double maxMissingChange, double maxUnseenShare) {
  public static final double DEFAULT_MAX_MISSING_CHANGE = 0.1;
  public static final double DEFAULT_MAX_UNSEEN_SHARE = 0.05;

  public static DriftLimits defaults() {
    return new DriftLimits(DEFAULT_MAX_MISSING_CHANGE, DEFAULT_MAX_UNSEEN_SHARE);
  }

  /** The limits with {@code null}s replaced by the defaults. */
  public static DriftLimits of(Double maxMissingChange, Double maxUnseenShare) {
    return new DriftLimits(
        maxMissingChange != null ? maxMissingChange : DEFAULT_MAX_MISSING_CHANGE,
        maxUnseenShare != null ? maxUnseenShare : DEFAULT_MAX_UNSEEN_SHARE);
  }

  /**
   * One feature over one limit.
   *
   * @param measure {@code missing} (rise of the missing fraction) or {@code unseen} (share never
   *     seen in training)
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

  /** Every feature over a limit, missing-value rises first, in the maps' order. */
  public List<Violation> violations(
      Map<String, Double> missingChange, Map<String, Double> unseenShare) {
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
    return v;
  }
}
