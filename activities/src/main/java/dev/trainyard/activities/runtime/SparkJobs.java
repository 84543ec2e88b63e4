package dev.trainyard.activities.runtime;

import dev.trainyard.spark.cluster.ClusterSettings;
import dev.trainyard.spark.cluster.JobOutcome;
import dev.trainyard.spark.cluster.JobRequest;
import dev.trainyard.spark.cluster.SparkJobException;
import dev.trainyard.spark.cluster.SparkSubmitter;
import dev.trainyard.spark.features.FeatureColumns;
import dev.trainyard.spark.features.FeatureJob;
import dev.trainyard.spark.features.FeatureResult;
import dev.trainyard.spark.features.SplitSpec;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.io.JobCancelledException;
import dev.trainyard.spark.io.JobControl;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.spark.scoring.ScoringJob;
import dev.trainyard.spark.scoring.ScoringReport;
import dev.trainyard.spark.scoring.ScoringRequest;
import dev.trainyard.spark.validation.DataProfile;
import dev.trainyard.spark.validation.DataValidation;
import dev.trainyard.spark.validation.ValidationReport;
import dev.trainyard.spark.validation.ValidationRules;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Where the Spark steps run: in this worker's long-lived local session (the default), or submitted
 * to a cluster by master URL ({@code spark://}, {@code yarn}, {@code k8s://}). Either way the
 * activity heartbeats while the job runs; on a cluster a cancelled activity (the heartbeat throws)
 * cancels the submitted application, and the job's failure becomes a failure Temporal retries or
 * not, with the cluster's message.
 */
public final class SparkJobs {
  private static final Duration TICK = Duration.ofSeconds(5);

  /**
   * Often, so that a cancel reaches a running job soon: the SDK sends at most one heartbeat per
   * throttle interval to the server (the worker sets it), the rest stay local and cost nothing.
   */
  private static final int HEARTBEAT_SECONDS = 1;

  private final SparkSubmitter submitter;

  private SparkJobs(SparkSubmitter submitter) {
    this.submitter = submitter;
  }

  public static SparkJobs inProcess() {
    return new SparkJobs(null);
  }

  public static SparkJobs cluster(ClusterSettings settings) {
    return new SparkJobs(new SparkSubmitter(settings));
  }

  /** {@code local[*]} or the cluster's master URL, for logs and lineage. */
  public String where() {
    return submitter == null ? "in-process" : submitter.settings().master();
  }

  public ValidationReport validate(
      ActivityExecutionContext ctx,
      DatasetInput input,
      FeatureColumns columns,
      ValidationRules rules,
      DataProfile championProfile) {
    return run(
        ctx,
        control ->
            DataValidation.validate(SparkSessions.local(), input, columns, rules, championProfile),
        () -> JobRequest.validation(input, columns, rules, championProfile),
        JobOutcome::validationReport);
  }

  public FeatureResult features(
      ActivityExecutionContext ctx,
      DatasetInput input,
      FeatureColumns columns,
      SplitSpec split,
      String outputUri) {
    return run(
        ctx,
        control -> FeatureJob.fitAndWrite(SparkSessions.local(), input, columns, split, outputUri),
        () -> JobRequest.features(input, columns, split, outputUri),
        JobOutcome::featureResult);
  }

  public ScoringReport score(ActivityExecutionContext ctx, ScoringRequest request) {
    return run(
        ctx,
        control -> ScoringJob.score(SparkSessions.local(), request, control),
        () -> JobRequest.scoring(request),
        JobOutcome::scoringReport);
  }

  private <T> T run(
      ActivityExecutionContext ctx,
      Function<JobControl, T> local,
      Supplier<JobRequest> request,
      Function<JobOutcome, T> result) {
    if (submitter == null) {
      return runLocally(ctx, local);
    }
    try {
      JobOutcome outcome =
          submitter.run(request.get(), TICK, status -> ctx.heartbeat(status.toString()));
      return result.apply(outcome);
    } catch (SparkJobException e) {
      // The driver's own exception type decides: bad input fails fast, cluster trouble retries.
      ApplicationFailure f =
          e.isNonRetryable()
              ? ApplicationFailure.newNonRetryableFailure(
                  e.getMessage(),
                  "dev.trainyard.spark.io.DataInputException".equals(e.errorType())
                      ? "BadInputData"
                      : "SparkJob" + e.reason())
              : ApplicationFailure.newFailure(e.getMessage(), "SparkJob" + e.reason());
      f.setStackTrace(new StackTraceElement[0]);
      throw f;
    }
  }

  /**
   * In this worker's Spark session, in a job group of this attempt's own: when a heartbeat learns
   * the attempt was cancelled or timed out, the group's Spark jobs are cancelled, and the job
   * publishes nothing. A retry's claim on the output fences this attempt out even before its own
   * heartbeat has told it ({@link JobControl}).
   */
  private static <T> T runLocally(ActivityExecutionContext ctx, Function<JobControl, T> local) {
    ActivityInfo info = ctx.getInfo();
    String step = info.getWorkflowId() + "/" + info.getRunId() + "/" + info.getActivityId();
    JobControl control =
        JobControl.forAttempt(
            "trainyard/" + step + "/attempt-" + info.getAttempt(), step, info.getAttempt());
    try (Heartbeat hb =
        Heartbeat.every(
            ctx,
            HEARTBEAT_SECONDS,
            () -> control.cancel("Temporal stopped this attempt of " + step))) {
      try {
        return control.runInGroup(SparkSessions.local(), () -> local.apply(control));
      } catch (JobCancelledException e) {
        hb.throwIfStopped();
        // Fenced out by a later attempt before a heartbeat said so: this attempt's result is
        // not wanted, and failing it is harmless (Temporal has already moved on from it).
        throw ApplicationFailure.newFailure(e.getMessage(), "AttemptSuperseded");
      }
    }
  }
}
