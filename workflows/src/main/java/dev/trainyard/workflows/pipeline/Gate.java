package dev.trainyard.workflows.pipeline;

import dev.trainyard.workflows.pipeline.Payloads.Comparison;
import dev.trainyard.workflows.pipeline.Payloads.Difference;
import dev.trainyard.workflows.pipeline.Payloads.SegmentComparison;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The evaluation gate's rules, kept pure so every branch is unit-tested without Temporal. The
 * numbers it decides on come from activities (the paired bootstrap runs there, on the per-row
 * predictions); the gate only reads their summaries.
 */
public final class Gate {
  private Gate() {}

  /** The point rule alone: no paired comparison (runs that predate it, or tests). */
  public static GateDecision decide(
      PipelineSpec.Gate gate, Map<String, Double> candidate, Map<String, Double> champion) {
    return decide(gate, candidate, champion, null);
  }

  /**
   * @param champion the current champion's metrics on the same test rows, or null if none
   * @param comparison the paired comparison with the champion (null: none was made, so the point
   *     rule decides); its {@code confidence} is null when {@code gate.confidence} is off
   */
  public static GateDecision decide(
      PipelineSpec.Gate gate,
      Map<String, Double> candidate,
      Map<String, Double> champion,
      Comparison comparison) {
    List<String> reasons = new ArrayList<>();
    boolean pass = true;
    for (var t : gate.thresholds().entrySet()) {
      Double v = candidate.get(t.getKey());
      PipelineSpec.Bound b = t.getValue();
      if (v == null || v.isNaN()) {
        pass = false;
        reasons.add(t.getKey() + " was not computed");
        continue;
      }
      Payloads.Interval interval =
          b.confident() && comparison != null && comparison.confidence() != null
              ? comparison.candidateIntervals().get(t.getKey())
              : null;
      if (interval != null) {
        pass &= clearsWithConfidence(t.getKey(), v, b, interval, comparison.confidence(), reasons);
        continue;
      }
      String point = b.confident() ? " (point value: no paired interval without a champion)" : "";
      if (b.min() != null && v < b.min()) {
        pass = false;
        reasons.add(t.getKey() + " " + fmt(v) + " < min " + fmt(b.min()));
      } else if (b.max() != null && v > b.max()) {
        pass = false;
        reasons.add(t.getKey() + " " + fmt(v) + " > max " + fmt(b.max()));
      } else {
        reasons.add(t.getKey() + " " + fmt(v) + " within bounds" + point);
      }
    }
    PipelineSpec.Improvement imp = gate.minImprovement();
    if (champion == null) {
      reasons.add("no current champion to beat");
    } else {
      String m = imp.metric();
      Double c = candidate.get(m);
      Double old = champion.get(m);
      Difference d = comparison == null ? null : comparison.differences().get(m);
      if (c == null || old == null) {
        pass = false;
        reasons.add(m + " missing for the candidate or the champion");
      } else if (comparison != null && comparison.confidence() != null && d != null) {
        pass &= improvesBeyondNoise(m, d, needed(imp, old), comparison.confidence(), reasons);
      } else {
        double gain = TaskMetrics.higherIsBetter(m) ? c - old : old - c;
        double needed = needed(imp, old);
        // A tie never replaces the champion: the gain must be positive and at least the minimum.
        boolean beats = gain > 0 && gain >= needed;
        if (beats) {
          reasons.add(
              m + " " + fmt(c) + " beats champion " + fmt(old) + " (needed +" + fmt(needed) + ")");
        } else {
          pass = false;
          reasons.add(
              m + " " + fmt(c) + " does not beat champion " + fmt(old) + " by " + fmt(needed));
        }
      }
      if (comparison != null && gate.segments() != null && !gate.segments().isEmpty()) {
        pass &= segmentsHold(gate, comparison, reasons);
      }
    }
    return new GateDecision(pass, gate.manual() && pass, reasons);
  }

  /**
   * A threshold with confidence: the whole interval must lie on the right side, e.g. "roc_auc
   * 0.9100 [0.9000, 0.9200] at 95 %: lower bound clears min 0.8900".
   */
  private static boolean clearsWithConfidence(
      String m,
      double v,
      PipelineSpec.Bound b,
      Payloads.Interval i,
      double confidence,
      List<String> reasons) {
    String head =
        m
            + " "
            + fmt(v)
            + " ["
            + fmt(i.lower())
            + ", "
            + fmt(i.upper())
            + "] at "
            + percent(confidence)
            + ": ";
    if (i.lower() == null || i.upper() == null) {
      reasons.add(head + "no interval (" + m + " undefined in most resamples): not promoted");
      return false;
    }
    boolean ok = true;
    List<String> parts = new ArrayList<>();
    if (b.min() != null) {
      if (i.lower() >= b.min()) {
        parts.add("lower bound clears min " + fmt(b.min()));
      } else {
        ok = false;
        parts.add(
            "lower bound "
                + fmt(i.lower())
                + " is below min "
                + fmt(b.min())
                + (v >= b.min() ? " (the point value alone would pass: within noise)" : ""));
      }
    }
    if (b.max() != null) {
      if (i.upper() <= b.max()) {
        parts.add("upper bound clears max " + fmt(b.max()));
      } else {
        ok = false;
        parts.add(
            "upper bound "
                + fmt(i.upper())
                + " is above max "
                + fmt(b.max())
                + (v <= b.max() ? " (the point value alone would pass: within noise)" : ""));
      }
    }
    reasons.add(head + String.join("; ", parts) + (ok ? "" : ": not promoted"));
    return ok;
  }

