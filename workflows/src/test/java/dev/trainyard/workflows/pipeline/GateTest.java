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

  @Test
  void manualGatesAskForApprovalOnlyWhenTheRulesPass() {
    var g = gate(Map.of("roc_auc", new PipelineSpec.Bound(0.7, null)), AUC_STRICTLY_BETTER, true);

    assertTrue(Gate.decide(g, Map.of("roc_auc", 0.9), null).needsApproval());
    assertFalse(Gate.decide(g, Map.of("roc_auc", 0.5), null).needsApproval());
  }
}
