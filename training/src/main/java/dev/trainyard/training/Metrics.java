package dev.trainyard.training;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluation metric math, independent of DJL and of where predictions come from. Predictions are
 * what {@link SavedModel#predict} returns, row-major: [p0, p1] per row for binary, k class
 * probabilities for multiclass, the value for regression.
 *
 * <p>Every metric streams: an {@link Accumulator} keeps bounded state however many rows it sees.
 * ROC-AUC and PR-AUC count positives and negatives in 2<sup>20</sup> equal-width probability bins
 * (16 MiB), so probabilities closer than about 10<sup>-6</sup> count as ties; otherwise they equal
 * the exact rank-based values (ties get half credit in ROC-AUC, and average precision steps once
 * per distinct score, as scikit-learn does).
 */
public final class Metrics {
  public static final String ROC_AUC = "roc_auc";
  public static final String PR_AUC = "pr_auc";
  public static final String ACCURACY = "accuracy";
  public static final String F1 = "f1";
  public static final String LOG_LOSS = "log_loss";
  public static final String MACRO_F1 = "macro_f1";
  public static final String RMSE = "rmse";
  public static final String MAE = "mae";
  public static final String R2 = "r2";

  /** Probabilities are clipped to [EPS, 1-EPS] in log loss, as scikit-learn does. */
  static final double LOG_LOSS_EPS = 1e-15;

  static final int SCORE_BINS = 1 << 20;

  private Metrics() {}

  /** The metric names {@link Evaluation#evaluate} reports for a task, primary metric first. */
  public static List<String> namesFor(TrainingTask.Kind task) {
    return switch (task) {
      case BINARY -> List.of(ROC_AUC, PR_AUC, ACCURACY, F1, LOG_LOSS);
      case MULTICLASS -> List.of(ACCURACY, MACRO_F1, LOG_LOSS);
      case REGRESSION -> List.of(RMSE, MAE, R2);
    };
  }

  /** Whether a larger value of the metric is better; false for losses and errors. */
  public static boolean higherIsBetter(String metric) {
    return switch (metric) {
      case ROC_AUC, PR_AUC, ACCURACY, F1, MACRO_F1, R2 -> true;
      case LOG_LOSS, RMSE, MAE -> false;
      default ->
          throw new IllegalArgumentException(
              "unknown metric '"
                  + metric
                  + "'; known: roc_auc, pr_auc, accuracy, f1, log_loss, macro_f1, rmse, mae, r2");
    };
  }

  /** Whether {@code candidate} beats {@code incumbent} for the metric; NaN never beats anything. */
  public static boolean isBetter(String metric, double candidate, double incumbent) {
    if (Double.isNaN(candidate)) {
      return false;
    }
    if (Double.isNaN(incumbent)) {
      return true;
    }
    return higherIsBetter(metric) ? candidate > incumbent : candidate < incumbent;
  }

  /** A fresh accumulator for the task's metrics. */
  public static Accumulator accumulator(TrainingTask task) {
    return switch (task.task()) {
      case BINARY -> new BinaryAccumulator();
      case MULTICLASS -> new MulticlassAccumulator(task.numClasses());
      case REGRESSION -> new RegressionAccumulator();
    };
  }

  /** Streams predictions and labels in, metrics out. Not thread-safe. */
  public abstract static sealed class Accumulator
      permits BinaryAccumulator, MulticlassAccumulator, RegressionAccumulator {
    long count;

    /**
     * Adds {@code rows} rows.
     *
     * @param predictions row-major, {@link TrainingTask#outputWidth()} values per row
     * @param labels one label per row (class index, or the target for regression)
     */
    public final void add(float[] predictions, double[] labels, int rows) {
      for (int i = 0; i < rows; i++) {
        addRow(predictions, i, labels[i]);
        count++;
      }
    }

    /** Adds one row; {@link #count} is the number of rows before it. */
    abstract void addRow(float[] predictions, int row, double label);

    /** Rows seen so far. */
    public long count() {
      return count;
    }

    /** The metrics so far, in {@link #namesFor} order; NaN where undefined (e.g. no rows). */
    public abstract Map<String, Double> result();
  }

  static final class BinaryAccumulator extends Accumulator {
    private final long[] positives = new long[SCORE_BINS];
    private final long[] negatives = new long[SCORE_BINS];
    private long truePositives;
    private long falsePositives;
    private long falseNegatives;
    private long correct;
    private double logLoss;

    @Override
    void addRow(float[] predictions, int row, double label) {
      double p = predictions[row * 2 + 1];
      boolean positive = label == 1.0;
      boolean predictedPositive = p >= 0.5;
      int bin = Math.min(SCORE_BINS - 1, Math.max(0, (int) (p * SCORE_BINS)));
      if (positive) {
        positives[bin]++;
      } else {
        negatives[bin]++;
      }
      if (predictedPositive == positive) {
        correct++;
      }
      if (predictedPositive && positive) {
        truePositives++;
      } else if (predictedPositive) {
        falsePositives++;
      } else if (positive) {
        falseNegatives++;
      }
      double clipped = Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, p));
      logLoss -= positive ? Math.log(clipped) : Math.log(1 - clipped);
    }

    @Override
    public Map<String, Double> result() {
      long totalPositives = truePositives + falseNegatives;
      long totalNegatives = count - totalPositives;
      double rankSum = 0; // negatives outranked by positives, ties counting half
      double averagePrecision = 0;
      long positivesAbove = 0;
      long negativesAbove = 0;
      for (int bin = SCORE_BINS - 1; bin >= 0; bin--) {
        long pos = positives[bin];
        long neg = negatives[bin];
        if (pos == 0 && neg == 0) {
          continue;
        }
        rankSum += neg * (positivesAbove + 0.5 * pos);
        positivesAbove += pos;
        negativesAbove += neg;
        if (pos > 0) {
          averagePrecision +=
              ((double) pos / totalPositives)
                  * ((double) positivesAbove / (positivesAbove + negativesAbove));
        }
      }
      Map<String, Double> out = new LinkedHashMap<>();
      out.put(
          ROC_AUC,
          totalPositives == 0 || totalNegatives == 0
              ? Double.NaN
              : rankSum / ((double) totalPositives * totalNegatives));
      out.put(PR_AUC, totalPositives == 0 ? Double.NaN : averagePrecision);
      out.put(ACCURACY, count == 0 ? Double.NaN : (double) correct / count);
      out.put(F1, f1(truePositives, falsePositives, falseNegatives));
      out.put(LOG_LOSS, count == 0 ? Double.NaN : logLoss / count);
      return out;
    }
  }

  static final class MulticlassAccumulator extends Accumulator {
    private final int classes;
    private final long[] truePositives;
    private final long[] falsePositives;
    private final long[] falseNegatives;
    private long correct;
    private double logLoss;

    MulticlassAccumulator(int classes) {
      this.classes = classes;
      truePositives = new long[classes];
      falsePositives = new long[classes];
      falseNegatives = new long[classes];
    }

    @Override
    void addRow(float[] predictions, int row, double label) {
      int offset = row * classes;
      int predicted = 0;
      for (int c = 1; c < classes; c++) {
        if (predictions[offset + c] > predictions[offset + predicted]) {
          predicted = c;
        }
      }
      int actual = (int) label;
      if (predicted == actual) {
        correct++;
        truePositives[actual]++;
      } else {
        falsePositives[predicted]++;
        falseNegatives[actual]++;
      }
      double p = predictions[offset + actual];
      logLoss -= Math.log(Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, p)));
    }

    @Override
    public Map<String, Double> result() {
      // Macro F1 over the classes that occur in the labels or the predictions (scikit-learn's
      // default): a class absent from both says nothing about the model.
      double sum = 0;
      int present = 0;
      for (int c = 0; c < classes; c++) {
        if (truePositives[c] + falsePositives[c] + falseNegatives[c] > 0) {
          sum += f1(truePositives[c], falsePositives[c], falseNegatives[c]);
          present++;
        }
      }
      Map<String, Double> out = new LinkedHashMap<>();
      out.put(ACCURACY, count == 0 ? Double.NaN : (double) correct / count);
      out.put(MACRO_F1, present == 0 ? Double.NaN : sum / present);
      out.put(LOG_LOSS, count == 0 ? Double.NaN : logLoss / count);
      return out;
    }
  }

  static final class RegressionAccumulator extends Accumulator {
    private double squaredError;
    private double absoluteError;
    private double labelMean; // Welford, for the total sum of squares in r2
    private double labelM2;

    @Override
    void addRow(float[] predictions, int row, double label) {
      double error = predictions[row] - label;
      squaredError += error * error;
      absoluteError += Math.abs(error);
      long n = count + 1;
      double delta = label - labelMean;
      labelMean += delta / n;
      labelM2 += delta * (label - labelMean);
    }

    @Override
    public Map<String, Double> result() {
      Map<String, Double> out = new LinkedHashMap<>();
      out.put(RMSE, count == 0 ? Double.NaN : Math.sqrt(squaredError / count));
      out.put(MAE, count == 0 ? Double.NaN : absoluteError / count);
      double r2;
      if (count == 0) {
        r2 = Double.NaN;
      } else if (labelM2 == 0) {
        r2 = squaredError == 0 ? 1.0 : 0.0; // constant target, as scikit-learn reports it
      } else {
        r2 = 1 - squaredError / labelM2;
      }
      out.put(R2, r2);
      return out;
    }
  }

  private static double f1(long truePositives, long falsePositives, long falseNegatives) {
    long denominator = 2 * truePositives + falsePositives + falseNegatives;
    return denominator == 0 ? 0.0 : 2.0 * truePositives / denominator;
  }
}
