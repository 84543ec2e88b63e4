package dev.trainyard.activities.pipeline;

import dev.trainyard.activities.runtime.ActivityEnvironment;
import dev.trainyard.activities.runtime.Failures;
import dev.trainyard.activities.runtime.LineageRecord;
import dev.trainyard.activities.runtime.LineageRecorder;
import dev.trainyard.activities.runtime.ModelDigest;
import dev.trainyard.activities.runtime.RunTags;
import dev.trainyard.registry.AliasHistory;
import dev.trainyard.registry.AliasMovedException;
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
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MLflow side of the pipeline. Every method is safe to retry: runs and versions are found again
 * before anything new is created, by what is unique to the workflow run (its Temporal run id, its
 * MLflow run), never by the workflow id, which a later run may reuse.
 */
public class RegistryActivitiesImpl implements PipelineActivities.Registry {
  private static final Logger log = LoggerFactory.getLogger(RegistryActivitiesImpl.class);
  public static final String CHAMPION = "champion";
  public static final String CHALLENGER = "challenger";

  private final MlflowClient mlflow;
  private final ModelPackager packager;
  private final LineageRecorder lineage;
  private final AliasHistory aliases;

  public RegistryActivitiesImpl(ActivityEnvironment env) {
    this.mlflow = env.mlflow();
    this.packager = new ModelPackager(env);
    this.lineage = new LineageRecorder(env, env.workDir().resolve("lineage"));
    this.aliases = new AliasHistory(env.mlflow().registry());
  }

