package dev.trainyard.workflows.scoring;

import java.util.List;
import java.util.Map;

/**
 * What {@link EvaluateScoresWorkflow} found, day by day.
 *
 * @param days each evaluated day, in the order asked
 * @param retrainWorkflowId the retraining pipeline started because a realized metric crossed its
 *     bound, or null
 * @param summary one line for people
 */
public record EvaluateScoresResult(
    List<EvaluatedDay> days, String retrainWorkflowId, String summary) {

  /**
   * One scored day's realized performance.
   *
   * @param model the registered model, {@code NAME/VERSION}, that scored the day
   * @param mlflowRunId the day's scoring run, where the metrics were logged (step: the day)
   * @param labelled scored rows that had a label
   * @param metrics realized metrics by name ({@code accuracy}; or {@code mae}, {@code rmse})
   */
  public record EvaluatedDay(
      String date,
      String model,
      String mlflowRunId,
      long scored,
      long labelled,
      Map<String, Double> metrics) {}

  /** What the activity needs for one day: URIs and column names, never rows. */
  public record EvaluateDayRequest(
      String date, String scoresUri, String labelsUri, java.util.List<String> keys, String label) {}
}
