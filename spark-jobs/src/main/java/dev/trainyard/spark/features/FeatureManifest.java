package dev.trainyard.spark.features;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.io.Json;
import dev.trainyard.training.TrainingTask;
import java.util.List;

/**
 * The {@code features.json} written beside the feature sets: everything a trainer or scorer needs
 * to read them without Spark.
 *
 * @param numFeatures length of every {@code features} array
 * @param featureNames per slot: a numeric feature's name (standardized), or {@code column=value}
 *     for a one-hot category slot; {@code column=__unknown__} takes values not seen in training
 * @param task {@code binary}, {@code multiclass} or {@code regression}
 * @param label the label column of the input
 * @param labels class values by label index (classification), empty for regression
 * @param droppedRows input rows left out because their label was null, NaN or infinite
 */
public record FeatureManifest(
    int numFeatures,
    List<String> featureNames,
    String task,
    String label,
    List<String> labels,
    List<String> numeric,
    List<String> categorical,
    List<String> keys,
    long trainRows,
    long validationRows,
    long testRows,
    long droppedRows,
    SplitSpec split,
    DatasetInput input) {

  /** The task as a type: what code compares, while the JSON keeps the word. */
  @JsonIgnore
  public TrainingTask.Kind kind() {
    return TrainingTask.Kind.of(task);
  }

  public String toJson() {
    return Json.write(this);
  }

  public static FeatureManifest fromJson(String json) {
    return Json.read(json, FeatureManifest.class);
  }
}
