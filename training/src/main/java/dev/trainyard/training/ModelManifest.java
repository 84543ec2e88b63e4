package dev.trainyard.training;

import java.util.Map;

/**
 * {@code model-spec.json} in a model directory: what {@link SavedModel} needs to rebuild the block
 * before loading the parameters, and where they came from.
 */
record ModelManifest(
    int formatVersion,
    String engine,
    ModelSpec modelSpec,
    TrainingTask trainingTask,
    int numFeatures,
    String parametersPrefix,
    int bestEpoch,
    Map<String, Double> validationMetrics) {
  static final String FILE = "model-spec.json";
  static final int FORMAT_VERSION = 1;
  static final String PARAMETERS_PREFIX = "model";
}
