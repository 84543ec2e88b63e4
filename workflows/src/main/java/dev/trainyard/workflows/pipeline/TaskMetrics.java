package dev.trainyard.workflows.pipeline;

import java.util.List;
import java.util.Map;

/**
 * The evaluation metrics each task reports, part of the spec's contract: a gate may only name
 * these. The training engine computes exactly these names (a test in activities holds the two lists
 * together).
 */
public final class TaskMetrics {
  public static final Map<TaskKind, List<String>> BY_TASK =
      Map.of(
          TaskKind.BINARY, List.of("roc_auc", "pr_auc", "accuracy", "f1", "log_loss"),
          TaskKind.MULTICLASS, List.of("accuracy", "macro_f1", "log_loss"),
          TaskKind.REGRESSION, List.of("rmse", "mae", "r2"));

  private static final List<String> LOWER_IS_BETTER = List.of("log_loss", "rmse", "mae");

  private TaskMetrics() {}

  public static List<String> forTask(TaskKind task) {
    return BY_TASK.get(task);
  }

  /** The metric early stopping, trials and the default gate compare on. */
  public static String primary(TaskKind task) {
    return switch (task) {
      case BINARY -> "roc_auc";
      case MULTICLASS -> "accuracy";
      case REGRESSION -> "rmse";
    };
  }

  public static boolean higherIsBetter(String metric) {
    return !LOWER_IS_BETTER.contains(metric);
  }
}
