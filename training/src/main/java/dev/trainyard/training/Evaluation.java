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
    try (SavedModel model = SavedModel.load(modelDir);
        ParquetBatches batches = ParquetBatches.inOrder(testDir, model.task(), BATCH_ROWS)) {
      Metrics.Accumulator accumulator = Metrics.accumulator(model.task());
      for (FeatureBatch batch = batches.next(); batch != null; batch = batches.next()) {
        accumulator.add(
            model.predict(batch.features(), batch.rows()), batch.labels(), batch.rows());
      }
      if (accumulator.count() == 0) {
        throw new TrainingDataException(
            testDir + ": the test data has no rows; check the feature job's output");
      }
      return accumulator.result();
    }
  }
}
