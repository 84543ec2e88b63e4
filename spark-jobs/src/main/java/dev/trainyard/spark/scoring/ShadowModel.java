package dev.trainyard.spark.scoring;

/**
 * A model scored next to the champion in the same pass (shadow scoring): every row the champion
 * scores, the shadow scores too, and {@link ScoringJob} publishes both predictions side by side at
 * {@code outputUri} while the champion's output stays exactly as without a shadow.
 *
 * <p>The shadow must take the same input features as the champion (the same numeric and categorical
 * columns, the same task and classes): it is a candidate replacement for it, so it scores the same
 * rows; its fitted pipeline (medians, scales, categories) may differ.
 *
 * @param modelDir the shadow version's downloaded folder (the same layout as the champion's)
 * @param modelName its registered model name
 * @param modelVersion its version
 * @param outputUri where the side-by-side predictions are published
 */
public record ShadowModel(
    String modelDir, String modelName, String modelVersion, String outputUri) {
  public ShadowModel {
    for (var field :
        new String[][] {
          {"modelDir", modelDir},
          {"modelName", modelName},
          {"modelVersion", modelVersion},
          {"outputUri", outputUri}
        }) {
      if (field[1] == null || field[1].isBlank()) {
        throw new IllegalArgumentException("shadow model: " + field[0] + " is required");
      }
    }
  }
}
