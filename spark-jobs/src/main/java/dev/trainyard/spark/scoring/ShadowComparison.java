package dev.trainyard.spark.scoring;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.trainyard.spark.drift.PopulationStability;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * How a shadow model's predictions compare with the champion's on the same rows: for classification
 * the share of rows where both predict the same class ({@code agreement}), for regression the mean
 * absolute difference of the two predictions; for both, the prediction drift between them — the PSI
 * of the shadow's prediction distribution against the champion's (classes; or, for regression, the
 * champion's deciles as bins).
 *
 * @param modelName the shadow's registered model
 * @param modelVersion the shadow's version
 * @param outputUri where the side-by-side predictions were published
 * @param rows rows both models scored
 * @param agreement classification: share of rows with the same predicted class; null for regression
 * @param meanAbsDifference regression: mean |champion − shadow|; null for classification
 * @param predictionPsi PSI of the shadow's predictions against the champion's (0: same
 *     distribution; over 0.25 is usually read as a large shift)
 */
public record ShadowComparison(
    String modelName,
    String modelVersion,
    String outputUri,
    long rows,
    Double agreement,
    Double meanAbsDifference,
    double predictionPsi) {

  /** Columns the side-by-side output adds after the champion's output columns. */
  public static final String SHADOW_PREDICTION = "shadow_prediction";

  public static final String SHADOW_PROBABILITIES = "shadow_probabilities";
  public static final String SHADOW_MODEL_NAME = "shadow_model_name";
  public static final String SHADOW_MODEL_VERSION = "shadow_model_version";

  /** Regression's prediction drift: this many bins, cut at the champion's quantiles. */
  static final int REGRESSION_BINS = 10;

  /**
   * Compares the two prediction columns of a published side-by-side output (two small aggregations
   * over its prediction columns; the models are not run again).
   *
   * @param labels the classes in the model's order; null for regression
   */
  static ShadowComparison of(Dataset<Row> sideBySide, List<String> labels, ShadowModel shadow) {
    Column champion = col(ScoringJob.PREDICTION);
    Column other = col(SHADOW_PREDICTION);
    if (labels != null) {
      // Both distributions and the agreement from one pass: rows per (champion, shadow) class.
      List<Column> sums = new ArrayList<>();
      sums.add(sum(when(champion.equalTo(other), 1).otherwise(0)));
      for (String label : labels) {
        sums.add(sum(when(champion.equalTo(lit(label)), 1).otherwise(0)));
        sums.add(sum(when(other.equalTo(lit(label)), 1).otherwise(0)));
      }
      Row r = sideBySide.agg(count(lit(1)), sums.toArray(Column[]::new)).first();
      long rows = r.getLong(0);
      double[] expected = new double[labels.size()];
      double[] actual = new double[labels.size()];
      for (int i = 0; i < labels.size(); i++) {
        expected[i] = share(r, 2 + 2 * i, rows);
        actual[i] = share(r, 3 + 2 * i, rows);
      }
      return new ShadowComparison(
          shadow.modelName(),
          shadow.modelVersion(),
          shadow.outputUri(),
          rows,
          rows == 0 ? null : share(r, 1, rows),
          null,
          rows == 0 ? 0 : PopulationStability.psi(expected, actual));
    }
    double[] probabilities = new double[REGRESSION_BINS - 1];
    for (int i = 0; i < probabilities.length; i++) {
      probabilities[i] = (i + 1.0) / REGRESSION_BINS;
    }
    double[] edges =
        Arrays.stream(sideBySide.stat().approxQuantile(ScoringJob.PREDICTION, probabilities, 1e-3))
            .distinct()
            .toArray();
    List<Column> sums = new ArrayList<>();
    sums.add(sum(abs(champion.minus(other))));
    for (int b = 0; b <= edges.length; b++) {
      sums.add(sum(when(bin(champion, edges).equalTo(b), 1).otherwise(0)));
      sums.add(sum(when(bin(other, edges).equalTo(b), 1).otherwise(0)));
    }
    Row r = sideBySide.agg(count(lit(1)), sums.toArray(Column[]::new)).first();
    long rows = r.getLong(0);
    double[] expected = new double[edges.length + 1];
    double[] actual = new double[edges.length + 1];
    for (int b = 0; b <= edges.length; b++) {
      expected[b] = share(r, 2 + 2 * b, rows);
      actual[b] = share(r, 3 + 2 * b, rows);
    }
    return new ShadowComparison(
        shadow.modelName(),
        shadow.modelVersion(),
        shadow.outputUri(),
        rows,
        null,
        rows == 0 ? null : ((Number) r.get(1)).doubleValue() / rows,
        rows == 0 ? 0 : PopulationStability.psi(expected, actual));
  }

  /** The bin of {@code value}: how many edges lie below it (0..edges.length). */
  private static Column bin(Column value, double[] edges) {
    Column b = lit(0);
    for (double edge : edges) {
      b = b.plus(when(value.gt(edge), 1).otherwise(0));
    }
    return b;
  }

  private static double share(Row r, int i, long rows) {
    return rows == 0 || r.isNullAt(i) ? 0 : ((Number) r.get(i)).doubleValue() / rows;
  }
}