  @Override
  public PipelineRun startPipelineRun(PipelineSpec spec, String workflowId) {
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    try {
      Experiment exp = mlflow.tracking().getOrCreateExperiment("trainyard/" + spec.name());
      List<Run> existing =
          mlflow
              .tracking()
              .searchRunsByTag(List.of(exp.experimentId()), RunTags.WORKFLOW_RUN, info.getRunId());
      Run run =
          existing.isEmpty()
              ? mlflow
                  .tracking()
                  .createRun(
                      RunSpec.builder()
                          .setExperimentId(exp.experimentId())
                          .optRunName(workflowId)
                          .optTag(RunTags.WORKFLOW_ID, workflowId)
                          .optTag(RunTags.WORKFLOW_RUN, info.getRunId())
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
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    try {
      ModelVersion version = firstOfItsFiles(r, findOrCreateVersion(r, info));
      mlflow.registry().waitUntilReady(name, version.version(), Duration.ofMinutes(2));
      if (r.gateReasons() != null && !r.gateReasons().isEmpty()) {
        // Why this version is (or is not) champion, also when it is not promoted.
        mlflow
            .registry()
            .setModelVersionTag(
                name, version.version(), "trainyard.gate", gateTag(r.gateReasons()));
      }
      String challenger = aliases.current(name, CHALLENGER);
      try {
        // A retry after an attempt that moved it records the move if that attempt could not.
        aliases.move(
            name,
            CHALLENGER,
            challenger,
            version.version(),
            info.getRunId(),
            mover(info),
            "registered by pipeline " + r.spec().name());
      } catch (AliasMovedException raced) {
        // Another registration moved it between our read and our set: read again on the retry.
        throw ApplicationFailure.newFailure(raced.getMessage(), "ChallengerMoved");
      }
      lineage.record(
          r.run(),
          info,
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

  /** MLflow keeps at most 5000 characters of a tag; the evaluation report has everything. */
  static String gateTag(List<String> reasons) {
    String why = String.join("; ", reasons);
    return why.length() <= 5000
        ? why
        : why.substring(0, 4900) + " … (cut; see evaluation/report.json on the run)";
  }

  /**
   * This run's version: found again by its MLflow run (unique to the workflow run, see {@link
   * #startPipelineRun}) and its files' digest, so a retry after a lost response reuses it and
   * nothing else does. A second, different model from the same MLflow run (a workflow reset that
   * trained again) becomes a version of its own, its files beside the first's.
   */
  private ModelVersion findOrCreateVersion(RegisterRequest r, ActivityInfo info) {
    String name = r.spec().registeredModel();
    List<ModelVersion> ofRun =
        mlflow
            .registry()
            .searchModelVersions(
                SearchFilters.and(
                    SearchFilters.nameEquals(name), SearchFilters.runIdEquals(r.run().runId())));
    String path = ModelPackager.MODEL_PATH;
    for (int tries = 0; ; tries++) {
      try (ModelPackager.Staged staged = packager.stage(r, path)) {
        for (ModelVersion v : ofRun) {
          if (staged.sha256().equals(v.tags().get(ModelDigest.TAG))) {
            return v;
          }
        }
        boolean pathTaken =
            ofRun.stream().anyMatch(v -> v.source().endsWith("/" + staged.artifactPath()));
        if (pathTaken && tries == 0) {
          path = ModelPackager.MODEL_PATH + "-" + staged.sha256().substring(0, 12);
          continue;
        }
        return createVersion(r, info, staged);
      }
    }
  }

  /**
   * The run's first version with these files, the later ones deleted. MLflow serves requests
   * concurrently, so an earlier attempt's create whose answer was lost can be carried out after
   * this attempt searched, and both make a version of the same files. Looking again once this
   * attempt has its version converges on one (the same on every attempt: the lowest number); the
   * only versions deleted are this run's, with the same digest, that no alias was moved to yet.
   */
  private ModelVersion firstOfItsFiles(RegisterRequest r, ModelVersion ours) {
    String name = r.spec().registeredModel();
    String digest = ours.tags().get(ModelDigest.TAG);
    List<ModelVersion> same =
        mlflow
            .registry()
            .searchModelVersions(
                SearchFilters.and(
                    SearchFilters.nameEquals(name), SearchFilters.runIdEquals(r.run().runId())))
            .stream()
            .filter(v -> digest != null && digest.equals(v.tags().get(ModelDigest.TAG)))
            .sorted(Comparator.comparingLong(v -> Long.parseLong(v.version())))
            .toList();
    if (same.size() <= 1) {
      return ours;
    }
    ModelVersion first = same.get(0);
    for (ModelVersion later : same.subList(1, same.size())) {
      if (!later.aliases().isEmpty()) {
        continue; // someone points at it: never delete what an alias names
      }
      log.warn(
          "{} version {} duplicates version {} (an earlier attempt's create was carried out"
              + " after this attempt looked); deleting it",
          name,
          later.version(),
          first.version());
      mlflow.registry().deleteModelVersion(name, later.version());
    }
    return first;
  }

  private ModelVersion createVersion(
      RegisterRequest r, ActivityInfo info, ModelPackager.Staged staged) {
    String name = r.spec().registeredModel();
    packager.upload(r, staged);
    mlflow
        .registry()
        .createRegisteredModel(
            name,
            Map.of("trainyard.task", r.spec().task()),
            "Trained by Trainyard pipeline " + r.spec().name());
    Run run = mlflow.tracking().getRun(r.run().runId());
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(RunTags.WORKFLOW_ID, r.workflowId());
    tags.put(RunTags.WORKFLOW_RUN, info.getRunId());
    tags.put(ModelDigest.TAG, staged.sha256());
    r.testMetrics()
        .forEach((k, v) -> tags.put("test_" + k, String.format(java.util.Locale.ROOT, "%.6f", v)));
    tags.put("trainyard.dataset_sha256", r.validation().fingerprint());
    tags.put("trainyard.features", r.features().featuresUri());
    tags.put("trainyard.device", r.training().device());
    return mlflow
        .registry()
        .createModelVersion(
            ModelVersionSpec.builder()
                .setName(name)
                .fromRunArtifacts(run.info(), staged.artifactPath())
                .optRunId(run.runId())
                .optTags(tags)
                .optDescription(
                    "Trainyard pipeline "
                        + r.spec().name()
                        + ", workflow "
                        + r.workflowId()
                        + " (run "
                        + info.getRunId()
                        + ")")
                .build());
  }

  /**
   * Moves {@code champion} to the version, but only from the champion the gate compared it with
   * ({@link PromoteRequest#expectedChampion()}): a champion moved meanwhile (say, promoted by hand
   * while this run waited for approval) fails the promotion, saying what changed. Re-evaluating
   * against the new champion is left to a new run, which also asks a manual gate again.
   */
  @Override
  public Promotion promote(PromoteRequest r) {
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    String name = r.registeredModel();
    String why = String.join("; ", r.reasons());
    try {
      // A retry after an attempt that moved it records the move if that attempt could not.
      aliases.move(
          name, CHAMPION, r.expectedChampion(), r.version(), info.getRunId(), mover(info), why);
      if (r.expectedChampion() != null) {
        mlflow
            .registry()
            .setModelVersionTag(
                name, r.version(), "trainyard.previous_champion", r.expectedChampion());
      }
      mlflow
          .registry()
          .setModelVersionTag(name, r.version(), "trainyard.promoted_at", Instant.now().toString());
      mlflow.registry().setModelVersionTag(name, r.version(), "trainyard.promoted_by", mover(info));
      mlflow
          .registry()
          .setModelVersionTag(name, r.version(), "trainyard.gate", gateTag(r.reasons()));
      return new Promotion(name, r.version(), r.expectedChampion());
    } catch (AliasMovedException moved) {
      throw championChanged(r, moved);
    } catch (MlflowException e) {
      throw Failures.fromMlflow(e);
    }
  }

  private static ApplicationFailure championChanged(PromoteRequest r, AliasMovedException moved) {
    String ref = r.registeredModel() + "/" + r.version();
    String how =
        moved
            .lastMove()
            .filter(m -> Objects.equals(m.to(), moved.actual()))
            .map(m -> "moved there by " + m.by() + " at " + m.at() + " (" + m.why() + ")")
            .orElse("moved outside Trainyard, so no record says by whom");
    return Failures.badInput(
        "ChampionChanged",
        "Not promoting "
            + ref
            + ": the gate compared it with "
            + (r.expectedChampion() == null
                ? "no champion"
                : "champion version " + r.expectedChampion())
            + ", but champion now points at "
            + (moved.actual() == null ? "no version" : "version " + moved.actual())
            + ", "
            + how
            + ". "
            + ref
            + " stays registered. Run the pipeline again to compare it with the current"
            + " champion, or promote it by hand: `trainyard promote "
            + r.registeredModel()
            + " "
            + r.version()
            + "`.");
  }

  /** Who moves an alias from this activity: the workflow run, as the history shows it. */
  private static String mover(ActivityInfo info) {
    return "workflow " + info.getWorkflowId() + " (run " + info.getRunId() + ")";
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
