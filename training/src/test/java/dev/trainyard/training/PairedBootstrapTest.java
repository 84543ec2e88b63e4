package dev.trainyard.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The paired bootstrap's maths on data built to have a known answer. */
class PairedBootstrapTest {
  private static final PairedBootstrap.Settings SETTINGS =
      new PairedBootstrap.Settings(1000, 0.95, 42);

  /** Binary rows: labels from a latent score; each model sees the score plus its own noise. */
  private static Predictions[] binaryPair(int n, double candidateNoise, double championNoise) {
    SplittableRandom r = new SplittableRandom(7);
    double[] labels = new double[n];
    float[] a = new float[2 * n];
    float[] b = new float[2 * n];
    for (int i = 0; i < n; i++) {
      double z = gaussian(r);
      labels[i] = r.nextDouble() < sigmoid(2 * z) ? 1 : 0;
      double pa = sigmoid(2 * (z + candidateNoise * gaussian(r)));
      double pb = sigmoid(2 * (z + championNoise * gaussian(r)));
      a[2 * i] = (float) (1 - pa);
      a[2 * i + 1] = (float) pa;
      b[2 * i] = (float) (1 - pb);
      b[2 * i + 1] = (float) pb;
    }
    TrainingTask t = TrainingTask.binary(1);
    return new Predictions[] {
      new Predictions(t, n, a, labels), new Predictions(t, n, b, labels.clone())
    };
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private static double gaussian(SplittableRandom r) {
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  @Test
  void withEveryRowOnceTheMetricsAreExactlyThoseOfEvaluation() {
    Predictions[] p = binaryPair(3000, 0.3, 1.0);
    PairedBootstrap.Result r = PairedBootstrap.compare(p[0], p[1], SETTINGS);
    Map<String, Double> a = p[0].metrics();
    Map<String, Double> b = p[1].metrics();
    for (String m : Metrics.namesFor(TrainingTask.Kind.BINARY)) {
      assertEquals(a.get(m), r.differences().get(m).candidate(), 0.0, m);
      assertEquals(b.get(m), r.differences().get(m).champion(), 0.0, m);
    }

    Predictions[] mc = multiclassPair(2000);
    PairedBootstrap.Result rm = PairedBootstrap.compare(mc[0], mc[1], SETTINGS);
    mc[0].metrics().forEach((m, v) -> assertEquals(v, rm.differences().get(m).candidate(), 0.0, m));

    Predictions[] reg = regressionPair(2000, 1.0, 1.0);
    PairedBootstrap.Result rr = PairedBootstrap.compare(reg[0], reg[1], SETTINGS);
    reg[0]
        .metrics()
        .forEach((m, v) -> assertEquals(v, rr.differences().get(m).candidate(), 1e-9, m));
  }

  @Test
  void aRowWeightedTwiceCountsAsTwoRows() {
    Predictions[] p = binaryPair(500, 0.3, 1.0);
    int[] weights = new int[500];
    java.util.Arrays.fill(weights, 1);
    weights[3] = 2;
    weights[10] = 0;
    double[] out = new double[5];
    PairedBootstrap.Weighted.of(p[0], allRows(500)).metrics(weights, out);

    // The same rows written out: row 3 twice, row 10 left out.
    Metrics.Accumulator acc = Metrics.accumulator(p[0].task());
    for (int i = 0; i < 500; i++) {
      for (int c = 0; c < weights[i]; c++) {
        acc.add(
            new float[] {p[0].values()[2 * i], p[0].values()[2 * i + 1]},
            new double[] {p[0].labels()[i]},
            1);
      }
    }
    Map<String, Double> expected = acc.result();
    int k = 0;
    for (String m : Metrics.namesFor(TrainingTask.Kind.BINARY)) {
      assertEquals(expected.get(m), out[k++], 1e-12, m);
    }
  }

  @Test
  void aClearlyBetterModelHasAnIntervalAboveZero() {
    Predictions[] p = binaryPair(3000, 0.2, 1.5);
    PairedBootstrap.Difference auc =
        PairedBootstrap.compare(p[0], p[1], SETTINGS).differences().get("roc_auc");

    assertTrue(auc.estimate() > 0.05, "estimate " + auc.estimate());
    assertTrue(auc.lowerClears(0), "interval " + auc.lower() + ".." + auc.upper());
    assertTrue(auc.lower() < auc.estimate() && auc.estimate() < auc.upper());
    // log loss is lower-is-better: a better model's gain is positive too.
    assertTrue(
        PairedBootstrap.compare(p[0], p[1], SETTINGS).differences().get("log_loss").estimate() > 0);
  }

  @Test
  void twoEquallyGoodModelsAreWithinNoiseEvenWhenOneScoresHigher() {
    // Same skill, different noise: whichever scores higher does so by chance.
    Predictions[] p = binaryPair(2000, 0.8, 0.8);
    PairedBootstrap.Difference auc =
        PairedBootstrap.compare(p[0], p[1], SETTINGS).differences().get("roc_auc");

    assertTrue(Math.abs(auc.estimate()) < 0.02, "estimate " + auc.estimate());
    assertTrue(auc.lower() < 0 && auc.upper() > 0, auc.lower() + ".." + auc.upper());
    assertFalse(auc.lowerClears(0));
  }

  @Test
  void identicalModelsDifferByExactlyZero() {
    Predictions[] p = binaryPair(1000, 0.5, 0.5);
    PairedBootstrap.Difference auc =
        PairedBootstrap.compare(p[0], p[0], SETTINGS).differences().get("roc_auc");
    assertEquals(0.0, auc.estimate());
    assertEquals(0.0, auc.lower());
    assertEquals(0.0, auc.upper());
    assertFalse(auc.lowerClears(0), "a tie never clears");
  }

  @Test
  void theIntervalMatchesTheNormalTheoryOneForAMeanDifference() {
    // MAE is a mean of per-row errors, so the paired difference's standard error is
    // sd(|e_b| - |e_a|) / sqrt(n); the bootstrap's 95 % interval should be about ±1.96 of it.
    int n = 4000;
    Predictions[] p = regressionPair(n, 1.0, 1.3);
    PairedBootstrap.Difference mae =
        PairedBootstrap.compare(p[0], p[1], new PairedBootstrap.Settings(4000, 0.95, 3))
            .differences()
            .get("mae");
    double mean = 0;
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] =
          Math.abs(p[1].values()[i] - p[1].labels()[i])
              - Math.abs(p[0].values()[i] - p[0].labels()[i]);
      mean += d[i] / n;
    }
    double var = 0;
    for (double x : d) {
      var += (x - mean) * (x - mean) / (n - 1);
    }
    double se = Math.sqrt(var / n);
    assertEquals(mean, mae.estimate(), 1e-6);
    double halfWidth = (mae.upper() - mae.lower()) / 2;
    assertEquals(1.96 * se, halfWidth, 0.1 * 1.96 * se, "half width vs normal theory");
  }

