package dev.trainyard.training;

import java.nio.file.Path;
import java.util.Map;

/** Scores a saved model on test feature data, streaming, and reports the task's metrics. */
public final class Evaluation {
  static final int BATCH_ROWS = 4096;

  private Evaluation() {}

  /**
   * The metrics of {@link Metrics#namesFor} for the model's task: binary {@code roc_auc, pr_auc,
   * accuracy, f1, log_loss}; multiclass {@code accuracy, macro_f1, log_loss}; regression {@code
   * rmse, mae, r2}.
   *
   * @throws TrainingDataException when the test data is missing, empty or breaks the contract
   */
  public static Map<String, Double> evaluate(Path modelDir, Path testDir) {
    return evaluateWithCurves(modelDir, testDir).metrics();
  }

  /**
   * The metrics and the plots' curves of one streaming pass over the test data.
   *
   * @param metrics as {@link #evaluate} reports them
   * @param curves what {@link EvaluationPlots} draws
   * @param reference the distribution of the predictions, for prediction drift at scoring
   */
  public record Evaluated(
      Map<String, Double> metrics, EvaluationCurves curves, PredictionReference reference) {}

  /**
   * {@link #evaluate} and, from the same predictions, the {@link EvaluationCurves} (bounded memory,
   * like the metrics).
   *
   * @throws TrainingDataException when the test data is missing, empty or breaks the contract
   */
  public static Evaluated evaluateWithCurves(Path modelDir, Path testDir) {
    try (SavedModel model = SavedModel.load(modelDir);
        ParquetBatches batches = ParquetBatches.inOrder(testDir, model.task(), BATCH_ROWS)) {
      Metrics.Accumulator accumulator = Metrics.accumulator(model.task());
      EvaluationCurves.Accumulator curves = EvaluationCurves.accumulator(model.task());
      TrainingTask task = model.task();
      // Predicted classes counted as scoring counts them (arg max, the first of equals).
      long[] classes =
          task.task() == TrainingTask.Kind.REGRESSION ? null : new long[task.numClasses()];
      for (FeatureBatch batch = batches.next(); batch != null; batch = batches.next()) {
        float[] predictions = model.predict(batch.features(), batch.rows());
        accumulator.add(predictions, batch.labels(), batch.rows());
        curves.add(predictions, batch.labels(), batch.rows());
        if (classes != null) {
          int k = task.outputWidth();
          for (int row = 0; row < batch.rows(); row++) {
            int best = 0;
            for (int c = 1; c < k; c++) {
              if (predictions[row * k + c] > predictions[row * k + best]) {
                best = c;
              }
            }
            classes[best]++;
          }
        }
      }
      if (accumulator.count() == 0) {
        throw new TrainingDataException(
            testDir + ": the test data has no rows; check the feature job's output");
      }
      EvaluationCurves result = curves.result();
      return new Evaluated(
          accumulator.result(),
          result,
          classes != null
              ? PredictionReference.ofClassCounts(classes)
              : PredictionReference.ofSample(
                  accumulator.count(), ((EvaluationCurves.Regression) result).predicted()));
    }
  }

  /**
   * Every row's prediction and label, in the test data's row order (file name, then row): what a
   * paired comparison of two models on the same rows needs. Holds them all in memory.
   *
   * @throws TrainingDataException when the test data is missing, empty or breaks the contract
   */
  public static Predictions predict(Path modelDir, Path testDir) {
    try (SavedModel model = SavedModel.load(modelDir);
        ParquetBatches batches = ParquetBatches.inOrder(testDir, model.task(), BATCH_ROWS)) {
      int width = model.task().outputWidth();
      float[] values = new float[BATCH_ROWS * width];
      double[] labels = new double[BATCH_ROWS];
      int rows = 0;
      for (FeatureBatch batch = batches.next(); batch != null; batch = batches.next()) {
        if ((long) rows + batch.rows() > Integer.MAX_VALUE / Math.max(1, width)) {
          throw new TrainingDataException(
              testDir + ": too many rows to compare in memory; use a smaller test split");
        }
        if (rows + batch.rows() > labels.length) {
          int capacity = Math.max(rows + batch.rows(), labels.length * 2);
          values = java.util.Arrays.copyOf(values, capacity * width);
          labels = java.util.Arrays.copyOf(labels, capacity);
        }
        float[] out = model.predict(batch.features(), batch.rows());
        System.arraycopy(out, 0, values, rows * width, batch.rows() * width);
        System.arraycopy(batch.labels(), 0, labels, rows, batch.rows());
        rows += batch.rows();
      }
      if (rows == 0) {
        throw new TrainingDataException(
            testDir + ": the test data has no rows; check the feature job's output");
      }
      return new Predictions(
          model.task(),
          rows,
          java.util.Arrays.copyOf(values, rows * width),
          java.util.Arrays.copyOf(labels, rows));
    }
  }
}
