package dev.trainyard.spark.scoring;

import dev.trainyard.spark.drift.DriftBins;
import dev.trainyard.training.PredictionReference;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import org.apache.spark.sql.catalyst.expressions.aggregate.ApproximatePercentile;
import org.apache.spark.sql.catalyst.util.QuantileSummaries;
import org.apache.spark.util.AccumulatorV2;

/**
 * What one scoring run counted while it wrote its output: rows read, rows quarantined and rows per
 * failed check, rows scored and the prediction distribution (per class, or the quantile summary and
 * sum for regression), and the drift bins ({@link DriftBins}). Each task counts its partition in
 * one of these and hands it to an {@link Accumulator} when the partition is done; only these
 * aggregates reach the driver.
 */
final class ScoringTotals implements Serializable {
  private static final long serialVersionUID = 1L;

  /** As {@code percentile_approx(p, q, 10000)}: the accuracy the report always used. */
  static final double QUANTILE_RELATIVE_ERROR = 1.0 / 10_000;

  long rows;
  long quarantined;
  final long[] failedChecks;
  long scored;

  /** Rows predicted per class (by index); null for regression. */
  final long[] classes;

  /** Regression: sum of the predictions. */
  double sum;

  /** Regression: the predictions' quantile summary; null for classification. */
  private QuantileSummaries quantiles;

  /** Regression, while rows are added: the digest {@code quantiles} is taken from. */
  private transient ApproximatePercentile.PercentileDigest digest;

  /** Null when the model has no training profile (no drift). */
  final DriftBins drift;

  /** Regression with a prediction reference: the reference, whose bins are counted; else null. */
  private final PredictionReference reference;

  /** Regression predictions per bin of {@code reference}; null without one. */
  final long[] predictionBins;

  /**
   * @param classes number of classes; 0 for regression
   * @param reference the model's test-split prediction distribution; regression counts its
   *     predictions in the reference's bins (classification's class counts serve as they are); null
   *     for none
   */
  ScoringTotals(int checks, int classes, DriftBins drift, PredictionReference reference) {
    this.failedChecks = new long[checks];
    this.classes = classes == 0 ? null : new long[classes];
    this.quantiles =
        classes == 0
            ? new ApproximatePercentile.PercentileDigest(QUANTILE_RELATIVE_ERROR)
                .quantileSummaries()
            : null;
    this.drift = drift == null ? null : drift.empty();
    this.reference = classes == 0 && reference != null && !reference.classes() ? reference : null;
    this.predictionBins = this.reference == null ? null : new long[reference.shares().length];
  }

  /** Zero counts of the same shape. */
  ScoringTotals empty() {
    return new ScoringTotals(
        failedChecks.length, classes == null ? 0 : classes.length, drift, reference);
  }

  /** Counts one regression prediction. */
  void predicted(double value) {
    if (digest == null) {
      digest = new ApproximatePercentile.PercentileDigest(quantiles);
    }
    digest.add(value);
    sum += value;
    if (predictionBins != null) {
      predictionBins[reference.bin(value)]++;
    }
  }

  /** The regression predictions' quantile summary (compressed). */
  QuantileSummaries quantiles() {
    if (digest != null) {
      quantiles = digest.quantileSummaries();
      digest = null;
    }
    return quantiles;
  }

  /**
   * Regression: the predictions' approximate percentiles, as {@code percentile_approx} computes
   * them.
   */
  double[] percentiles(double... percentages) {
    scala.collection.immutable.Seq<Object> values =
        new ApproximatePercentile.PercentileDigest(quantiles()).getPercentiles(percentages);
    double[] out = new double[percentages.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (Double) values.apply(i);
    }
    return out;
  }

  void merge(ScoringTotals other) {
    rows += other.rows;
    quarantined += other.quarantined;
    scored += other.scored;
    sum += other.sum;
    for (int i = 0; i < failedChecks.length; i++) {
      failedChecks[i] += other.failedChecks[i];
    }
    if (classes != null) {
      for (int i = 0; i < classes.length; i++) {
        classes[i] += other.classes[i];
      }
    } else {
      ApproximatePercentile.PercentileDigest merged =
          new ApproximatePercentile.PercentileDigest(quantiles());
      merged.merge(new ApproximatePercentile.PercentileDigest(other.quantiles()));
      quantiles = merged.quantileSummaries();
    }
    if (drift != null) {
      drift.merge(other.drift);
    }
    if (predictionBins != null) {
      for (int b = 0; b < predictionBins.length; b++) {
        predictionBins[b] += other.predictionBins[b];
      }
    }
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    quantiles();
    out.defaultWriteObject();
  }

  /**
   * Sums the totals of the partitions the output write completed.
   *
   * <p>Why an accumulator counts right here: the tasks that fill it are the write job's result
   * tasks, and Spark merges a result task's accumulator updates only when the task succeeds, and
   * only once per partition (a retried or speculative copy of a finished partition is not merged
   * again; a failed attempt's updates are dropped). A task adds its partition's totals once, when
   * its input is exhausted. The job reads the value only after the write succeeded.
   */
  static final class Accumulator extends AccumulatorV2<ScoringTotals, ScoringTotals> {
    private static final long serialVersionUID = 1L;
    private ScoringTotals totals;

    Accumulator(ScoringTotals zero) {
      this.totals = zero.empty();
    }

    @Override
    public boolean isZero() {
      return totals.rows == 0;
    }

    @Override
    public AccumulatorV2<ScoringTotals, ScoringTotals> copy() {
      Accumulator copy = new Accumulator(totals);
      copy.totals.merge(totals);
      return copy;
    }

    @Override
    public void reset() {
      totals = totals.empty();
    }

    @Override
    public void add(ScoringTotals partition) {
      totals.merge(partition);
    }

    @Override
    public void merge(AccumulatorV2<ScoringTotals, ScoringTotals> other) {
      totals.merge(((Accumulator) other).totals);
    }

    @Override
    public ScoringTotals value() {
      return totals;
    }
  }
}
