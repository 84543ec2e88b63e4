package dev.trainyard.spark.features;

import java.util.List;

/**
 * What {@link FeatureJob#fitAndWrite} wrote.
 *
 * @param outputUri the root: {@code train/}, {@code validation/}, {@code test/}, {@code pipeline/},
 *     {@code features.json}, {@code _SUCCESS}
 * @param featureNames one name per slot of the {@code features} array
 * @param labels class values by label index (classification), empty for regression
 */
public record FeatureResult(
    String outputUri,
    long trainRows,
    long validationRows,
    long testRows,
    int numFeatures,
    List<String> featureNames,
    List<String> labels) {
  public FeatureResult {
    featureNames = List.copyOf(featureNames);
    labels = List.copyOf(labels);
  }

  /** The same result, its features found at {@code outputUri} (copied or moved there). */
  public FeatureResult withOutputUri(String outputUri) {
    return new FeatureResult(
        outputUri, trainRows, validationRows, testRows, numFeatures, featureNames, labels);
  }
}