  @Test
  void theCandidatesOwnIntervalMatchesNormalTheoryForItsMae() {
    // A threshold with confidence checks the candidate's own metric: MAE's interval over the same
    // resamples is about mean(|e|) ± 1.96 sd(|e|) / sqrt(n).
    int n = 4000;
    Predictions[] p = regressionPair(n, 1.0, 1.3);
    PairedBootstrap.Difference mae =
        PairedBootstrap.compare(p[0], p[1], new PairedBootstrap.Settings(4000, 0.95, 3))
            .differences()
            .get("mae");
    double mean = 0;
    double[] e = new double[n];
    for (int i = 0; i < n; i++) {
      e[i] = Math.abs(p[0].values()[i] - p[0].labels()[i]);
      mean += e[i] / n;
    }
    double var = 0;
    for (double x : e) {
      var += (x - mean) * (x - mean) / (n - 1);
    }
    double se = Math.sqrt(var / n);
    assertEquals(mean, mae.candidate(), 1e-6);
    assertTrue(mae.candidateLower() < mean && mean < mae.candidateUpper());
    assertEquals(
        1.96 * se,
        (mae.candidateUpper() - mae.candidateLower()) / 2,
        0.1 * 1.96 * se,
        "half width vs normal theory");
  }

  @Test
  void theSameSeedGivesTheSameAnswerAndAnotherSeedNearlyTheSame() {
    Predictions[] p = binaryPair(1500, 0.5, 0.7);
    var first = PairedBootstrap.compare(p[0], p[1], SETTINGS).differences().get("roc_auc");
    var again = PairedBootstrap.compare(p[0], p[1], SETTINGS).differences().get("roc_auc");
    var other =
        PairedBootstrap.compare(p[0], p[1], new PairedBootstrap.Settings(1000, 0.95, 43))
            .differences()
            .get("roc_auc");

    assertEquals(first.lower(), again.lower(), 0.0);
    assertEquals(first.upper(), again.upper(), 0.0);
    assertArrayEquals(first.gains(), again.gains(), 0.0);
    assertNotEquals(first.lower(), other.lower());
    assertEquals(first.lower(), other.lower(), 0.01);
  }

