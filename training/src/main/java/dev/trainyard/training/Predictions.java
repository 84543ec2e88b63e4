package dev.trainyard.training;

/**
 * One model's outputs on a test set, one entry per row in the data's row order: what a paired
 * comparison needs ({@link PairedBootstrap}). Kept in memory, so meant for test splits: 4 bytes per
 * output value plus 8 per label (a million binary rows take about 16 MB).
 *
 * @param task the model's task (binary, multiclass, regression) and output width
 * @param rows how many rows
 * @param values row-major, {@link TrainingTask#outputWidth()} values per row, as {@link
 *     SavedModel#predict} returns them
 * @param labels one per row: class index, or the target for regression
 */
public record Predictions(TrainingTask task, int rows, float[] values, double[] labels) {
  public Predictions {
    if (values.length != (long) rows * task.outputWidth() || labels.length != rows) {
      throw new IllegalArgumentException(
          rows
              + " rows need "
              + (long) rows * task.outputWidth()
              + " values and "
              + rows
              + " labels, got "
              + values.length
              + " and "
              + labels.length);
    }
  }

  /** The task's metrics over every row, exactly as {@link Evaluation#evaluate} reports them. */
  public java.util.Map<String, Double> metrics() {
    Metrics.Accumulator a = Metrics.accumulator(task);
    a.add(values, labels, rows);
    return a.result();
  }

  /** The plots' curves over every row, as {@link Evaluation#evaluateWithCurves} computes them. */
  public EvaluationCurves curves() {
    EvaluationCurves.Accumulator a = EvaluationCurves.accumulator(task);
    a.add(values, labels, rows);
    return a.result();
  }
}
