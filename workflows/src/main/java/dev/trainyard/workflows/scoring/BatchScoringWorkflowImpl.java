package dev.trainyard.workflows.scoring;

import dev.trainyard.workflows.RunSearch;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.Payloads.FinishRunRequest;
import dev.trainyard.workflows.pipeline.Payloads.PipelineRun;
import dev.trainyard.workflows.pipeline.PipelineActivities;
import dev.trainyard.workflows.pipeline.PipelineProgress;
import dev.trainyard.workflows.scoring.ScoringPayloads.ResolvedModel;
import dev.trainyard.workflows.scoring.ScoringPayloads.ScoreBatchRequest;
import dev.trainyard.workflows.scoring.ScoringPayloads.ScoreBatchResult;
import dev.trainyard.workflows.scoring.ScoringPayloads.StartScoringRunRequest;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.SearchAttributeKey;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;

public class BatchScoringWorkflowImpl implements BatchScoringWorkflow {
  private static final Logger log = Workflow.getLogger(BatchScoringWorkflowImpl.class);

  /** Set by Temporal on every run a schedule starts: the action's nominal time. */
  static final SearchAttributeKey<OffsetDateTime> SCHEDULED_START =
      SearchAttributeKey.forOffsetDateTime("TemporalScheduledStartTime");

  // Timeouts and retries come from the worker, per activity type (ActivityTuning).
  private final ScoringActivities.Registry registry =
      Workflow.newActivityStub(
          ScoringActivities.Registry.class,
          ActivityOptions.newBuilder().setTaskQueue(TaskQueues.CONTROL).build());

  private final PipelineActivities.Registry runs =
      Workflow.newActivityStub(
          PipelineActivities.Registry.class,
          ActivityOptions.newBuilder().setTaskQueue(TaskQueues.CONTROL).build());

  private String step = "starting";
  private final List<String> done = new ArrayList<>();
  private final Map<String, Double> latest = new LinkedHashMap<>();
  private String detail = "";
  private final boolean searchAttributesRegistered;
  private RunSearch search;

  /** A scoring run that does not upsert search attributes (for workers that have not checked). */
  public BatchScoringWorkflowImpl() {
    this(false);
  }

  /**
   * @param searchAttributesRegistered whether the worker found Trainyard's search attributes
   *     registered in its namespace ({@link RunSearch})
   */
  public BatchScoringWorkflowImpl(boolean searchAttributesRegistered) {
    this.searchAttributesRegistered = searchAttributesRegistered;
  }

