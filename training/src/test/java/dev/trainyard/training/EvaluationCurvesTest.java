package dev.trainyard.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EvaluationCurvesTest {
  private static final double EPS = 1e-9;

  private static float[] binary(double... p1) {
    float[] out = new float[p1.length * 2];
    for (int i = 0; i < p1.length; i++) {
      out[2 * i] = (float) (1 - p1[i]);
      out[2 * i + 1] = (float) p1[i];
    }
    return out;
  }

  private static EvaluationCurves.Binary binaryCurves(double[] p1, double[] labels) {
    EvaluationCurves.Accumulator acc = EvaluationCurves.accumulator(TrainingTask.binary(1));
    acc.add(binary(p1), labels, labels.length);
    return (EvaluationCurves.Binary) acc.result();
  }

  @Test
  void handComputedRocAndPrPoints() {
    // Sorted by score: 0.8(+) 0.4(-) 0.35(+) 0.1(-), each in its own score bin.
    EvaluationCurves.Binary b =
        binaryCurves(new double[] {0.1, 0.4, 0.35, 0.8}, new double[] {0, 0, 1, 1});
    assertEquals(
        List.of(
            new EvaluationCurves.Point(0, 0),
            new EvaluationCurves.Point(0, 0.5),
            new EvaluationCurves.Point(0.5, 0.5),
            new EvaluationCurves.Point(0.5, 1),
            new EvaluationCurves.Point(1, 1)),
        b.roc());
    assertEquals(0.75, b.rocAuc(), EPS);
    assertEquals(
        List.of(
            new EvaluationCurves.Point(0, 1),
            new EvaluationCurves.Point(0.5, 1),
            new EvaluationCurves.Point(0.5, 0.5),
            new EvaluationCurves.Point(1, 2 / 3.0),
            new EvaluationCurves.Point(1, 0.5)),
        b.precisionRecall());
    assertEquals(0.5 + 0.5 * 2 / 3.0, b.averagePrecision(), EPS);
  }

  @Test
  void perfectClassifierHasAreaOneAndPassesThroughTheTopLeftCorner() {
    EvaluationCurves.Binary b =
        binaryCurves(
            new double[] {0.05, 0.2, 0.3, 0.7, 0.9, 0.99}, new double[] {0, 0, 0, 1, 1, 1});
    assertTrue(b.roc().contains(new EvaluationCurves.Point(0, 1)));
    assertEquals(1.0, b.rocAuc(), EPS);
    assertEquals(1.0, b.averagePrecision(), EPS);
    // the inverted classifier: area zero
    EvaluationCurves.Binary worst =
        binaryCurves(
            new double[] {0.05, 0.2, 0.3, 0.7, 0.9, 0.99}, new double[] {1, 1, 1, 0, 0, 0});
    assertEquals(0.0, worst.rocAuc(), EPS);
  }

  @Test
  void constantScoreIsTheDiagonal() {
    EvaluationCurves.Binary b =
        binaryCurves(new double[] {0.5, 0.5, 0.5, 0.5}, new double[] {0, 1, 0, 1});
    assertEquals(
        List.of(new EvaluationCurves.Point(0, 0), new EvaluationCurves.Point(1, 1)), b.roc());
    assertEquals(0.5, b.rocAuc(), EPS);
  }

  @Test
  void randomClassifierIsNearHalfAndTrapezoidAreaMatchesMetrics() {
    Random random = new Random(7);
    int n = 20_000;
    double[] p = new double[n];
    double[] y = new double[n];
    double[] informative = new double[n];
    for (int i = 0; i < n; i++) {
      // scores at score-bin centres, so both binnings see the same ties
      p[i] = (random.nextInt(EvaluationCurves.SCORE_BINS) + 0.5) / EvaluationCurves.SCORE_BINS;
      y[i] = random.nextBoolean() ? 1 : 0;
      informative[i] =
          Math.min(999, Math.max(0, (int) (500 + (y[i] - 0.5) * 300 + random.nextGaussian() * 200)))
                  / 1000.0
              + 0.0005;
    }
    EvaluationCurves.Binary b = binaryCurves(p, y);
    assertEquals(0.5, b.rocAuc(), 0.02);
    Metrics.Accumulator m = Metrics.accumulator(TrainingTask.binary(1));
    m.add(binary(p), y, n);
    assertEquals(m.result().get(Metrics.ROC_AUC), b.rocAuc(), 1e-6);
    assertEquals(m.result().get(Metrics.PR_AUC), b.averagePrecision(), 1e-6);

    EvaluationCurves.Binary good = binaryCurves(informative, y);
    Metrics.Accumulator m2 = Metrics.accumulator(TrainingTask.binary(1));
    m2.add(binary(informative), y, n);
    assertTrue(good.rocAuc() > 0.8, "informative scores: AUC " + good.rocAuc());
    assertEquals(m2.result().get(Metrics.ROC_AUC), good.rocAuc(), 1e-6);
    assertEquals(m2.result().get(Metrics.PR_AUC), good.averagePrecision(), 1e-6);
    // ROC is monotone from (0,0) to (1,1)
    List<EvaluationCurves.Point> roc = good.roc();
    assertEquals(new EvaluationCurves.Point(0, 0), roc.get(0));
    assertEquals(new EvaluationCurves.Point(1, 1), roc.get(roc.size() - 1));
    for (int i = 1; i < roc.size(); i++) {
      assertTrue(roc.get(i).x() >= roc.get(i - 1).x() && roc.get(i).y() >= roc.get(i - 1).y());
    }
  }

  @Test
  void calibrationAndHistogramBins() {
    EvaluationCurves.Binary b =
        binaryCurves(
            new double[] {0.05, 0.05, 0.15, 0.95, 0.95, 0.95, 0.95, 1.0},
            new double[] {0, 0, 1, 1, 1, 0, 1, 1});
    List<EvaluationCurves.CalibrationBin> cal = b.calibration(10);
    assertEquals(3, cal.size()); // empty bins left out
    assertEquals(0.05, cal.get(0).meanPredicted(), 1e-6);
    assertEquals(0.0, cal.get(0).fractionPositive(), EPS);
    assertEquals(2, cal.get(0).rows());
    assertEquals(1.0, cal.get(1).fractionPositive(), EPS);
    assertEquals(0.9, cal.get(2).lower(), EPS);
    assertEquals((0.95 * 4 + 1.0) / 5, cal.get(2).meanPredicted(), 1e-6); // score 1 in the top bin
    assertEquals(0.8, cal.get(2).fractionPositive(), EPS);
    long[] neg = b.histogram(false, 10);
    long[] pos = b.histogram(true, 10);
    assertArrayEquals(new long[] {2, 0, 0, 0, 0, 0, 0, 0, 0, 1}, neg);
    assertArrayEquals(new long[] {0, 1, 0, 0, 0, 0, 0, 0, 0, 4}, pos);
    assertEquals(8, b.rows());
  }

  @Test
  void confusionMatrixCountsAndNormalizedRows() {
    EvaluationCurves.Accumulator acc = EvaluationCurves.accumulator(TrainingTask.multiclass(1, 3));
    float[] p = {
      0.8f, 0.1f, 0.1f, // predicted 0, actual 0
      0.1f, 0.8f, 0.1f, // predicted 1, actual 0
      0.1f, 0.8f, 0.1f, // predicted 1, actual 1
      0.1f, 0.2f, 0.7f, // predicted 2, actual 1
      0.1f, 0.2f, 0.7f, // predicted 2, actual 1
    };
    acc.add(p, new double[] {0, 0, 1, 1, 1}, 5);
    EvaluationCurves.Multiclass m = (EvaluationCurves.Multiclass) acc.result();
    assertArrayEquals(new long[] {1, 1, 0}, m.counts()[0]);
    assertArrayEquals(new long[] {0, 1, 2}, m.counts()[1]);
    assertArrayEquals(new long[] {0, 0, 0}, m.counts()[2]);
    assertEquals(5, m.rows());
    double[][] n = m.normalized();
    assertArrayEquals(new double[] {0.5, 0.5, 0}, n[0], EPS);
    assertArrayEquals(new double[] {0, 1 / 3.0, 2 / 3.0}, n[1], EPS);
    assertArrayEquals(new double[] {0, 0, 0}, n[2], EPS);
    // the diagonal's sum over the rows equals Metrics' accuracy
    Metrics.Accumulator metrics = Metrics.accumulator(TrainingTask.multiclass(1, 3));
    metrics.add(p, new double[] {0, 0, 1, 1, 1}, 5);
    assertEquals(
        metrics.result().get(Metrics.ACCURACY),
        (m.counts()[0][0] + m.counts()[1][1] + m.counts()[2][2]) / (double) m.rows(),
        EPS);
  }

  @Test
  void regressionKeepsEveryRowUpToTheSampleThenAUniformSample() {
    EvaluationCurves.Accumulator acc = EvaluationCurves.accumulator(TrainingTask.regression(1));
    acc.add(new float[] {1.5f, 2f, 2.5f}, new double[] {1, 2, 3}, 3);
    EvaluationCurves.Regression r = (EvaluationCurves.Regression) acc.result();
    assertTrue(r.complete());
    assertArrayEquals(new double[] {1, 2, 3}, r.actual(), EPS);
    assertArrayEquals(new double[] {0.5, 0, -0.5}, r.residuals(), EPS);

    EvaluationCurves.Accumulator big = EvaluationCurves.accumulator(TrainingTask.regression(1));
    int n = 100_000;
    float[] pred = new float[n];
    double[] label = new double[n];
    for (int i = 0; i < n; i++) {
      label[i] = i;
      pred[i] = i;
    }
    big.add(pred, label, n);
    EvaluationCurves.Regression s = (EvaluationCurves.Regression) big.result();
    assertFalse(s.complete());
    assertEquals(n, s.rows());
    assertEquals(EvaluationCurves.REGRESSION_SAMPLE, s.actual().length);
    double mean = 0;
    for (double v : s.actual()) {
      mean += v / s.actual().length;
    }
    assertEquals(n / 2.0, mean, n * 0.02); // uniform over the rows, not the first ones
    assertArrayEquals(s.actual(), s.predicted(), EPS); // pairs stay together
  }
}
