package dev.trainyard.activities.scoring;

import dev.trainyard.activities.runtime.ActivityEnvironment;
import dev.trainyard.activities.runtime.Failures;
import dev.trainyard.activities.runtime.RunTags;
import dev.trainyard.registry.Experiment;
import dev.trainyard.registry.Metric;
import dev.trainyard.registry.MlflowException;
import dev.trainyard.registry.Run;
import dev.trainyard.spark.io.DataInputException;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.spark.scoring.RealizedMetrics;
import dev.trainyard.workflows.scoring.EvaluateScoresResult.EvaluateDayRequest;
import dev.trainyard.workflows.scoring.EvaluateScoresResult.EvaluatedDay;
import dev.trainyard.workflows.scoring.ScoringActivities;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Realized performance of one scored day: {@link RealizedMetrics} on Spark, then each metric is
 * logged to the scoring run that produced the day's output (found through the output's {@code
 * _trainyard.json}) as {@code realized_<metric>} at step = the day (days since 1970-01-01, UTC) and
 * timestamp = the day's midnight, so a run's metric history reads by day. Logging the same day
 * again (a retry, labels that arrived late) adds a point at the same step; MLflow's latest value is
 * the newest.
 */
public class RealizedActivitiesImpl implements ScoringActivities.Realized {
  private final ActivityEnvironment env;

  public RealizedActivitiesImpl(ActivityEnvironment env) {
    this.env = env;
  }

  @Override
  public EvaluatedDay evaluateDay(EvaluateDayRequest r) {
    try {
      RealizedMetrics.Result result =
          RealizedMetrics.compute(
              SparkSessions.local(),
              r.scoresUri(),
              new DatasetInput(
                  r.labelsUri(),
                  r.labelsUri().toLowerCase(Locale.ROOT).endsWith(".csv") ? "csv" : "parquet"),
              r.keys(),
              r.label());
      String experiment = ScoringRegistryActivitiesImpl.experimentName(result.model());
      Optional<Experiment> exp = env.mlflow().tracking().findExperimentByName(experiment);
      List<Run> runs =
          exp.isEmpty() || result.scoringRunId() == null
              ? List.of()
              : env.mlflow()
                  .tracking()
                  .searchRunsByTag(
                      List.of(exp.get().experimentId()),
                      RunTags.WORKFLOW_RUN,
                      result.scoringRunId());
      if (runs.isEmpty()) {
        throw Failures.badInput(
            "NoScoringRun",
            "the scores "
                + r.scoresUri()
                + " were published by scoring run "
                + result.scoringWorkflowId()
                + ", which has no MLflow run in "
                + experiment
                + "; evaluate outputs of scoring runs of this Trainyard");
      }
      Run run = runs.get(0);
      LocalDate day = LocalDate.parse(r.date());
      long step = day.toEpochDay();
      var midnight = day.atStartOfDay(ZoneOffset.UTC).toInstant();
      List<Metric> metrics = new ArrayList<>();
      result
          .metrics()
          .forEach((k, v) -> metrics.add(new Metric("realized_" + k, v, step, midnight)));
      metrics.add(new Metric("realized_labelled_rows", result.labelled(), step, midnight));
      env.mlflow().tracking().logMetrics(run.runId(), metrics);
      return new EvaluatedDay(
          r.date(),
          result.model() + "/" + result.version(),
          run.runId(),
          result.scored(),
          result.labelled(),
          result.metrics());
    } catch (DataInputException e) {
      throw Failures.badInput("BadLabels", e.getMessage());
    } catch (MlflowException e) {
      throw Failures.fromMlflow(e);
    } catch (io.temporal.failure.ApplicationFailure e) {
      throw e;
    } catch (Exception e) {
      String m = e.getMessage() == null ? "" : e.getMessage();
      // A labels path that does not exist is bad input, not a transient failure.
      if (m.contains("PATH_NOT_FOUND") || m.contains("Path does not exist")) {
        throw Failures.badInput("BadLabels", m);
      }
      throw Failures.retryable(e);
    }
  }
}