  @Override
  public ScoringResult score(ScoringSpec input) {
    search = RunSearch.forThisRun(searchAttributesRegistered);
    List<String> problems = input == null ? List.of("the request is empty") : input.problems();
    if (input != null) {
      search.set(RunSearch.MODEL, modelName(input.model()));
    }
    if (!problems.isEmpty()) {
      search.set(RunSearch.OUTCOME, "failed");
      throw ApplicationFailure.newNonRetryableFailure(
          "The scoring request has "
              + problems.size()
              + " problem(s):\n- "
              + String.join("\n- ", problems),
          "InvalidScoringRequest");
    }
    ScoringSpec spec;
    try {
      spec = input.resolved(runDate(input));
    } catch (RuntimeException e) {
      search.set(RunSearch.OUTCOME, "failed");
      // Fail the run, not the workflow task: a task that throws is retried forever (RUNNING).
      throw ApplicationFailure.newNonRetryableFailure(
          "The scoring request cannot be resolved: " + e.getMessage(), "InvalidScoringRequest");
    }
    String workflowId = Workflow.getInfo().getWorkflowId();

    enter("resolve model", spec.model());
    // Resolved once: a promotion while this run scores cannot mix two versions in one output.
    ResolvedModel model;
    try {
      model = registry.resolveModel(spec.model());
    } catch (RuntimeException e) {
      search.set(RunSearch.OUTCOME, e instanceof CanceledFailure ? "cancelled" : "failed");
      throw e;
    }
    search.set(RunSearch.MODEL_VERSION, model.version());
    // Only a spec that names a shadow resolves one: runs without a shadow (all runs recorded
    // before shadow scoring existed) keep their command sequence, so no version marker is needed.
    ResolvedModel shadow = null;
    if (spec.shadow() != null) {
      enter("resolve shadow", spec.shadow());
      try {
        shadow = registry.resolveModel(spec.shadow());
      } catch (RuntimeException e) {
        search.set(RunSearch.OUTCOME, e instanceof CanceledFailure ? "cancelled" : "failed");
        throw e;
      }
    }
    PipelineRun run =
        registry.startScoringRun(
            new StartScoringRunRequest(spec, model, workflowId, Workflow.getInfo().getRunId()));
    try {
      enter("score", model.ref() + " on " + spec.input());
      ScoreBatchResult r =
          Workflow.newActivityStub(
                  ScoringActivities.Data.class,
                  ActivityOptions.newBuilder()
                      .setTaskQueue(TaskQueues.SPARK)
                      .setSummary(
                          RunSearch.summary(
                              "score "
                                  + spec.input()
                                  + " with "
                                  + model.ref()
                                  + " → "
                                  + spec.output()))
                      .build())
              .scoreBatch(new ScoreBatchRequest(spec, model, run, shadow));
      latest.put("rows_in", (double) r.rowsIn());
      latest.put("scored", (double) r.scored());
      latest.put("quarantined", (double) r.quarantined());
      latest.put("max_psi", r.maxPsi());
      if (r.predictionPsi() != null) {
        latest.put("prediction_psi", r.predictionPsi());
      }
      if (r.shadow() != null) {
        if (r.shadow().agreement() != null) {
          latest.put("shadow_agreement", r.shadow().agreement());
        }
        if (r.shadow().meanAbsDifference() != null) {
          latest.put("shadow_mean_abs_difference", r.shadow().meanAbsDifference());
        }
        latest.put("shadow_prediction_psi", r.shadow().predictionPsi());
      }

      String outcome = r.skipped() ? "skipped" : "scored";
      String retrainId = null;
      // The flags come from the activity's result, which a replay reads from history: a run
      // recorded before they existed has none, so replays start no other children.
      boolean psiOver = spec.retrain() != null && r.maxPsi() > spec.retrain().maxPsi();
      boolean flagged = !r.driftFlags().isEmpty();
      if (!r.skipped() && spec.retrain() != null && (psiOver || flagged)) {
        enter(
            "retrain",
            psiOver
                ? "drift " + fmt(r.maxPsi()) + " > " + fmt(spec.retrain().maxPsi())
                : "drift " + String.join("; ", r.driftFlags()));
        retrainId = startRetraining(spec, model, r, workflowId);
        outcome = "scored, retraining started";
      }
      String summary =
          r.skipped()
              ? "skipped: " + r.outputUri() + " was already published (ifOutputExists=skip)"
              : outcome
                  + ": "
                  + r.scored()
                  + " rows with "
                  + model.ref()
                  + ", "
                  + r.quarantined()
                  + " quarantined, max PSI "
                  + fmt(r.maxPsi())
                  + (r.maxPsiFeature() == null ? "" : " (" + r.maxPsiFeature() + ")")
                  + (r.driftFlags().isEmpty()
                      ? ""
                      : ", drift flagged: " + String.join("; ", r.driftFlags()))
                  + (r.shadow() == null
                      ? ""
                      : "; shadow " + r.shadow().model() + ": " + r.shadow().describe())
                  + (retrainId == null
                      ? ""
                      : (psiOver
                              ? "; drift over " + fmt(spec.retrain().maxPsi())
                              : "; drift flagged")
                          + ", started retraining "
                          + retrainId);
      runs.finishPipelineRun(new FinishRunRequest(run, "FINISHED", summary));
      enter("done", summary);
      search.set(RunSearch.OUTCOME, retrainId == null ? outcome : "retraining");
      return ScoringResult.builder()
          .setOutcome(outcome)
          .setModel(model)
          .optDate(spec.date())
          .fromBatch(r)
          .optMlflowRunId(run.runId())
          .optRetrainWorkflowId(retrainId)
          .build();
    } catch (RuntimeException e) {
      log.warn("scoring {} failed at step {}", workflowId, step);
      search.set(RunSearch.OUTCOME, e instanceof CanceledFailure ? "cancelled" : "failed");
      runs.finishPipelineRun(new FinishRunRequest(run, "FAILED", "failed at " + step));
      throw e;
    }
  }

  /**
   * The day {@code {date}} stands for: the schedule's nominal time (so a backfill of last week
   * scores last week), else the request's date, else the day the run started; all UTC.
   */
  private static LocalDate runDate(ScoringSpec spec) {
    var attributes = Workflow.getTypedSearchAttributes();
    if (attributes.containsKey(SCHEDULED_START)) {
      return attributes.get(SCHEDULED_START).withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
    }
    if (spec.date() != null) {
      return LocalDate.parse(spec.date());
    }
    return Instant.ofEpochMilli(Workflow.currentTimeMillis()).atZone(ZoneOffset.UTC).toLocalDate();
  }

  /** Starts the retraining pipeline as an independent run: it outlives this scoring run. */
  private String startRetraining(
      ScoringSpec spec, ResolvedModel model, ScoreBatchResult r, String workflowId) {
    String id =
        Retraining.start(
            spec.retrain().pipeline(),
            "Retrain "
                + model.name()
                + ": scoring "
                + workflowId
                + (r.driftFlags().isEmpty()
                    ? " saw PSI " + fmt(r.maxPsi()) + " on " + r.maxPsiFeature()
                    : " flagged " + String.join("; ", r.driftFlags())));
    log.info("drift {} on {}: started {}", r.maxPsi(), r.maxPsiFeature(), id);
    return id;
  }

  /** The model's name in {@code NAME@ALIAS} or {@code NAME/VERSION}, as written if unparseable. */
  private static String modelName(String ref) {
    try {
      return ModelRef.parse(ref).name();
    } catch (RuntimeException e) {
      return ref;
    }
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  private void enter(String next, String what) {
    if (!step.equals("starting")) {
      done.add(step);
    }
    step = next;
    detail = what;
    search.set(RunSearch.STEP, next);
    StringBuilder b = new StringBuilder("**" + step + "** " + detail);
    if (!done.isEmpty()) {
      b.append("\n\ndone: ").append(String.join(" → ", done));
    }
    Workflow.setCurrentDetails(b.toString());
  }

  @Override
  public PipelineProgress progress() {
    return new PipelineProgress(step, List.copyOf(done), Map.copyOf(latest), detail);
  }
}