  private static double needed(PipelineSpec.Improvement imp, double championValue) {
    return imp.relative() != null
        ? Math.abs(championValue) * imp.relative()
        : imp.absolute() == null ? 0 : imp.absolute();
  }

  /**
   * The confidence rule: the interval's lower bound must be above zero and clear the minimum
   * improvement, so a gain inside the noise of the test split never replaces the champion.
   */
  private static boolean improvesBeyondNoise(
      String m, Difference d, double needed, double confidence, List<String> reasons) {
    String head = m + " " + interval(d, confidence);
    String champion = "champion " + fmt(d.champion());
    if (d.lower() == null || d.upper() == null) {
      reasons.add(
          head
              + ": no interval ("
              + m
              + " is undefined in most resamples of the test rows): not promoted");
      return false;
    }
    if (d.lower() > 0 && d.lower() >= needed) {
      reasons.add(
          head
              + ": better than "
              + champion
              + " beyond noise (lower bound clears +"
              + fmt(needed)
              + ")");
      return true;
    }
    if (d.lower() > 0) {
      reasons.add(
          head
              + ": better than "
              + champion
              + ", but the lower bound "
              + signed(d.lower())
              + " does not clear the required +"
              + fmt(needed)
              + ": not promoted");
    } else if (d.upper() < 0) {
      reasons.add(head + ": worse than " + champion + ": not promoted");
    } else {
      reasons.add(
          head
              + ": within noise of "
              + champion
              + " (the lower bound must clear +"
              + fmt(needed)
              + "): not promoted");
    }
    return false;
  }

  /**
   * Whether one segment value keeps within {@code maxRegression} of the champion: with confidence,
   * the interval's lower bound must stay at or above {@code -maxRegression}; without, the estimate.
   * Null when the segment cannot be judged (the metric is undefined there, e.g. one class only).
   * The activity's report uses the same rule.
   */
  public static Boolean segmentHolds(
      SegmentComparison s, boolean withConfidence, double maxRegression) {
    Difference d = s.difference();
    Double judged = withConfidence ? d.lower() : d.estimate();
    if (judged == null || d.estimate() == null || judged.isNaN()) {
      return null;
    }
    return judged >= -maxRegression;
  }

  private static boolean segmentsHold(
      PipelineSpec.Gate gate, Comparison comparison, List<String> reasons) {
    boolean withConfidence = comparison.confidence() != null;
    double max = gate.maxRegression() == null ? 0 : gate.maxRegression();
    String m = comparison.metric();
    int failed = 0;
    int undefined = 0;
    List<String> failures = new ArrayList<>();
    for (SegmentComparison s : comparison.segments()) {
      Boolean holds = segmentHolds(s, withConfidence, max);
      if (holds == null) {
        undefined++;
      } else if (!holds) {
        failed++;
        Difference d = s.difference();
        failures.add(
            "segment "
                + s.column()
                + "="
                + s.value()
                + " ("
                + s.rows()
                + " rows): "
                + m
                + " "
                + (withConfidence ? interval(d, comparison.confidence()) : signed(d.estimate()))
                + ", challenger "
                + fmt(d.candidate())
                + " vs champion "
                + fmt(d.champion())
                + ": worse by more than maxRegression "
                + fmt(max)
                + ": not promoted");
      }
    }
    int compared = comparison.segments().size() - undefined;
    StringBuilder summary =
        new StringBuilder("segments ")
            .append(String.join(", ", new LinkedHashSet<>(gate.segments())))
            .append(": ");
    if (failed == 0) {
      summary
          .append(compared)
          .append(" compared (")
          .append(gate.minRows())
          .append("+ rows each), none worse than the champion on ")
          .append(m)
          .append(" by more than ")
          .append(fmt(max))
          .append(withConfidence ? " at " + percent(comparison.confidence()) : "");
    } else {
      summary
          .append(failed)
          .append(" of ")
          .append(compared)
          .append(" compared worse than the champion on ")
          .append(m)
          .append(" by more than ")
          .append(fmt(max))
          .append(withConfidence ? " at " + percent(comparison.confidence()) : "");
    }
    if (comparison.segmentsBelowMinRows() > 0) {
      summary
          .append("; ")
          .append(comparison.segmentsBelowMinRows())
          .append(" with fewer than ")
          .append(gate.minRows())
          .append(" rows not compared");
    }
    if (undefined > 0) {
      summary.append("; ").append(undefined).append(" where ").append(m).append(" is undefined");
    }
    reasons.add(summary.toString());
    reasons.addAll(failures);
    return failed == 0;
  }

  /** "+0.0041 [+0.0012, +0.0069] at 95 %". */
  static String interval(Difference d, double confidence) {
    return signed(d.estimate())
        + " ["
        + signed(d.lower())
        + ", "
        + signed(d.upper())
        + "] at "
        + percent(confidence);
  }

  private static String percent(double confidence) {
    return Confidence.level(confidence).percent();
  }

  private static String signed(Double d) {
    if (d == null || d.isNaN()) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%+.4f", d);
  }

  private static String fmt(Double d) {
    if (d == null || d.isNaN()) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%.4f", d);
  }
}