  @Test
  void aSegmentIsComparedExactlyAsIfItsRowsWereTheWholeData() {
    Predictions[] p = binaryPair(1000, 0.4, 0.6);
    int[] segment = new int[300];
    float[] a = new float[600];
    float[] b = new float[600];
    double[] labels = new double[300];
    for (int j = 0; j < 300; j++) {
      int row = 3 * j + 1;
      segment[j] = row;
      System.arraycopy(p[0].values(), 2 * row, a, 2 * j, 2);
      System.arraycopy(p[1].values(), 2 * row, b, 2 * j, 2);
      labels[j] = p[0].labels()[row];
    }
    var viaRows = PairedBootstrap.compare(p[0], p[1], segment, SETTINGS);
    var copied =
        PairedBootstrap.compare(
            new Predictions(p[0].task(), 300, a, labels),
            new Predictions(p[0].task(), 300, b, labels),
            SETTINGS);
    assertEquals(300, viaRows.rows());
    for (String m : Metrics.namesFor(TrainingTask.Kind.BINARY)) {
      assertEquals(copied.differences().get(m).lower(), viaRows.differences().get(m).lower(), 0.0);
      assertEquals(copied.differences().get(m).upper(), viaRows.differences().get(m).upper(), 0.0);
    }
  }

  @Test
  void aMetricUndefinedInMostResamplesHasNoInterval() {
    // One class only in every draw (here: one row), where ROC-AUC is undefined.
    TrainingTask t = TrainingTask.binary(1);
    Predictions a = new Predictions(t, 1, new float[] {0.3f, 0.7f}, new double[] {1});
    var auc =
        PairedBootstrap.compare(a, a, new PairedBootstrap.Settings(200, 0.95, 1))
            .differences()
            .get("roc_auc");
    assertTrue(Double.isNaN(auc.lower()));
    assertFalse(auc.lowerClears(-1));
  }

  @Test
  void settingsRefuseTooFewResamplesAndLevelsOutsideZeroToOne() {
    assertThrows(IllegalArgumentException.class, () -> new PairedBootstrap.Settings(99, 0.95, 1));
    assertThrows(IllegalArgumentException.class, () -> new PairedBootstrap.Settings(100, 1.0, 1));
    assertThrows(IllegalArgumentException.class, () -> new PairedBootstrap.Settings(100, 0, 1));
    assertThrows(
        IllegalArgumentException.class, () -> new PairedBootstrap.Settings(100, Double.NaN, 1));
  }

  @Test
  void segmentSeedsAreStableAndDistinct() {
    assertEquals(
        PairedBootstrap.seedFor(42, "region", "west"),
        PairedBootstrap.seedFor(42, "region", "west"));
    assertNotEquals(
        PairedBootstrap.seedFor(42, "region", "west"),
        PairedBootstrap.seedFor(42, "region", "east"));
    assertNotEquals(PairedBootstrap.seedFor(42, "ab", "c"), PairedBootstrap.seedFor(42, "a", "bc"));
  }

  /**
   * The cost on the demo's test split: `./trainyard demo` writes ~100k rows, 15 % of them test.
   * Printed, not asserted (a shared build machine's timings vary).
   */
  @Test
  void costOnTheDemosTestSplit() {
    Predictions[] p = binaryPair(15_000, 0.3, 0.4);
    PairedBootstrap.compare(p[0], p[1], new PairedBootstrap.Settings(100, 0.95, 1)); // warm up
    long start = System.nanoTime();
    PairedBootstrap.compare(p[0], p[1], SETTINGS);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        java.util.Locale.ROOT,
        "paired bootstrap, binary, 15,000 rows x 1,000 resamples: %.3f s%n",
        seconds);
    assertTrue(seconds < 60, "took " + seconds + " s");
  }

  private static Predictions[] multiclassPair(int n) {
    SplittableRandom r = new SplittableRandom(11);
    int k = 3;
    double[] labels = new double[n];
    float[] a = new float[k * n];
    float[] b = new float[k * n];
    for (int i = 0; i < n; i++) {
      labels[i] = r.nextInt(k);
      for (float[] out : new float[][] {a, b}) {
        double[] e = new double[k];
        double sum = 0;
        for (int c = 0; c < k; c++) {
          e[c] = Math.exp((c == labels[i] ? 1.0 : 0.0) + gaussian(r));
          sum += e[c];
        }
        for (int c = 0; c < k; c++) {
          out[i * k + c] = (float) (e[c] / sum);
        }
      }
    }
    TrainingTask t = TrainingTask.multiclass(1, k);
    return new Predictions[] {new Predictions(t, n, a, labels), new Predictions(t, n, b, labels)};
  }

  private static Predictions[] regressionPair(int n, double candidateNoise, double championNoise) {
    SplittableRandom r = new SplittableRandom(5);
    double[] labels = new double[n];
    float[] a = new float[n];
    float[] b = new float[n];
    for (int i = 0; i < n; i++) {
      labels[i] = 10 * gaussian(r);
      a[i] = (float) (labels[i] + candidateNoise * gaussian(r));
      b[i] = (float) (labels[i] + championNoise * gaussian(r));
    }
    TrainingTask t = TrainingTask.regression(1);
    return new Predictions[] {new Predictions(t, n, a, labels), new Predictions(t, n, b, labels)};
  }

  private static int[] allRows(int n) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    return all;
  }
}
