package dev.trainyard.workflows.pipeline;

import dev.trainyard.workflows.RunSearch;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.Payloads.Champion;
import dev.trainyard.workflows.pipeline.Payloads.FeaturesResult;
import dev.trainyard.workflows.pipeline.Payloads.FinishRunRequest;
import dev.trainyard.workflows.pipeline.Payloads.ModelVersionRef;
import dev.trainyard.workflows.pipeline.Payloads.PipelineRun;
import dev.trainyard.workflows.pipeline.Payloads.Promotion;
import dev.trainyard.workflows.pipeline.Payloads.TrainResult;
import dev.trainyard.workflows.pipeline.Payloads.ValidationResult;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

public class TrainingPipelineWorkflowImpl implements TrainingPipelineWorkflow {
  private static final Logger log = Workflow.getLogger(TrainingPipelineWorkflowImpl.class);

  /** Change id: the champion is compared pairwise (compareWithChampion), not evaluated alone. */
  static final String PAIRED_GATE = "paired-gate";

  // Timeouts and retries come from the worker, per activity type (ActivityTuning).
  private final PipelineActivities.Registry registry =
      Workflow.newActivityStub(
          PipelineActivities.Registry.class,
          ActivityOptions.newBuilder().setTaskQueue(TaskQueues.CONTROL).build());

  private String step = "starting";
  private final List<String> done = new ArrayList<>();
  private final Map<String, Double> latest = new LinkedHashMap<>();
  private String detail = "";
  private Approval approval;
  private final boolean searchAttributesRegistered;
  private RunSearch search;

  /** A pipeline that does not upsert search attributes (for workers that have not checked). */
  public TrainingPipelineWorkflowImpl() {
    this(false);
  }

  /**
   * @param searchAttributesRegistered whether the worker found Trainyard's search attributes
   *     registered in its namespace ({@link RunSearch})
   */
  public TrainingPipelineWorkflowImpl(boolean searchAttributesRegistered) {
    this.searchAttributesRegistered = searchAttributesRegistered;
  }

  /** The Spark steps' stub, with the summary the Temporal UI shows on the activity. */
  private PipelineActivities.Data data(String summary) {
    return Workflow.newActivityStub(
        PipelineActivities.Data.class,
        ActivityOptions.newBuilder()
            .setTaskQueue(TaskQueues.SPARK)
            .setSummary(RunSearch.summary(summary))
            .build());
  }

  /** The DJL steps' stub, with the summary the Temporal UI shows on the activity. */
  private PipelineActivities.Training training(String summary) {
    return Workflow.newActivityStub(
        PipelineActivities.Training.class,
        ActivityOptions.newBuilder()
            .setTaskQueue(TaskQueues.TRAIN)
            .setSummary(RunSearch.summary(summary))
            .build());
  }

