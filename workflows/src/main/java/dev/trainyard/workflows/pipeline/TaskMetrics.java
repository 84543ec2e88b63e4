package dev.trainyard.workflows.pipeline;

import java.util.List;
import java.util.Map;

/**
 * The evaluation metrics each task reports, part of the spec's contract: a gate may only name
 * these. The training engine computes exactly these names (a test in activities holds the two lists
 * together).
 */
public final class TaskMetrics {
  public static final Map<String, List<String>> BY_TASK =
      Map.of(
          "binary", List.of("roc_auc", "pr_auc", "accuracy", "f1", "log_loss"),
          "multiclass", List.of("accuracy", "macro_f1", "log_loss"),
          "regression", List.of("rmse", "mae", "r2"));

  private static final List<String> LOWER_IS_BETTER = List.of("log_loss", "rmse", "mae");

  private TaskMetrics() {}

  public static List<String> forTask(String task) {
    return BY_TASK.getOrDefault(task, List.of());
  }

  /** The metric early stopping, trials and the default gate compare on. */
  public static String primary(String task) {
    return switch (task) {
      case "binary" -> "roc_auc";
      case "multiclass" -> "accuracy";
      default -> "rmse";
    };
  }

  public static boolean higherIsBetter(String metric) {
    return !LOWER_IS_BETTER.contains(metric);
  }
}
