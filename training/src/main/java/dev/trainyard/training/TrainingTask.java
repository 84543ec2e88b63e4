package dev.trainyard.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * What is learned from the feature data: the kind of target and the input width.
 *
 * @param task {@code binary}, {@code multiclass} or {@code regression}
 * @param numFeatures the length of every row's {@code features} array
 * @param numClasses 2 for binary, k for multiclass (labels 0..k-1), 1 for regression
 */
public record TrainingTask(Kind task, int numFeatures, int numClasses) {

  /** The kind of target. */
  public enum Kind {
    @JsonProperty("binary")
    BINARY,
    @JsonProperty("multiclass")
    MULTICLASS,
    @JsonProperty("regression")
    REGRESSION;

    /** Parses {@code binary}, {@code multiclass} or {@code regression}, ignoring case. */
    public static Kind of(String name) {
      return ModelSpec.parse(Kind.class, name);
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public TrainingTask {
    if (task == null) {
      throw new IllegalArgumentException("task is required: binary, multiclass or regression");
    }
    if (numFeatures <= 0) {
      throw new IllegalArgumentException("numFeatures must be positive, got " + numFeatures);
    }
    switch (task) {
      case BINARY -> {
        if (numClasses != 2) {
          throw new IllegalArgumentException("a binary task has 2 classes, got " + numClasses);
        }
      }
      case MULTICLASS -> {
        if (numClasses < 2) {
          throw new IllegalArgumentException(
              "a multiclass task needs at least 2 classes, got " + numClasses);
        }
      }
      case REGRESSION -> numClasses = 1;
    }
  }

  public static TrainingTask binary(int numFeatures) {
    return new TrainingTask(Kind.BINARY, numFeatures, 2);
  }

  public static TrainingTask multiclass(int numFeatures, int numClasses) {
    return new TrainingTask(Kind.MULTICLASS, numFeatures, numClasses);
  }

  public static TrainingTask regression(int numFeatures) {
    return new TrainingTask(Kind.REGRESSION, numFeatures, 1);
  }

  /**
   * The validation metric that picks the best epoch and drives early stopping: {@code roc_auc}
   * (binary), {@code accuracy} (multiclass), {@code rmse} (regression). See {@link
   * Metrics#higherIsBetter(String)} for its direction.
   */
  public String primaryMetric() {
    return switch (task) {
      case BINARY -> Metrics.ROC_AUC;
      case MULTICLASS -> Metrics.ACCURACY;
      case REGRESSION -> Metrics.RMSE;
    };
  }

  /**
   * Values per prediction: [p0, p1] for binary, k probabilities for multiclass, 1 for regression.
   */
  public int outputWidth() {
    return task == Kind.REGRESSION ? 1 : numClasses;
  }

  /** The label check the data readers apply; null when the label is acceptable. */
  String labelProblem(double label) {
    if (!Double.isFinite(label)) {
      return "label is " + label + "; labels must be finite numbers";
    }
    if (task != Kind.REGRESSION
        && (label != Math.rint(label) || label < 0 || label >= numClasses)) {
      return "label "
          + label
          + " is not a class index 0.."
          + (numClasses - 1)
          + " for a "
          + task
          + " task with "
          + numClasses
          + " classes";
    }
    return null;
  }
}
