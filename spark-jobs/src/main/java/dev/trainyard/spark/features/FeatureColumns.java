package dev.trainyard.spark.features;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.trainyard.training.TrainingTask;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Which columns of a dataset play which part.
 *
 * @param label the column to predict
 * @param task {@code binary}, {@code multiclass} or {@code regression}
 * @param numeric numeric features (any Spark numeric type)
 * @param categorical categorical features (string, integer or boolean columns)
 * @param keys row identity columns: carried through to the feature output, never features
 * @param transform steps applied to the raw rows before the columns above are read (they may name
 *     columns the steps produce), and the training filter; {@link FeatureTransform#NONE} when the
 *     spec has none
 */
public record FeatureColumns(
    String label,
    String task,
    List<String> numeric,
    List<String> categorical,
    List<String> keys,
    FeatureTransform transform) {

  public static final String BINARY = "binary";
  public static final String MULTICLASS = "multiclass";
  public static final String REGRESSION = "regression";

  /** Columns read as they are, with no transform. */
  public FeatureColumns(
      String label,
      String task,
      List<String> numeric,
      List<String> categorical,
      List<String> keys) {
    this(label, task, numeric, categorical, keys, FeatureTransform.NONE);
  }

  public FeatureColumns {
    Objects.requireNonNull(label, "label");
    transform = transform == null ? FeatureTransform.NONE : transform;
    if (label.isBlank()) {
      throw new IllegalArgumentException("label column name is blank");
    }
    task = task == null ? "" : task.trim().toLowerCase(Locale.ROOT);
    if (!List.of(BINARY, MULTICLASS, REGRESSION).contains(task)) {
      throw new IllegalArgumentException(
          "task '" + task + "' is not one of binary, multiclass, regression");
    }
    numeric = List.copyOf(numeric == null ? List.of() : numeric);
    categorical = List.copyOf(categorical == null ? List.of() : categorical);
    keys = List.copyOf(keys == null ? List.of() : keys);
    if (numeric.isEmpty() && categorical.isEmpty()) {
      throw new IllegalArgumentException(
          "no feature columns: list at least one numeric or categorical column");
    }
    Set<String> seen = new HashSet<>();
    List<String> all = new ArrayList<>();
    all.add(label);
    all.addAll(numeric);
    all.addAll(categorical);
    all.addAll(keys);
    for (String column : all) {
      if (!seen.add(column)) {
        throw new IllegalArgumentException(
            "column '"
                + column
                + "' is listed more than once among label, numeric, categorical and keys;"
                + " each column plays one part");
      }
    }
  }

  /** Numeric then categorical feature columns, in spec order. */
  @JsonIgnore
  public List<String> features() {
    List<String> features = new ArrayList<>(numeric);
    features.addAll(categorical);
    return List.copyOf(features);
  }

  /** Every column the spec names: label, features, keys. */
  @JsonIgnore
  public List<String> allColumns() {
    List<String> all = new ArrayList<>(keys);
    all.addAll(features());
    all.add(label);
    return List.copyOf(all);
  }

  /** A copy with this transform. */
  public FeatureColumns withTransform(FeatureTransform t) {
    return new FeatureColumns(label, task, numeric, categorical, keys, t);
  }

  /** The task as a type: what code compares, while the JSON keeps the word. */
  @JsonIgnore
  public TrainingTask.Kind kind() {
    return TrainingTask.Kind.of(task);
  }

  @JsonIgnore
  public boolean isClassification() {
    return kind() != TrainingTask.Kind.REGRESSION;
  }
}
