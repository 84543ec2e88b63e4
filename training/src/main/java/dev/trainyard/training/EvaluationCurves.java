package dev.trainyard.training;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What the evaluation plots draw, computed from the same per-row predictions as {@link Metrics}
 * and, like them, streaming: an {@link Accumulator} keeps bounded state however many rows it sees.
 * Pure maths, no drawing ({@link EvaluationPlots} draws).
 *
 * <ul>
 *   <li>{@link Binary}: positives and negatives counted in {@value #SCORE_BINS} equal-width bins of
 *       the positive-class probability, so scores closer than 1/{@value #SCORE_BINS} share a
 *       threshold. From them: the ROC and precision-recall curves (one point per occupied bin,
 *       highest threshold first), the calibration curve and the score histogram by class.
 *   <li>{@link Multiclass}: the confusion matrix, rows = actual class, columns = predicted (arg
 *       max).
 *   <li>{@link Regression}: a uniform sample (reservoir, fixed seed) of at most {@value
 *       #REGRESSION_SAMPLE} (actual, predicted) pairs, for the scatter and the residual histogram.
 * </ul>
 */
public sealed interface EvaluationCurves
    permits EvaluationCurves.Binary, EvaluationCurves.Multiclass, EvaluationCurves.Regression {

  /** Score bins of the binary curves. */
  int SCORE_BINS = 1000;

  /** Most (actual, predicted) pairs a regression keeps for its plots. */
  int REGRESSION_SAMPLE = 5000;

  /** Rows the curves were computed from. */
  long rows();

  /** A fresh accumulator for the task. */
  static Accumulator accumulator(TrainingTask task) {
    return new Accumulator(task);
  }

  /** One point of a curve. */
  record Point(double x, double y) {}

  /**
   * One bin of a calibration curve.
   *
   * @param meanPredicted the mean positive-class probability of the bin's rows
   * @param fractionPositive the fraction of the bin's rows that are positive
   * @param rows how many rows fall in the bin
   */
  record CalibrationBin(
      double lower, double upper, double meanPredicted, double fractionPositive, long rows) {}

  /**
   * Binary classification.
   *
   * @param positives positives per score bin, bin {@code i} holding scores in [i/n, (i+1)/n) (score
   *     1 in the last)
   * @param negatives negatives per score bin
   * @param scoreSums the sum of the scores of each bin's rows (for the calibration curve)
   */
  record Binary(long[] positives, long[] negatives, double[] scoreSums)
      implements EvaluationCurves {
    public Binary {
      if (positives.length != negatives.length || positives.length != scoreSums.length) {
        throw new IllegalArgumentException("positives, negatives and scoreSums need equal lengths");
      }
    }

    @Override
    public long rows() {
      return totalPositives() + totalNegatives();
    }

    public long totalPositives() {
      return sum(positives);
    }

    public long totalNegatives() {
      return sum(negatives);
    }

    /**
     * The ROC curve: (false-positive rate, true-positive rate), one point per occupied score bin as
     * the threshold falls, from (0, 0) to (1, 1). Empty when a class is absent.
     */
    public List<Point> roc() {
      long p = totalPositives();
      long n = totalNegatives();
      List<Point> out = new ArrayList<>();
      if (p == 0 || n == 0) {
        return out;
      }
      out.add(new Point(0, 0));
      long tp = 0;
      long fp = 0;
      for (int bin = positives.length - 1; bin >= 0; bin--) {
        if (positives[bin] == 0 && negatives[bin] == 0) {
          continue;
        }
        tp += positives[bin];
        fp += negatives[bin];
        out.add(new Point((double) fp / n, (double) tp / p));
      }
      return out;
    }

    /** The area under {@link #roc()} by the trapezoid rule; NaN when a class is absent. */
    public double rocAuc() {
      List<Point> roc = roc();
      if (roc.isEmpty()) {
        return Double.NaN;
      }
      double area = 0;
      for (int i = 1; i < roc.size(); i++) {
        Point a = roc.get(i - 1);
        Point b = roc.get(i);
        area += (b.x() - a.x()) * (a.y() + b.y()) / 2;
      }
      return area;
    }

    /**
     * The precision-recall curve: (recall, precision), starting at (0, 1) as scikit-learn does,
     * then one point per occupied score bin as the threshold falls. Empty without positives.
     */
    public List<Point> precisionRecall() {
      long p = totalPositives();
      List<Point> out = new ArrayList<>();
      if (p == 0) {
        return out;
      }
      out.add(new Point(0, 1));
      long tp = 0;
      long fp = 0;
      for (int bin = positives.length - 1; bin >= 0; bin--) {
        if (positives[bin] == 0 && negatives[bin] == 0) {
          continue;
        }
        tp += positives[bin];
        fp += negatives[bin];
        out.add(new Point((double) tp / p, (double) tp / (tp + fp)));
      }
      return out;
    }

    /**
     * Average precision, the step-wise area under {@link #precisionRecall()} (scikit-learn's
     * definition, what {@link Metrics} reports as {@code pr_auc}); NaN without positives.
     */
    public double averagePrecision() {
      List<Point> pr = precisionRecall();
      if (pr.isEmpty()) {
        return Double.NaN;
      }
      double area = 0;
      for (int i = 1; i < pr.size(); i++) {
        area += (pr.get(i).x() - pr.get(i - 1).x()) * pr.get(i).y();
      }
      return area;
    }

    /**
     * The calibration (reliability) curve over {@code bins} equal-width probability bins; bins with
     * no rows are left out. {@code bins} must divide {@link #SCORE_BINS}.
     */
    public List<CalibrationBin> calibration(int bins) {
      int per = perBin(bins);
      List<CalibrationBin> out = new ArrayList<>();
      for (int b = 0; b < bins; b++) {
        long pos = 0;
        long neg = 0;
        double scores = 0;
        for (int i = b * per; i < (b + 1) * per; i++) {
          pos += positives[i];
          neg += negatives[i];
          scores += scoreSums[i];
        }
        long rows = pos + neg;
        if (rows > 0) {
          out.add(
              new CalibrationBin(
                  (double) b / bins,
                  (double) (b + 1) / bins,
                  scores / rows,
                  (double) pos / rows,
                  rows));
        }
      }
      return out;
    }

    /**
     * The score histogram of one class over {@code bins} equal-width bins of [0, 1]; {@code bins}
     * must divide {@link #SCORE_BINS}.
     */
    public long[] histogram(boolean positive, int bins) {
      int per = perBin(bins);
      long[] source = positive ? positives : negatives;
      long[] out = new long[bins];
      for (int i = 0; i < source.length; i++) {
        out[i / per] += source[i];
      }
      return out;
    }

    private int perBin(int bins) {
      if (bins <= 0 || positives.length % bins != 0) {
        throw new IllegalArgumentException(
            bins + " bins do not divide the " + positives.length + " score bins");
      }
      return positives.length / bins;
    }
  }

  /**
   * Multiclass classification.
   *
   * @param counts {@code counts[actual][predicted]}
   */
  record Multiclass(long[][] counts) implements EvaluationCurves {
    public int classes() {
      return counts.length;
    }

    @Override
    public long rows() {
      long n = 0;
      for (long[] row : counts) {
        n += sum(row);
      }
      return n;
    }

    /**
     * The confusion matrix normalized over each actual class (each row sums to 1: the diagonal is
     * the class's recall); a class with no rows has a row of zeros.
     */
    public double[][] normalized() {
      double[][] out = new double[counts.length][];
      for (int a = 0; a < counts.length; a++) {
        long total = sum(counts[a]);
        out[a] = new double[counts[a].length];
        for (int p = 0; p < counts[a].length; p++) {
          out[a][p] = total == 0 ? 0 : (double) counts[a][p] / total;
        }
      }
      return out;
    }
  }

  /**
   * Regression.
   *
   * @param rows rows seen
   * @param actual the sampled rows' targets
   * @param predicted the sampled rows' predictions, same order
   */
  record Regression(long rows, double[] actual, double[] predicted) implements EvaluationCurves {
    public Regression {
      if (actual.length != predicted.length) {
        throw new IllegalArgumentException("actual and predicted need equal lengths");
      }
    }

    /** Whether the plots show every row (false: a uniform sample of them). */
    public boolean complete() {
      return actual.length == rows;
    }

    /** Residuals (predicted - actual) of the sampled rows. */
    public double[] residuals() {
      double[] out = new double[actual.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = predicted[i] - actual[i];
      }
      return out;
    }
  }

  /** Streams predictions and labels in (as {@link Metrics.Accumulator} does), curves out. */
  final class Accumulator {
    private final TrainingTask task;
    private long count;
    private long[] positives;
    private long[] negatives;
    private double[] scoreSums;
    private long[][] confusion;
    private double[] actual;
    private double[] predicted;
    private SplittableRandom random;

    Accumulator(TrainingTask task) {
      this.task = task;
      switch (task.task()) {
        case BINARY -> {
          positives = new long[SCORE_BINS];
          negatives = new long[SCORE_BINS];
          scoreSums = new double[SCORE_BINS];
        }
        case MULTICLASS -> confusion = new long[task.numClasses()][task.numClasses()];
        case REGRESSION -> {
          actual = new double[REGRESSION_SAMPLE];
          predicted = new double[REGRESSION_SAMPLE];
          random = new SplittableRandom(20261205L);
        }
      }
    }

    /**
     * Adds {@code rows} rows.
     *
     * @param predictions row-major, {@link TrainingTask#outputWidth()} values per row
     * @param labels one label per row (class index, or the target for regression)
     */
    public void add(float[] predictions, double[] labels, int rows) {
      for (int i = 0; i < rows; i++) {
        addRow(predictions, i, labels[i]);
        count++;
      }
    }

    private void addRow(float[] predictions, int row, double label) {
      switch (task.task()) {
        case BINARY -> {
          double p = predictions[row * 2 + 1];
          int bin = Math.min(SCORE_BINS - 1, Math.max(0, (int) (p * SCORE_BINS)));
          if (label == 1.0) {
            positives[bin]++;
          } else {
            negatives[bin]++;
          }
          scoreSums[bin] += p;
        }
        case MULTICLASS -> {
          int k = task.numClasses();
          int offset = row * k;
          int best = 0;
          for (int c = 1; c < k; c++) {
            if (predictions[offset + c] > predictions[offset + best]) {
              best = c;
            }
          }
          confusion[(int) label][best]++;
        }
        case REGRESSION -> {
          // Algorithm R: row number `count` replaces a random slot with probability size/(count+1).
          int slot = count < REGRESSION_SAMPLE ? (int) count : (int) random.nextLong(count + 1);
          if (slot < REGRESSION_SAMPLE) {
            actual[slot] = label;
            predicted[slot] = predictions[row];
          }
        }
      }
    }

    /** Rows seen so far. */
    public long count() {
      return count;
    }

    /** The curves so far (a copy: the accumulator can go on). */
    public EvaluationCurves result() {
      return switch (task.task()) {
        case BINARY -> new Binary(positives.clone(), negatives.clone(), scoreSums.clone());
        case MULTICLASS -> {
          long[][] copy = new long[confusion.length][];
          for (int i = 0; i < copy.length; i++) {
            copy[i] = confusion[i].clone();
          }
          yield new Multiclass(copy);
        }
        case REGRESSION -> {
          int n = (int) Math.min(count, REGRESSION_SAMPLE);
          yield new Regression(
              count, java.util.Arrays.copyOf(actual, n), java.util.Arrays.copyOf(predicted, n));
        }
      };
    }
  }

  private static long sum(long[] values) {
    long s = 0;
    for (long v : values) {
      s += v;
    }
    return s;
  }
}
