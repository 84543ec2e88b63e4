package dev.trainyard.workflows.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GateTest {
  private static PipelineSpec.Gate gate(
      Map<String, PipelineSpec.Bound> thresholds, PipelineSpec.Improvement imp, boolean manual) {
    return new PipelineSpec.Gate(thresholds, imp, manual, "PT1H");
  }

  private static final PipelineSpec.Improvement AUC_STRICTLY_BETTER =
      new PipelineSpec.Improvement("roc_auc", null, null);

  @Test
  void passesThresholdsWithNoChampion() {
    GateDecision d =
        Gate.decide(
            gate(Map.of("roc_auc", new PipelineSpec.Bound(0.7, null)), AUC_STRICTLY_BETTER, false),
            Map.of("roc_auc", 0.81),
            null);

    assertTrue(d.passed());
    assertFalse(d.needsApproval());
    assertEquals(
        List.of("roc_auc 0.8100 within bounds", "no current champion to beat"), d.reasons());
  }

  @Test
  void failsAThresholdAndSaysWhich() {
    GateDecision d =
        Gate.decide(
            gate(Map.of("roc_auc", new PipelineSpec.Bound(0.9, null)), AUC_STRICTLY_BETTER, false),
            Map.of("roc_auc", 0.81),
            null);

    assertFalse(d.passed());
    assertEquals("roc_auc 0.8100 < min 0.9000", d.reasons().get(0));
  }

  @Test
  void mustBeatTheChampionByTheAbsoluteMargin() {
    var g = gate(Map.of(), new PipelineSpec.Improvement("roc_auc", 0.02, null), false);

    assertFalse(Gate.decide(g, Map.of("roc_auc", 0.81), Map.of("roc_auc", 0.80)).passed());
    assertTrue(Gate.decide(g, Map.of("roc_auc", 0.83), Map.of("roc_auc", 0.80)).passed());
  }

  @Test
  void relativeMarginAndLowerIsBetterMetrics() {
    var g = gate(Map.of(), new PipelineSpec.Improvement("rmse", null, 0.10), false);

    // 10% better than 2.0 means at most 1.8.
    assertTrue(Gate.decide(g, Map.of("rmse", 1.79), Map.of("rmse", 2.0)).passed());
    assertFalse(Gate.decide(g, Map.of("rmse", 1.85), Map.of("rmse", 2.0)).passed());
  }

  @Test
  void aTieNeverReplacesTheChampion() {
    GateDecision d =
        Gate.decide(
            gate(Map.of(), AUC_STRICTLY_BETTER, false),
            Map.of("roc_auc", 0.8),
            Map.of("roc_auc", 0.8));

    assertFalse(d.passed());
    assertEquals(List.of("roc_auc 0.8000 does not beat champion 0.8000 by 0.0000"), d.reasons());
  }

  private static Payloads.Comparison paired(
      double estimate, Double lower, Double upper, List<Payloads.SegmentComparison> segments) {
    return Payloads.Comparison.builder()
        .setChampionMetrics(Map.of("roc_auc", 0.80))
        .optConfidence(0.95)
        .optResamples(1000)
        .setRows(5000)
        .setDifferences(
            Map.of(
                "roc_auc", new Payloads.Difference(0.80 + estimate, 0.80, estimate, lower, upper)))
        .setMetric("roc_auc")
        .optSegments(segments, 0)
        .build();
  }

  private static GateDecision decidePaired(PipelineSpec.Gate g, Payloads.Comparison c) {
    double candidate = c.differences().get("roc_auc").candidate();
    return Gate.decide(g, Map.of("roc_auc", candidate), Map.of("roc_auc", 0.80), c);
  }

  @Test
  void withConfidenceTheLowerBoundMustClearTheMinimumImprovement() {
    var g = gate(Map.of(), AUC_STRICTLY_BETTER, false);

    GateDecision clear = decidePaired(g, paired(0.0041, 0.0012, 0.0069, List.of()));
    assertTrue(clear.passed());
    assertEquals(
        List.of(
            "roc_auc +0.0041 [+0.0012, +0.0069] at 95 %: better than champion 0.8000 beyond noise"
                + " (lower bound clears +0.0000)"),
        clear.reasons());

    GateDecision noise = decidePaired(g, paired(0.0041, -0.0012, 0.0094, List.of()));
    assertFalse(noise.passed());
    assertEquals(
        List.of(
            "roc_auc +0.0041 [-0.0012, +0.0094] at 95 %: within noise of champion 0.8000 (the"
                + " lower bound must clear +0.0000): not promoted"),
        noise.reasons());

    var margin = gate(Map.of(), new PipelineSpec.Improvement("roc_auc", 0.002, null), false);
    GateDecision shy = decidePaired(margin, paired(0.0041, 0.0012, 0.0069, List.of()));
    assertFalse(shy.passed());
    assertEquals(
        "roc_auc +0.0041 [+0.0012, +0.0069] at 95 %: better than champion 0.8000, but the lower"
            + " bound +0.0012 does not clear the required +0.0020: not promoted",
        shy.reasons().get(0));

    GateDecision worse = decidePaired(g, paired(-0.01, -0.02, -0.005, List.of()));
    assertEquals(
        "roc_auc -0.0100 [-0.0200, -0.0050] at 95 %: worse than champion 0.8000: not promoted",
        worse.reasons().get(0));

    GateDecision undefined = decidePaired(g, paired(0.01, null, null, List.of()));
    assertFalse(undefined.passed());
  }

  @Test
  void withConfidenceOffThePointRuleDecidesEvenWithAComparison() {
    var g = gate(Map.of(), AUC_STRICTLY_BETTER, false);
    Payloads.Comparison c = paired(0.0041, null, null, List.of());
    Payloads.Comparison off =
        Payloads.Comparison.builder()
            .setChampionMetrics(c.championMetrics())
            .setRows(c.rows())
            .setDifferences(c.differences())
            .setMetric("roc_auc")
            .build();

    GateDecision d = decidePaired(g, off);
    assertTrue(d.passed());
    assertEquals(List.of("roc_auc 0.8041 beats champion 0.8000 (needed +0.0000)"), d.reasons());
  }

  @Test
  void aSegmentWorseBeyondMaxRegressionFailsTheGateAndIsNamed() {
    var g =
        new PipelineSpec.Gate(Map.of(), AUC_STRICTLY_BETTER, false, "PT1H")
            .toBuilder()
                .optSegments(List.of("region"))
                .optMinRows(100)
                .optMaxRegression(0.01)
                .build();
    var north =
        new Payloads.SegmentComparison(
            "region", "north", 900, new Payloads.Difference(0.9, 0.8, 0.1, 0.08, 0.12));
    // Within 0.01 at the lower bound: holds.
    var east =
        new Payloads.SegmentComparison(
            "region", "east", 800, new Payloads.Difference(0.8, 0.8, 0.0, -0.009, 0.009));
    var west =
        new Payloads.SegmentComparison(
            "region", "west", 700, new Payloads.Difference(0.6, 0.9, -0.3, -0.33, -0.27));
    // One class only: the metric is undefined, so the segment is not judged.
    var south =
        new Payloads.SegmentComparison(
            "region", "south", 150, new Payloads.Difference(null, null, null, null, null));

    GateDecision fine = decidePaired(g, paired(0.05, 0.03, 0.07, List.of(north, east, south)));
    assertTrue(fine.passed(), fine.reasons().toString());
    assertEquals(
        "segments region: 2 compared (100+ rows each), none worse than the champion on roc_auc by"
            + " more than 0.0100 at 95 %; 1 where roc_auc is undefined",
        fine.reasons().get(1));

    GateDecision bad = decidePaired(g, paired(0.05, 0.03, 0.07, List.of(north, east, west)));
    assertFalse(bad.passed());
    assertEquals(
        List.of(
            "roc_auc +0.0500 [+0.0300, +0.0700] at 95 %: better than champion 0.8000 beyond noise"
                + " (lower bound clears +0.0000)",
            "segments region: 1 of 3 compared worse than the champion on roc_auc by more than"
                + " 0.0100 at 95 %",
            "segment region=west (700 rows): roc_auc -0.3000 [-0.3300, -0.2700] at 95 %,"
                + " challenger 0.6000 vs champion 0.9000: worse by more than maxRegression 0.0100:"
                + " not promoted"),
        bad.reasons());
    // The same numbers decide the same way, every time.
    assertEquals(bad, decidePaired(g, paired(0.05, 0.03, 0.07, List.of(north, east, west))));
  }

  @Test
  void confidencePrintsAsAPercentAndReadsOffAsOff() {
    assertEquals("95 %", Confidence.level(0.95).percent());
    assertEquals("90 %", Confidence.level(0.9).percent());
    assertEquals("99.5 %", Confidence.level(0.995).percent());
    assertTrue(Confidence.of("off").isOff());
    assertTrue(Confidence.of(false).isOff());
    assertEquals(Confidence.level(0.95), Confidence.of("0.95"));
    assertEquals("off", Confidence.OFF.wire());
  }

  private static GateDecision thresholdWithConfidence(double lower, double upper) {
    var g =
        gate(
            Map.of("roc_auc", new PipelineSpec.Bound(0.90, null, true)),
            new PipelineSpec.Improvement("roc_auc", null, null),
            false);
    Payloads.Comparison c =
        Payloads.Comparison.builder()
            .setChampionMetrics(Map.of("roc_auc", 0.80))
            .optConfidence(0.95)
            .optResamples(1000)
            .setRows(5000)
            .setDifferences(
                Map.of("roc_auc", new Payloads.Difference(0.91, 0.80, 0.11, 0.10, 0.12)))
            .setMetric("roc_auc")
            .optCandidateIntervals(Map.of("roc_auc", new Payloads.Interval(lower, upper)))
            .build();
    return Gate.decide(g, Map.of("roc_auc", 0.91), Map.of("roc_auc", 0.80), c);
  }

  @Test
  void aThresholdWithConfidenceNeedsTheWholeIntervalAboveIt() {
    GateDecision clear = thresholdWithConfidence(0.905, 0.915);
    assertTrue(clear.passed());
    assertEquals(
        "roc_auc 0.9100 [0.9050, 0.9150] at 95 %: lower bound clears min 0.9000",
        clear.reasons().get(0));

    GateDecision noise = thresholdWithConfidence(0.88, 0.94);
    assertFalse(noise.passed());
    assertEquals(
        "roc_auc 0.9100 [0.8800, 0.9400] at 95 %: lower bound 0.8800 is below min 0.9000 (the"
            + " point value alone would pass: within noise): not promoted",
        noise.reasons().get(0));
  }

  @Test
  void aThresholdWithConfidenceAndNoChampionFallsBackToThePointValueAndSaysSo() {
    GateDecision d =
        Gate.decide(
            gate(
                Map.of("roc_auc", new PipelineSpec.Bound(0.9, null, true)),
                AUC_STRICTLY_BETTER,
                false),
            Map.of("roc_auc", 0.91),
            null);
    assertTrue(d.passed());
    assertEquals(
        "roc_auc 0.9100 within bounds (point value: no paired interval without a champion)",
        d.reasons().get(0));
  }

  @Test
  void manualGatesAskForApprovalOnlyWhenTheRulesPass() {
    var g = gate(Map.of("roc_auc", new PipelineSpec.Bound(0.7, null)), AUC_STRICTLY_BETTER, true);

    assertTrue(Gate.decide(g, Map.of("roc_auc", 0.9), null).needsApproval());
    assertFalse(Gate.decide(g, Map.of("roc_auc", 0.5), null).needsApproval());
  }
}