  @Override
  public PipelineResult run(PipelineSpec input) {
    search = RunSearch.forThisRun(searchAttributesRegistered);
    List<String> problems = SpecProblems.of(input);
    if (!problems.isEmpty()) {
      if (input != null) {
        search.set(labels(input.name(), input.registeredModel(), "check spec", "failed"));
      } else {
        search.set(RunSearch.OUTCOME, "failed");
      }
      throw ApplicationFailure.newNonRetryableFailure(
          "The pipeline spec has "
              + problems.size()
              + " problem(s):\n- "
              + String.join("\n- ", problems),
          "InvalidPipelineSpec");
    }
    PipelineSpec spec = SpecDefaults.apply(input);
    String workflowId = Workflow.getInfo().getWorkflowId();
    search.set(labels(spec.name(), spec.registeredModel(), null, null));

    enter("prepare", "MLflow run and current champion");
    PipelineRun run = registry.startPipelineRun(spec, workflowId);
    Champion champion = registry.findChampion(spec.registeredModel());
    try {
      enter("validate", spec.dataset().uri());
      ValidationResult validation =
          data("validate " + spec.dataset().uri())
              .validateData(new Payloads.ValidateDataRequest(spec, run, champion));
      if (!validation.passed()) {
        throw ApplicationFailure.newNonRetryableFailure(
            "Data validation failed with "
                + validation.violations().size()
                + " violation(s) (report: "
                + validation.reportUri()
                + "):\n- "
                + String.join("\n- ", validation.violations()),
            "DataValidationFailed");
      }

      enter("features", validation.rows() + " rows");
      FeaturesResult features =
          data("features of " + spec.dataset().uri())
              .buildFeatures(
                  new Payloads.BuildFeaturesRequest(spec, run, validation.fingerprint()));

      enter("train", spec.model().type() + " on " + features.trainRows() + " rows");
      TrainResult trained;
      if (spec.trials() == null) {
        trained =
            training(
                    "train "
                        + spec.model().type()
                        + " on "
                        + features.trainRows()
                        + " training rows of "
                        + features.featuresUri())
                .trainModel(new Payloads.TrainRequest(spec, run, features));
      } else {
        Trials.Trial best = null;
        trained = null;
        List<Trials.Trial> trials = Trials.expand(spec.trials(), spec.model());
        int parallel = spec.trials().maxParallel() == null ? 2 : spec.trials().maxParallel();
        String metric = TaskMetrics.primary(spec.taskKind());
        for (int i = 0; i < trials.size(); i += parallel) {
          List<Trials.Trial> batch = trials.subList(i, Math.min(trials.size(), i + parallel));
          List<Promise<TrainResult>> running = new ArrayList<>();
          for (Trials.Trial t : batch) {
            PipelineSpec trialSpec = spec.withModel(t.model());
            PipelineRun child = registry.startTrialRun(run, trialSpec, t.name());
            PipelineActivities.Training trial =
                training(
                    "train trial "
                        + t.name()
                        + " on "
                        + features.trainRows()
                        + " training rows of "
                        + features.featuresUri());
            running.add(
                Async.function(
                    trial::trainModel, new Payloads.TrainRequest(trialSpec, child, features)));
          }
          for (int j = 0; j < batch.size(); j++) {
            TrainResult r = running.get(j).get();
            Double v = r.validationMetrics().get(metric);
            Double bestV = trained == null ? null : trained.validationMetrics().get(metric);
            boolean better =
                bestV == null
                    || (v != null && (TaskMetrics.higherIsBetter(metric) ? v > bestV : v < bestV));
            if (better) {
              trained = r;
              best = batch.get(j);
            }
          }
          detail =
              "trial "
                  + Math.min(trials.size(), i + parallel)
                  + "/"
                  + trials.size()
                  + ", best "
                  + best.name();
        }
        registry.recordTrials(run, trials.stream().map(Trials.Trial::name).toList(), best.name());
        spec = spec.withModel(best.model());
      }
      trained.validationMetrics().forEach((k, v) -> latest.put("val_" + k, v));

      enter("evaluate", "test split, " + features.testRows() + " rows");
      Map<String, Double> testMetrics =
          training("evaluate the new model on " + features.testRows() + " test rows")
              .evaluateModel(
                  new Payloads.EvaluateRequest(spec, run, features, trained.modelUri(), null));
      testMetrics.forEach((k, v) -> latest.put("test_" + k, v));
      Map<String, Double> championMetrics = null;
      Payloads.Comparison comparison = null;
      if (champion != null) {
        // Runs started before the paired comparison existed keep evaluating the champion alone.
        int paired = Workflow.getVersion(PAIRED_GATE, Workflow.DEFAULT_VERSION, 1);
        if (paired == Workflow.DEFAULT_VERSION) {
          championMetrics =
              training(
                      "evaluate champion "
                          + spec.registeredModel()
                          + "/"
                          + champion.version()
                          + " on "
                          + features.testRows()
                          + " test rows")
                  .evaluateModel(new Payloads.EvaluateRequest(spec, run, features, null, champion));
        } else {
          enter("compare", "challenger vs champion " + champion.version() + ", paired");
          comparison =
              training(
                      "compare with champion "
                          + spec.registeredModel()
                          + "/"
                          + champion.version()
                          + " on "
                          + features.testRows()
                          + " paired test rows")
                  .compareWithChampion(
                      new Payloads.CompareRequest(
                          spec, run, features, trained.modelUri(), champion));
          championMetrics = comparison.championMetrics();
        }
      }

      enter("gate", "");
      GateDecision decision = Gate.decide(spec.gate(), testMetrics, championMetrics, comparison);
      List<String> reasons = new ArrayList<>(decision.reasons());
      boolean promote = decision.passed();
      if (decision.needsApproval()) {
        Duration timeout = Duration.parse(spec.gate().approvalTimeout());
        enter("awaiting approval", "send the 'decide' signal within " + timeout);
        boolean answered = Workflow.await(timeout, () -> approval != null);
        if (!answered) {
          promote = false;
          reasons.add("no approval within " + timeout + ": not promoted");
        } else {
          promote = approval.approve();
          reasons.add(
              (approval.approve() ? "approved" : "rejected")
                  + " by "
                  + approval.by()
                  + (approval.comment() == null ? "" : ": " + approval.comment()));
        }
      }

      enter("register", spec.registeredModel());
      ModelVersionRef version =
          registry.registerModel(
              Payloads.RegisterRequest.builder()
                  .setSpec(spec)
                  .setRun(run)
                  .setFeatures(features)
                  .setTraining(trained)
                  .setTestMetrics(testMetrics)
                  .setValidation(validation)
                  .setWorkflowId(workflowId)
                  .optGateReasons(List.copyOf(reasons))
                  .build());
      search.set(RunSearch.MODEL_VERSION, version.version());
      Promotion promotion = null;
      if (promote) {
        enter("promote", spec.registeredModel() + "/" + version.version());
        // Compare-and-set: champion moves only if it is still the one the gate compared with.
        promotion =
            registry.promote(
                new Payloads.PromoteRequest(
                    spec.registeredModel(),
                    version.version(),
                    reasons,
                    champion == null ? null : champion.version()));
      }
      String outcome =
          promote
              ? "promoted"
              : decision.needsApproval() && approval != null ? "rejected" : "registered";
      registry.finishPipelineRun(new FinishRunRequest(run, "FINISHED", outcome));
      enter("done", outcome + " " + spec.registeredModel() + "/" + version.version());
      search.set(RunSearch.OUTCOME, outcome);
      return new PipelineResult(
          outcome,
          spec.registeredModel(),
          version.version(),
          promotion == null ? null : promotion.previousChampion(),
          run.runId(),
          testMetrics,
          reasons,
          features.cacheHit());
    } catch (RuntimeException e) {
      log.warn("pipeline {} failed at step {}", workflowId, step);
      search.set(RunSearch.OUTCOME, e instanceof CanceledFailure ? "cancelled" : "failed");
      registry.finishPipelineRun(new FinishRunRequest(run, "FAILED", "failed at " + step));
      throw e;
    }
  }

