package dev.trainyard.training;

import java.nio.file.Path;
import java.util.Map;

/**
 * One finished epoch.
 *
 * @param epoch 1-based
 * @param trainLoss mean training loss over the epoch's rows
 * @param validationLoss mean loss over the validation rows, after the epoch
 * @param validationMetrics the task's metrics on the validation data ({@link Metrics#namesFor})
 * @param primaryMetric the name of the metric that picks the best epoch
 * @param checkpoint the directory holding this epoch's checkpoint
 * @param best whether this epoch has the best primary metric so far
 * @param trainRows rows trained on in this epoch
 * @param trainSeconds wall time of the epoch's training pass (without validation)
 * @param dataWaitSeconds of {@code trainSeconds}, the time the training loop waited for batches
 *     from the reader: when it is a large share, training is bound by reading, not computing
 */
public record EpochMetrics(
    int epoch,
    double trainLoss,
    double validationLoss,
    Map<String, Double> validationMetrics,
    String primaryMetric,
    Path checkpoint,
    boolean best,
    long trainRows,
    double trainSeconds,
    double dataWaitSeconds) {

  /** The value of {@link #primaryMetric()} this epoch. */
  public double primaryValue() {
    return validationMetrics.getOrDefault(primaryMetric, Double.NaN);
  }
}
