package dev.trainyard.training;

/**
 * One mini-batch read from feature data.
 *
 * @param rows rows in this batch (the last batch of a pass may be short)
 * @param numFeatures values per row
 * @param features {@code rows * numFeatures} values, row-major
 * @param labels {@code rows} labels
 */
public record FeatureBatch(int rows, int numFeatures, float[] features, double[] labels) {}
