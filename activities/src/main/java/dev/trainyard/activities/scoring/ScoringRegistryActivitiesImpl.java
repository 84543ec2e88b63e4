package dev.trainyard.activities.scoring;

import dev.trainyard.activities.runtime.Failures;
import dev.trainyard.activities.runtime.RunTags;
import dev.trainyard.registry.Experiment;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.MlflowException;
import dev.trainyard.registry.ModelVersion;
import dev.trainyard.registry.RegisteredModel;
import dev.trainyard.registry.ResourceNotFoundException;
import dev.trainyard.registry.Run;
import dev.trainyard.registry.RunSpec;
import dev.trainyard.workflows.pipeline.Payloads.PipelineRun;
import dev.trainyard.workflows.scoring.ModelRef;
import dev.trainyard.workflows.scoring.ScoringActivities;
import dev.trainyard.workflows.scoring.ScoringPayloads.ResolvedModel;
import dev.trainyard.workflows.scoring.ScoringPayloads.StartScoringRunRequest;
import dev.trainyard.workflows.scoring.ScoringSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Model lookup and the MLflow scoring run; both safe to retry. */
public class ScoringRegistryActivitiesImpl implements ScoringActivities.Registry {
  private final MlflowClient mlflow;

  public ScoringRegistryActivitiesImpl(MlflowClient mlflow) {
    this.mlflow = mlflow;
  }

  /** Where a model's scoring runs go, beside (not inside) its training experiments. */
  public static String experimentName(String registeredModel) {
    return "trainyard/scoring/" + registeredModel;
  }

  @Override
  public ResolvedModel resolveModel(String modelRef) {
    ModelRef ref;
    try {
      ref = ModelRef.parse(modelRef);
    } catch (IllegalArgumentException e) {
      throw Failures.badInput("InvalidModelReference", e.getMessage());
    }
    try {
      RegisteredModel model;
      try {
        model = mlflow.registry().getRegisteredModel(ref.name());
      } catch (ResourceNotFoundException e) {
        throw Failures.badInput(
            "UnknownModel",
            "registered model '"
                + ref.name()
                + "' does not exist in MLflow. Check the name (./trainyard models NAME lists a"
                + " model's versions) or train it first with ./trainyard train.");
      }
      String version = ref.version();
      if (!ref.pinned()) {
        version = model.aliases().get(ref.alias());
        if (version == null) {
          throw Failures.badInput(
              "UnknownAlias",
              "model '"
                  + ref.name()
                  + "' has no alias '"
                  + ref.alias()
                  + "'; "
                  + (model.aliases().isEmpty()
                      ? "it has no aliases at all"
                      : "its aliases: "
                          + model.aliases().entrySet().stream()
                              .map(a -> a.getKey() + " → version " + a.getValue())
                              .collect(Collectors.joining(", ")))
                  + ". Use one of them, a version ("
                  + ref.name()
                  + "/N), or point the alias with ./trainyard promote "
                  + ref.name()
                  + " VERSION.");
        }
      }
      ModelVersion v;
      try {
        v = mlflow.registry().getModelVersion(ref.name(), version);
      } catch (ResourceNotFoundException e) {
        throw Failures.badInput(
            "UnknownModelVersion",
            "model '"
                + ref.name()
                + "' has no version "
                + version
                + ". ./trainyard models "
                + ref.name()
                + " lists its versions.");
      }
      return new ResolvedModel(v.name(), v.version(), ref.alias(), v.source(), v.runId());
    } catch (MlflowException e) {
      throw Failures.fromMlflow(e);
    }
  }

  @Override
  public PipelineRun startScoringRun(StartScoringRunRequest r) {
    ScoringSpec spec = r.spec();
    ResolvedModel model = r.model();
    try {
      Experiment exp = mlflow.tracking().getOrCreateExperiment(experimentName(model.name()));
      List<Run> existing =
          mlflow
              .tracking()
              .searchRunsByTag(
                  List.of(exp.experimentId()), RunTags.WORKFLOW_RUN, r.workflowRunId());
      Run run =
          existing.isEmpty()
              ? mlflow
                  .tracking()
                  .createRun(
                      RunSpec.builder()
                          .setExperimentId(exp.experimentId())
                          .optRunName(r.workflowId())
                          .optTag(RunTags.WORKFLOW_ID, r.workflowId())
                          .optTag(RunTags.WORKFLOW_RUN, r.workflowRunId())
                          .optTag("trainyard.model", model.ref())
                          .optTag("trainyard.date", spec.date())
                          .optTag("mlflow.source.name", "trainyard")
                          .build())
              : existing.get(0);
      Map<String, String> params = new LinkedHashMap<>();
      params.put("model", model.name());
      params.put("model_version", model.version());
      params.put("model_alias", model.alias() == null ? "none" : model.alias());
      params.put("input", spec.input());
      params.put("format", spec.format());
      params.put("output", spec.output());
      params.put("quarantine", spec.quarantine());
      params.put("keys", String.join(",", spec.keys()));
      params.put("batch_size", String.valueOf(spec.batchSize()));
      params.put("partitions", String.valueOf(spec.partitions()));
      params.put("max_quarantine_fraction", String.valueOf(spec.maxQuarantineFraction()));
      params.put("if_output_exists", spec.ifOutputExists());
      params.put("date", spec.date());
      if (spec.retrain() != null) {
        params.put("retrain_max_psi", String.valueOf(spec.retrain().maxPsi()));
        params.put("retrain_pipeline", spec.retrain().pipeline().name());
      }
      mlflow.tracking().logParams(run.runId(), params);
      return new PipelineRun(exp.experimentId(), run.runId(), run.info().artifactUri());
    } catch (MlflowException e) {
      throw Failures.fromMlflow(e);
    }
  }
}
