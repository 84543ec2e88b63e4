package dev.trainyard.activities.pipeline;

import dev.trainyard.registry.Experiment;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.MlflowException;
import dev.trainyard.registry.ModelVersion;
import dev.trainyard.registry.ModelVersionSpec;
import dev.trainyard.registry.ResourceNotFoundException;
import dev.trainyard.registry.Run;
import dev.trainyard.registry.RunSpec;
import dev.trainyard.registry.RunStatus;
import dev.trainyard.registry.SearchFilters;
import dev.trainyard.workflows.pipeline.Payloads.Champion;
import dev.trainyard.workflows.pipeline.Payloads.FinishRunRequest;
import dev.trainyard.workflows.pipeline.Payloads.ModelVersionRef;
import dev.trainyard.workflows.pipeline.Payloads.PipelineRun;
import dev.trainyard.workflows.pipeline.Payloads.PromoteRequest;
import dev.trainyard.workflows.pipeline.Payloads.Promotion;
import dev.trainyard.workflows.pipeline.Payloads.RegisterRequest;
import dev.trainyard.workflows.pipeline.PipelineActivities;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * MLflow side of the pipeline. Every method is safe to retry: runs and versions are found again by
 * the workflow tags they carry before anything new is created.
 */
public class RegistryActivitiesImpl implements PipelineActivities.Registry {
  public static final String WORKFLOW_ID_TAG = "trainyard.workflow_id";
  public static final String WORKFLOW_RUN_TAG = "trainyard.workflow_run_id";
  public static final String CHAMPION = "champion";
  public static final String CHALLENGER = "challenger";

  private final MlflowClient mlflow;
  private final ModelPackager packager;
  private final LineageRecorder lineage;

  public RegistryActivitiesImpl(PipelineEnvironment env) {
    this.mlflow = env.mlflow();
    this.packager = new ModelPackager(env);
    this.lineage = new LineageRecorder(env, env.workDir().resolve("lineage"));
  }

  @Override
  public PipelineRun startPipelineRun(PipelineSpec spec, String workflowId) {
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    try {
      Experiment exp = mlflow.tracking().getOrCreateExperiment("trainyard/" + spec.name());
      List<Run> existing =
          mlflow
              .tracking()
              .searchRunsByTag(List.of(exp.experimentId()), WORKFLOW_RUN_TAG, info.getRunId());
      Run run =
          existing.isEmpty()
              ? mlflow
                  .tracking()
                  .createRun(
                      RunSpec.builder()
                          .setExperimentId(exp.experimentId())
                          .optRunName(workflowId)
                          .optTag(WORKFLOW_ID_TAG, workflowId)
                          .optTag(WORKFLOW_RUN_TAG, info.getRunId())
                          .optTag("trainyard.pipeline", spec.name())
                          .optTag("mlflow.source.name", "trainyard")
                          .build())
              : existing.get(0);
      mlflow.tracking().logParams(run.runId(), SpecParams.of(spec));
      return new PipelineRun(exp.experimentId(), run.runId(), run.info().artifactUri());
    } catch (MlflowException e) {
      throw Failures.fromMlflow(e);
    }
  }

  @Override
  public PipelineRun startTrialRun(PipelineRun parent, PipelineSpec trialSpec, String trialName) {
    try {
      List<Run> existing =
          mlflow
              .tracking()
              .searchRuns(
                  List.of(parent.experimentId()),
                  SearchFilters.and(
                      SearchFilters.tagEquals(Run.PARENT_RUN_ID_TAG, parent.runId()),
                      SearchFilters.tagEquals("trainyard.trial", trialName)));
      Run run =
          existing.isEmpty()
              ? mlflow
                  .tracking()
                  .createRun(
                      RunSpec.builder()
                          .setExperimentId(parent.experimentId())
                          .optRunName("trial " + trialName)
                          .optParentRunId(parent.runId())
                          .optTag("trainyard.trial", trialName)
                          .build())
              : existing.get(0);
      mlflow.tracking().logParams(run.runId(), SpecParams.of(trialSpec));
      return new PipelineRun(parent.experimentId(), run.runId(), run.info().artifactUri());
    } catch (MlflowException e) {
      throw Failures.fromMlflow(e);
    }
  }

  @Override
  public void recordTrials(PipelineRun parent, List<String> trialNames, String bestTrial) {
    try {
      mlflow.tracking().setTag(parent.runId(), "trainyard.best_trial", bestTrial);
      mlflow
          .tracking()
          .setTag(parent.runId(), "trainyard.trials", Integer.toString(trialNames.size()));
      for (Run child :
          mlflow
              .tracking()
              .searchRuns(
                  List.of(parent.experimentId()),
                  SearchFilters.tagEquals(Run.PARENT_RUN_ID_TAG, parent.runId()))) {
        mlflow
            .tracking()
            .setTag(
                child.runId(),
                "trainyard.best",
                Boolean.toString(child.tag("trainyard.trial").orElse("").equals(bestTrial)));
        mlflow.tracking().setRunStatus(child.runId(), RunStatus.FINISHED);
      }
    } catch (MlflowException e) {
      throw Failures.fromMlflow(e);
    }
  }

