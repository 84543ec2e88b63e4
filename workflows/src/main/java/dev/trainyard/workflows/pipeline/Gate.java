package dev.trainyard.workflows.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The evaluation gate's rules, kept pure so every branch is unit-tested without Temporal. */
public final class Gate {
  private Gate() {}

  /**
   * @param champion the current champion's metrics on the same test split, or null if none
   */
  public static GateDecision decide(
      PipelineSpec.Gate gate, Map<String, Double> candidate, Map<String, Double> champion) {
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
      if (b.min() != null && v < b.min()) {
        pass = false;
        reasons.add(t.getKey() + " " + fmt(v) + " < min " + fmt(b.min()));
      } else if (b.max() != null && v > b.max()) {
        pass = false;
        reasons.add(t.getKey() + " " + fmt(v) + " > max " + fmt(b.max()));
      } else {
        reasons.add(t.getKey() + " " + fmt(v) + " within bounds");
      }
    }
    PipelineSpec.Improvement imp = gate.minImprovement();
    if (champion == null) {
      reasons.add("no current champion to beat");
    } else {
      String m = imp.metric();
      Double c = candidate.get(m);
      Double old = champion.get(m);
      if (c == null || old == null) {
        pass = false;
        reasons.add(m + " missing for the candidate or the champion");
      } else {
        double gain = TaskMetrics.higherIsBetter(m) ? c - old : old - c;
        double needed =
            imp.relative() != null
                ? Math.abs(old) * imp.relative()
                : imp.absolute() == null ? 0 : imp.absolute();
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
    }
    return new GateDecision(pass, gate.manual() && pass, reasons);
  }

  private static String fmt(double d) {
    return String.format(java.util.Locale.ROOT, "%.4f", d);
  }
}
