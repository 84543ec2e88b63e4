package dev.trainyard.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTest {
  private static final double EPS = 1e-6;

  /** [p0, p1] rows from p1 values. */
  private static float[] binary(double... p1) {
    float[] out = new float[p1.length * 2];
    for (int i = 0; i < p1.length; i++) {
      out[2 * i] = (float) (1 - p1[i]);
      out[2 * i + 1] = (float) p1[i];
    }
    return out;
  }

  private static Map<String, Double> binaryMetrics(double[] p1, double[] labels) {
    Metrics.Accumulator acc = Metrics.accumulator(TrainingTask.binary(1));
    acc.add(binary(p1), labels, labels.length);
    return acc.result();
  }

  @Test
  void binaryMetricsMatchHandComputedValues() {
    // Sorted by score: 0.8(+) 0.4(-) 0.35(+) 0.1(-): 3 of 4 positive-negative pairs ordered.
    Map<String, Double> m =
        binaryMetrics(new double[] {0.1, 0.4, 0.35, 0.8}, new double[] {0, 0, 1, 1});
    assertEquals(0.75, m.get("roc_auc"), EPS);
    // AP = 0.5 * 1 (at 0.8) + 0.5 * 2/3 (at 0.35)
    assertEquals(0.5 + 0.5 * 2 / 3.0, m.get("pr_auc"), EPS);
    assertEquals(0.75, m.get("accuracy"), EPS); // threshold 0.5: predicts 0,0,0,1
    assertEquals(2.0 / 3, m.get("f1"), EPS); // tp 1, fp 0, fn 1
    double logLoss = -(Math.log(0.9) + Math.log(0.6) + Math.log(0.35) + Math.log(0.8)) / 4;
    assertEquals(logLoss, m.get("log_loss"), 1e-6);
    assertEquals(Metrics.namesFor(TrainingTask.Kind.BINARY), List.copyOf(m.keySet()));
  }

  @Test
  void tiedScoresGetHalfCreditInRocAucAndOneStepInAveragePrecision() {
    // Pairs (+,-): (0.5,0.5) tie = 0.5, (0.5,0.2) = 1, (0.8,0.5) = 1, (0.8,0.2) = 1 → 3.5 / 4.
    Map<String, Double> m =
        binaryMetrics(new double[] {0.5, 0.5, 0.2, 0.8}, new double[] {1, 0, 0, 1});
    assertEquals(0.875, m.get("roc_auc"), EPS);
    // Steps: 0.8 → P 1, R 0.5; the tied 0.5 group → P 2/3, R 1.
    assertEquals(0.5 + 0.5 * 2 / 3.0, m.get("pr_auc"), EPS);
    assertEquals(0.75, m.get("accuracy"), EPS); // p >= 0.5 is positive
    assertEquals(0.8, m.get("f1"), EPS); // tp 2, fp 1, fn 0
  }

  @Test
  void rocAucIsUndefinedWithOneClassAndStreamsAcrossBatches() {
    assertTrue(binaryMetrics(new double[] {0.2, 0.9}, new double[] {1, 1}).get("roc_auc").isNaN());

    Metrics.Accumulator acc = Metrics.accumulator(TrainingTask.binary(1));
    acc.add(binary(0.1, 0.4), new double[] {0, 0}, 2);
    acc.add(binary(0.35, 0.8), new double[] {1, 1}, 2);
    assertEquals(4, acc.count());
    assertEquals(0.75, acc.result().get("roc_auc"), EPS);
  }

  @Test
  void multiclassMetricsMatchHandComputedValues() {
    float[] probabilities = {
      0.7f, 0.2f, 0.1f, // label 0, predicted 0
      0.1f, 0.6f, 0.3f, // label 1, predicted 1
      0.2f, 0.3f, 0.5f, // label 1, predicted 2
      0.3f, 0.4f, 0.3f, // label 2, predicted 1
    };
    Metrics.Accumulator acc = Metrics.accumulator(TrainingTask.multiclass(1, 3));
    acc.add(probabilities, new double[] {0, 1, 1, 2}, 4);
    Map<String, Double> m = acc.result();
    assertEquals(0.5, m.get("accuracy"), EPS);
    // F1 per class: c0 1.0; c1 tp 1 fp 1 fn 1 → 0.5; c2 tp 0 → 0.
    assertEquals(0.5, m.get("macro_f1"), EPS);
    double logLoss = -(Math.log(0.7) + Math.log(0.6) + Math.log(0.3) + Math.log(0.3)) / 4;
    assertEquals(logLoss, m.get("log_loss"), 1e-6);
    assertEquals(Metrics.namesFor(TrainingTask.Kind.MULTICLASS), List.copyOf(m.keySet()));
  }

  @Test
  void regressionMetricsMatchHandComputedValues() {
    Metrics.Accumulator acc = Metrics.accumulator(TrainingTask.regression(1));
    acc.add(new float[] {2.5f, 0.0f}, new double[] {3, -0.5}, 2);
    acc.add(new float[] {2f, 8f}, new double[] {2, 7}, 2);
    Map<String, Double> m = acc.result();
    assertEquals(Math.sqrt(0.375), m.get("rmse"), EPS); // squared errors 0.25, 0.25, 0, 1
    assertEquals(0.5, m.get("mae"), EPS);
    // mean label 2.875, total sum of squares 29.1875
    assertEquals(1 - 1.5 / 29.1875, m.get("r2"), EPS);
    assertEquals(Metrics.namesFor(TrainingTask.Kind.REGRESSION), List.copyOf(m.keySet()));
  }

  @Test
  void directionsAndNames() {
    assertTrue(Metrics.higherIsBetter("roc_auc"));
    assertTrue(Metrics.higherIsBetter("r2"));
    assertFalse(Metrics.higherIsBetter("rmse"));
    assertFalse(Metrics.higherIsBetter("log_loss"));
    assertThrows(IllegalArgumentException.class, () -> Metrics.higherIsBetter("auc"));
    assertTrue(Metrics.isBetter("rmse", 0.5, 0.6));
    assertFalse(Metrics.isBetter("roc_auc", Double.NaN, 0.6));
    assertTrue(Metrics.isBetter("roc_auc", 0.6, Double.NaN));
    assertFalse(Metrics.namesFor(TrainingTask.Kind.REGRESSION).contains("roc_auc"));
    assertEquals("roc_auc", TrainingTask.binary(3).primaryMetric());
    assertEquals("accuracy", TrainingTask.multiclass(3, 4).primaryMetric());
    assertEquals("rmse", TrainingTask.regression(3).primaryMetric());
  }
}