  @Override
  public Champion findChampion(String registeredModel) {
    try {
      Optional<ModelVersion> v =
          mlflow.registry().findModelVersionByAlias(registeredModel, CHAMPION);
      return v.map(ModelPackager::champion).orElse(null);
    } catch (ResourceNotFoundException e) {
      return null; // no such registered model yet: the first run makes it
    } catch (MlflowException e) {
      throw Failures.fromMlflow(e);
    }
  }

  @Override
  public ModelVersionRef registerModel(RegisterRequest r) {
    Instant start = Instant.now();
    String name = r.spec().registeredModel();
    try {
      // A retry after a lost response must find the version the first attempt made.
      List<ModelVersion> mine =
          mlflow
              .registry()
              .searchModelVersions(
                  SearchFilters.and(
                      SearchFilters.nameEquals(name),
                      SearchFilters.tagEquals(WORKFLOW_ID_TAG, r.workflowId())));
      ModelVersion version;
      if (!mine.isEmpty()) {
        version = mine.get(0);
      } else {
        String source = packager.upload(r);
        mlflow
            .registry()
            .createRegisteredModel(
                name,
                Map.of("trainyard.task", r.spec().task()),
                "Trained by Trainyard pipeline " + r.spec().name());
        Run run = mlflow.tracking().getRun(r.run().runId());
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(WORKFLOW_ID_TAG, r.workflowId());
        r.testMetrics()
            .forEach(
                (k, v) -> tags.put("test_" + k, String.format(java.util.Locale.ROOT, "%.6f", v)));
        tags.put("trainyard.dataset_sha256", r.validation().fingerprint());
        tags.put("trainyard.features", r.features().featuresUri());
        tags.put("trainyard.device", r.training().device());
        version =
            mlflow
                .registry()
                .createModelVersion(
                    ModelVersionSpec.builder()
                        .setName(name)
                        .fromRunArtifacts(run.info(), ModelPackager.MODEL_PATH)
                        .optRunId(run.runId())
                        .optTags(tags)
                        .optDescription(
                            "Trainyard pipeline "
                                + r.spec().name()
                                + ", workflow "
                                + r.workflowId())
                        .build());
      }
      mlflow.registry().waitUntilReady(name, version.version(), Duration.ofMinutes(2));
      mlflow.registry().setAlias(name, CHALLENGER, version.version());
      lineage.record(
          r.run(),
          Activity.getExecutionContext().getInfo(),
          "register",
          start,
          List.of(
              new LineageRecord.Dataset(r.training().modelUri(), null, null),
              new LineageRecord.Dataset(r.features().featuresUri() + "/pipeline", null, null)),
          List.of(
              new LineageRecord.Dataset("models:/" + name + "/" + version.version(), null, null)),
          Map.of("source", version.source(), "alias", CHALLENGER),
          false);
      return new ModelVersionRef(name, version.version(), version.source());
    } catch (MlflowException e) {
      throw Failures.fromMlflow(e);
    }
  }

  @Override
  public Promotion promote(PromoteRequest r) {
    try {
      Optional<ModelVersion> previous =
          mlflow.registry().findModelVersionByAlias(r.registeredModel(), CHAMPION);
      String prev = previous.map(ModelVersion::version).orElse(null);
      if (r.version().equals(prev)) {
        // A retry of a promotion that already happened: report what the first attempt saw.
        ModelVersion current = previous.get();
        return new Promotion(
            r.registeredModel(), r.version(), current.tags().get("trainyard.previous_champion"));
      }
      if (prev != null) {
        mlflow
            .registry()
            .setModelVersionTag(
                r.registeredModel(), r.version(), "trainyard.previous_champion", prev);
      }
      mlflow
          .registry()
          .setModelVersionTag(
              r.registeredModel(), r.version(), "trainyard.promoted_at", Instant.now().toString());
      mlflow
          .registry()
          .setModelVersionTag(
              r.registeredModel(), r.version(), "trainyard.gate", String.join("; ", r.reasons()));
      mlflow.registry().setAlias(r.registeredModel(), CHAMPION, r.version());
      return new Promotion(r.registeredModel(), r.version(), prev);
    } catch (MlflowException e) {
      throw Failures.fromMlflow(e);
    }
  }

  @Override
  public void finishPipelineRun(FinishRunRequest r) {
    try {
      mlflow.tracking().setTag(r.run().runId(), "trainyard.outcome", r.outcome());
      mlflow.tracking().setRunStatus(r.run().runId(), RunStatus.valueOf(r.status()));
    } catch (MlflowException e) {
      throw Failures.fromMlflow(e);
    }
  }
}
