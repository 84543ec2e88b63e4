package dev.trainyard.workflows.scoring;

import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.SpecProblems;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Realized performance, the argument of {@link EvaluateScoresWorkflow} and {@code trainyard
 * evaluate-scores}: for each day, join the labels that arrived to that day's published scoring
 * output by key and compute how the model version that scored did.
 *
 * @param scores the published scoring output (the scoring request's {@code output}); may hold
 *     {@code {date}}
 * @param labels the labels: Parquet, or CSV with a header when it ends in {@code .csv}; may hold
 *     {@code {date}}
 * @param keys the columns that identify a row in both (the scoring request's {@code keys})
 * @param label the labels' column holding the true value
 * @param dates the scored days to evaluate ({@code yyyy-MM-dd}); empty: the run's day (a schedule's
 *     nominal day, else today, UTC)
 * @param retrain optional: start a retraining pipeline when a day's realized metric crosses a bound
 * @param labelDelayDays without {@code dates}: evaluate the day this many days before the run's day
 *     (labels arrive late: a nightly schedule with 3 evaluates the day scored three days earlier);
 *     null: 0
 */
public record EvaluateScoresSpec(
    String scores,
    String labels,
    List<String> keys,
    String label,
    List<String> dates,
    Retrain retrain,
    Integer labelDelayDays) {

  /**
   * Start {@code pipeline} when {@code metric} (e.g. {@code accuracy}, {@code mae}, {@code rmse})
   * of an evaluated day is below {@code min} or above {@code max} (one of them is set).
   */
  public record Retrain(String metric, Double min, Double max, PipelineSpec pipeline) {
    /** Whether {@code value} crosses the bound. */
    public boolean crossed(double value) {
      return (min != null && value < min) || (max != null && value > max);
    }

    public String bound() {
      return min != null ? "< " + min : "> " + max;
    }
  }

  public EvaluateScoresSpec {
    keys = keys == null ? List.of() : List.copyOf(keys);
    dates = dates == null ? List.of() : List.copyOf(dates);
  }

  /** A spec for the given days (or the run's day when empty), labels without delay. */
  public static EvaluateScoresSpec of(
      String scores,
      String labels,
      List<String> keys,
      String label,
      List<String> dates,
      Retrain retrain) {
    return new EvaluateScoresSpec(scores, labels, keys, label, dates, retrain, null);
  }

  public EvaluateScoresSpec withLabelDelayDays(Integer days) {
    return new EvaluateScoresSpec(scores, labels, keys, label, dates, retrain, days);
  }

  /** Every problem at once, each naming its field; empty when the spec can run. */
  public List<String> problems() {
    List<String> p = new ArrayList<>();
    if (scores == null || scores.isBlank()) {
      p.add("scores: is required (the published scoring output, e.g. lake/scores/{date})");
    }
    if (labels == null || labels.isBlank()) {
      p.add("labels: is required (a Parquet folder/file or CSV with the true values)");
    }
    if (keys.isEmpty()) {
      p.add("keys: name the column(s) that join labels to scored rows (the scoring keys)");
    }
    if (label == null || label.isBlank()) {
      p.add("label: name the labels' column that holds the true value");
    }
    for (int i = 0; i < dates.size(); i++) {
      try {
        LocalDate.parse(dates.get(i));
      } catch (RuntimeException e) {
        p.add("dates[" + i + "]: '" + dates.get(i) + "' is not a date like 2026-11-24");
      }
    }
    if (labelDelayDays != null && labelDelayDays < 0) {
      p.add("labelDelayDays: must be 0 or more, got " + labelDelayDays);
    }
    if (retrain != null) {
      if (retrain.metric() == null || retrain.metric().isBlank()) {
        p.add("retrain.metric: is required (accuracy, mae or rmse)");
      }
      if ((retrain.min() == null) == (retrain.max() == null)) {
        p.add("retrain: set exactly one of min (retrain below it) and max (retrain above it)");
      }
      if (retrain.pipeline() == null) {
        p.add("retrain.pipeline: is required (the training pipeline spec to run)");
      } else {
        SpecProblems.of(retrain.pipeline()).forEach(x -> p.add("retrain.pipeline." + x));
      }
    }
    return p;
  }

  /** The URI for {@code day}: {@code {date}} filled, a plain path made a {@code file://} URI. */
  public static String forDay(String uri, String day) {
    String u = uri.replace("{date}", day).replaceAll("/+$", "");
    return u.startsWith("/") ? "file://" + u : u;
  }
}
