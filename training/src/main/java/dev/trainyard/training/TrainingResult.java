package dev.trainyard.training;

import java.nio.file.Path;
import java.util.Map;

/**
 * The outcome of {@link Trainer#train}.
 *
 * @param modelDir the best epoch's model: DJL parameters plus {@code model-spec.json}; load it with
 *     {@link SavedModel#load}
 * @param epochsRun the last epoch completed, counting epochs of the run this one resumed
 * @param bestEpoch the epoch whose parameters are in {@code modelDir}
 * @param bestValidationMetrics that epoch's validation metrics
 * @param primaryMetric the metric that chose the best epoch
 * @param device the device trained on, e.g. {@code cpu()} or {@code gpu(0)}
 * @param resumedFromEpoch the checkpointed epoch this run continued after; 0 for a fresh run
 * @param stoppedEarly whether early stopping ended training before {@code epochs}
 * @param deviceChoice how the device was chosen, with {@code auto}'s measured rows/s per device,
 *     e.g. {@code auto: cpu() (gpu(0) 120000 rows/s, cpu() 310000 rows/s)}
 */
public record TrainingResult(
    Path modelDir,
    int epochsRun,
    int bestEpoch,
    Map<String, Double> bestValidationMetrics,
    String primaryMetric,
    String device,
    int resumedFromEpoch,
    boolean stoppedEarly,
    String deviceChoice) {}
