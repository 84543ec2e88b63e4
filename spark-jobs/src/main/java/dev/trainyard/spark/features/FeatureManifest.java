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
 * @param droppedRows rows left out because their label was null, NaN or infinite (after the
 *     training filter)
 * @param transform the spec's transform; its steps are the first {@code transform.steps().size()}
 *     stages of the saved pipeline, the feature stages follow. Null in manifests written before
 *     transforms existed.
 * @param filteredRows input rows the training filter removed
 * @param rawColumns the training input's columns as a Spark DDL schema: at scoring, a column the
 *     transform reads but the input lacks (the raw label) is supplied as null of this type
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
    DatasetInput input,
    FeatureTransform transform,
    long filteredRows,
    String rawColumns) {

  /** The transform, {@link FeatureTransform#NONE} for a manifest written without one. */
  @JsonIgnore
  public FeatureTransform transformOrNone() {
    return transform == null ? FeatureTransform.NONE : transform;
  }

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
