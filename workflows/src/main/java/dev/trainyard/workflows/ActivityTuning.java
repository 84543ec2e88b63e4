package dev.trainyard.workflows;

import dev.trainyard.workflows.pipeline.PipelineActivities;
import dev.trainyard.workflows.scoring.ScoringActivities;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.common.converter.DataConverterException;
import io.temporal.common.metadata.POJOActivityInterfaceMetadata;
import io.temporal.worker.WorkflowImplementationOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How long each kind of step may take and how it is retried, for the training pipeline and batch
 * scoring alike. The worker hands these to Temporal per activity type when it registers the
 * workflow implementations ({@link #implementationOptions()}), so workflow code names only the task
 * queue a step runs on and a deployment can retune steps without touching workflow code. Timeouts
 * are part of what a workflow schedules, not of its history's shape: changing them does not break
 * replay.
 *
 * @param registry MLflow and registry calls on the control queue (start-to-close per attempt)
 * @param data validation and features on the Spark queue
 * @param scoring the batch scoring job on the Spark queue
 * @param training DJL training and evaluation on the train queue
 * @param retry the one retry policy; bad input is marked non-retryable by the activities
 */
public record ActivityTuning(
    Step registry, Step data, Step scoring, Step training, RetryOptions retry) {

  /**
   * One kind of step's limits.
   *
   * @param startToClose how long one attempt may run
   * @param heartbeat how long without a heartbeat before the attempt counts as lost; null for steps
   *     that do not heartbeat
   */
  public record Step(Duration startToClose, Duration heartbeat) {
    public Step {
      if (startToClose == null || startToClose.isZero() || startToClose.isNegative()) {
        throw new IllegalArgumentException("a step's start-to-close timeout must be positive");
      }
      if (heartbeat != null && (heartbeat.isZero() || heartbeat.isNegative())) {
        throw new IllegalArgumentException("a step's heartbeat timeout must be positive");
      }
    }

    ActivityOptions options(RetryOptions retry) {
      // A cancelled run ends once its steps have stopped (their Spark jobs cancelled, nothing
      // published), not while they may still write.
      ActivityOptions.Builder b =
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(startToClose)
              .setRetryOptions(retry)
              .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED);
      if (heartbeat != null) {
        b.setHeartbeatTimeout(heartbeat);
      }
      return b.build();
    }
  }

  /** Trainyard's defaults: what a worker uses unless its configuration says otherwise. */
  public static final ActivityTuning DEFAULTS =
      new ActivityTuning(
          new Step(Duration.ofMinutes(5), null),
          new Step(Duration.ofHours(2), Duration.ofMinutes(2)),
          new Step(Duration.ofHours(6), Duration.ofMinutes(2)),
          // Short heartbeat, so a killed worker's training is noticed fast and resumed elsewhere.
          new Step(Duration.ofHours(12), Duration.ofSeconds(30)),
          Retries.ACTIVITIES);

  /**
   * The options to register {@code TrainingPipelineWorkflowImpl} and {@code
   * BatchScoringWorkflowImpl} with: the registry step's limits as the default, the other kinds per
   * activity type of their interfaces. A start request whose JSON cannot be read as the workflow's
   * input (say {@code "epochs": "five"} typed into the Temporal UI) fails the run with the
   * converter's message instead of failing its workflow task forever: no retry can fix the input.
   */
  public WorkflowImplementationOptions implementationOptions() {
    Map<String, ActivityOptions> perType = new LinkedHashMap<>();
    put(perType, PipelineActivities.Registry.class, registry);
    put(perType, ScoringActivities.Registry.class, registry);
    put(perType, PipelineActivities.Data.class, data);
    put(perType, ScoringActivities.Data.class, scoring);
    // Realized performance is a join and an aggregation on Spark: a scoring-sized step.
    put(perType, ScoringActivities.Realized.class, scoring);
    put(perType, PipelineActivities.Training.class, training);
    return WorkflowImplementationOptions.newBuilder()
        .setDefaultActivityOptions(registry.options(retry))
        .setActivityOptions(perType)
        .setFailWorkflowExceptionTypes(DataConverterException.class)
        .build();
  }

  private void put(Map<String, ActivityOptions> perType, Class<?> activities, Step step) {
    for (var method : POJOActivityInterfaceMetadata.newInstance(activities).getMethodsMetadata()) {
      perType.put(method.getActivityTypeName(), step.options(retry));
    }
  }
}