  private void enter(String next, String what) {
    if (!step.equals("starting")) {
      done.add(step);
    }
    step = next;
    detail = what;
    search.set(RunSearch.STEP, next);
    showDetails();
  }

  private static Map<io.temporal.common.SearchAttributeKey<String>, String> labels(
      String pipeline, String model, String step, String outcome) {
    Map<io.temporal.common.SearchAttributeKey<String>, String> m = new LinkedHashMap<>();
    m.put(RunSearch.PIPELINE, pipeline);
    m.put(RunSearch.MODEL, model);
    m.put(RunSearch.STEP, step);
    m.put(RunSearch.OUTCOME, outcome);
    return m;
  }

  /** What the Temporal UI shows on the run's page, kept current at every step and epoch. */
  private void showDetails() {
    StringBuilder b = new StringBuilder("**" + step + "** " + detail);
    if (!done.isEmpty()) {
      b.append("\n\ndone: ").append(String.join(" → ", done));
    }
    if (!latest.isEmpty()) {
      b.append("\n\n");
      new java.util.TreeMap<>(latest)
          .forEach(
              (k, v) ->
                  b.append(k)
                      .append(" = ")
                      .append(String.format(java.util.Locale.ROOT, "%.4f", v))
                      .append("  "));
    }
    Workflow.setCurrentDetails(b.toString().trim());
  }

  @Override
  public PipelineProgress progress() {
    return new PipelineProgress(step, List.copyOf(done), Map.copyOf(latest), detail);
  }

  @Override
  public void decide(Approval approval) {
    if (this.approval == null) {
      this.approval = approval;
    }
  }

  @Override
  public void epochDone(int epoch, Map<String, Double> metrics) {
    latest.put("epoch", (double) epoch);
    latest.putAll(metrics);
    showDetails();
  }
}
