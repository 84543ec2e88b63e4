package dev.trainyard.workflows.pipeline;

import dev.trainyard.workflows.pipeline.Payloads.BuildFeaturesRequest;
import dev.trainyard.workflows.pipeline.Payloads.Champion;
import dev.trainyard.workflows.pipeline.Payloads.EvaluateRequest;
import dev.trainyard.workflows.pipeline.Payloads.FeaturesResult;
import dev.trainyard.workflows.pipeline.Payloads.FinishRunRequest;
import dev.trainyard.workflows.pipeline.Payloads.ModelVersionRef;
import dev.trainyard.workflows.pipeline.Payloads.PipelineRun;
import dev.trainyard.workflows.pipeline.Payloads.PromoteRequest;
import dev.trainyard.workflows.pipeline.Payloads.Promotion;
import dev.trainyard.workflows.pipeline.Payloads.RegisterRequest;
import dev.trainyard.workflows.pipeline.Payloads.TrainRequest;
import dev.trainyard.workflows.pipeline.Payloads.TrainResult;
import dev.trainyard.workflows.pipeline.Payloads.ValidateDataRequest;
import dev.trainyard.workflows.pipeline.Payloads.ValidationResult;
import io.temporal.activity.ActivityInterface;
import java.util.Map;

/** The pipeline's activities, grouped by the task queue that runs them. */
public final class PipelineActivities {
  private PipelineActivities() {}

  /** Light steps on {@code trainyard-control}: MLflow runs and the model registry. */
  @ActivityInterface
  public interface Registry {
    PipelineRun startPipelineRun(PipelineSpec spec, String workflowId);

    /** A child run for one trial, nested under the pipeline's run in the MLflow UI. */
    PipelineRun startTrialRun(PipelineRun parent, PipelineSpec trialSpec, String trialName);

    /** Records which trial won (and ends the trial runs' bookkeeping) on the parent run. */
    void recordTrials(PipelineRun parent, java.util.List<String> trialNames, String bestTrial);

    /** The version behind alias {@code champion}, or null when the model has none yet. */
    Champion findChampion(String registeredModel);

    /** Creates the version (once per workflow run) and points {@code challenger} at it. */
    ModelVersionRef registerModel(RegisterRequest request);

    /** Moves {@code champion} to the version, recording the previous one for rollback. */
    Promotion promote(PromoteRequest request);

    void finishPipelineRun(FinishRunRequest request);
  }

  /** Spark steps on {@code trainyard-spark}. */
  @ActivityInterface
  public interface Data {
    ValidationResult validateData(ValidateDataRequest request);

    FeaturesResult buildFeatures(BuildFeaturesRequest request);
  }

  /** DJL steps on {@code trainyard-train}. */
  @ActivityInterface
  public interface Training {
    TrainResult trainModel(TrainRequest request);

    /** Test-split metrics for the candidate, or for the champion when the request names one. */
    Map<String, Double> evaluateModel(EvaluateRequest request);

    /**
     * The candidate against the champion on the same raw test rows: paired differences with
     * bootstrap intervals, per-segment differences, and the evaluation report on the run.
     */
    Payloads.Comparison compareWithChampion(Payloads.CompareRequest request);
  }
}
