package dev.trainyard.workflows.scoring;

import dev.trainyard.workflows.pipeline.Payloads.PipelineRun;
import dev.trainyard.workflows.scoring.ScoringPayloads.ResolvedModel;
import dev.trainyard.workflows.scoring.ScoringPayloads.ScoreBatchRequest;
import dev.trainyard.workflows.scoring.ScoringPayloads.ScoreBatchResult;
import dev.trainyard.workflows.scoring.ScoringPayloads.StartScoringRunRequest;
import io.temporal.activity.ActivityInterface;

/** Batch scoring's activities, grouped by the task queue that runs them. */
public final class ScoringActivities {
  private ScoringActivities() {}

  /** Registry lookups and the MLflow scoring run, on {@code trainyard-control}. */
  @ActivityInterface
  public interface Registry {
    /** {@code NAME@ALIAS} → the version the alias points at now; {@code NAME/VERSION} checked. */
    ResolvedModel resolveModel(String modelRef);

    /** The run in the model's scoring experiment; a retry finds the run it made before. */
    PipelineRun startScoringRun(StartScoringRunRequest request);
  }

  /** The Spark scoring job, on {@code trainyard-spark}. */
  @ActivityInterface
  public interface Data {
    ScoreBatchResult scoreBatch(ScoreBatchRequest request);
  }

  /**
   * Realized performance of one scored day, on {@code trainyard-spark}: joins its labels, computes
   * the metrics and logs them to the day's scoring run.
   */
  @ActivityInterface
  public interface Realized {
    EvaluateScoresResult.EvaluatedDay evaluateDay(EvaluateScoresResult.EvaluateDayRequest request);
  }
}
