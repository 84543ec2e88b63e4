package dev.trainyard.app.cli;

import dev.trainyard.app.spec.PipelineSpecFile;
import dev.trainyard.workflows.scoring.EvaluateScoresResult;
import dev.trainyard.workflows.scoring.EvaluateScoresSpec;
import dev.trainyard.workflows.scoring.EvaluateScoresWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "evaluate-scores",
    mixinStandardHelpOptions = true,
    description = {
      "Realized performance: join labels that arrived to published scores by key,",
      "compute how the version that scored each day did (binary: roc_auc, pr_auc,",
      "accuracy, f1, log_loss; multiclass: accuracy, macro_f1, log_loss; regression:",
      "rmse, mae, r2 — as the training evaluation computes them) and",
      "log it to that day's scoring run in MLflow (realized_<metric>, one point per",
      "day). Optionally retrain when a day's metric crosses a bound. URIs may",
      "contain {date}."
    })
public final class EvaluateScoresCommand implements Callable<Integer> {
  @Mixin Context ctx;

  @Mixin Options options;

  @Option(names = "--wait", description = "Follow the run until it ends and print the days.")
  boolean await;

  @Option(
      names = "--id",
      paramLabel = "WORKFLOW_ID",
      description = "Workflow id (default: evaluate-scores-TIMESTAMP).")
  String workflowId;

  /** What an evaluate-scores request is made of; shared with {@code schedule create}. */
  static final class Options {
    @Option(
        names = "--scores",
        paramLabel = "URI",
        description =
            "The published scoring output (a score run's --output), e.g. lake/scores/{date}.")
    String scores;

    @Option(
        names = "--labels",
        paramLabel = "URI",
        description = "The true values: Parquet, or CSV with a header (*.csv); may hold {date}.")
    String labels;

    @Option(
        names = "--label",
        paramLabel = "COLUMN",
        description = "The labels' column holding the true value.")
    String label;

    @Option(
        names = "--keys",
        split = ",",
        paramLabel = "COLUMN",
        description = "Columns that identify a row in both (the scoring --keys), comma-separated.")
    List<String> keys = List.of();

    @Option(
        names = "--date",
        paramLabel = "YYYY-MM-DD",
        description = "A scored day to evaluate; repeat for several (default: today, UTC).")
    List<String> dates = new ArrayList<>();

    @Option(
        names = "--retrain-pipeline",
        paramLabel = "FILE",
        description =
            "Retrain with this pipeline spec when a day's realized metric crosses the bound.")
    Path retrainPipeline;

    @Option(
        names = "--retrain-metric",
        paramLabel = "NAME",
        defaultValue = "accuracy",
        description = "The realized metric to watch: accuracy (default), roc_auc, log_loss, macro_f1, mae,"
                + " rmse, …")
    String retrainMetric;

    @Option(
        names = "--retrain-min",
        paramLabel = "VALUE",
        description = "Retrain when the metric is below this (e.g. accuracy 0.75).")
    Double retrainMin;

    @Option(
        names = "--retrain-max",
        paramLabel = "VALUE",
        description = "Retrain when the metric is above this (errors: mae, rmse).")
    Double retrainMax;

    EvaluateScoresSpec spec() {
      EvaluateScoresSpec.Retrain retrain =
          retrainPipeline == null
              ? null
              : new EvaluateScoresSpec.Retrain(
                  retrainMetric, retrainMin, retrainMax, PipelineSpecFile.load(retrainPipeline));
      return EvaluateScoresSpec.of(
          Uris.absolute(scores), Uris.absolute(labels), keys, label, dates, retrain);
    }

    /** Problems only the command line can have: bounds without a pipeline. */
    List<String> problems() {
      List<String> p = new ArrayList<>();
      if (retrainPipeline == null && (retrainMin != null || retrainMax != null)) {
        p.add("--retrain-min/--retrain-max: need --retrain-pipeline FILE (what to train)");
      }
      return p;
    }
  }

  @Override
  public Integer call() throws Exception {
    List<String> problems = new ArrayList<>(options.problems());
    EvaluateScoresSpec spec = problems.isEmpty() ? options.spec() : null;
    if (spec != null) {
      problems.addAll(spec.problems());
    }
    if (!problems.isEmpty()) {
      System.err.println(
          "error: the evaluate-scores request has "
              + problems.size()
              + " problem(s):\n- "
              + String.join("\n- ", problems.stream().map(Uris::asOption).toList()));
      return 2;
    }
    String id = Launch.workflowId(workflowId, "evaluate", "scores");
    return Launch.connected(
        ctx,
        (service, client) -> {
          EvaluateScoresWorkflow wf =
              client.newWorkflowStub(
                  EvaluateScoresWorkflow.class,
                  Launch.options(
                      id,
                      "Realized performance of " + spec.scores() + " with " + spec.labels(),
                      "labels " + spec.labels() + " → scores " + spec.scores()));
          WorkflowClient.start(wf::evaluate, spec);
          return Launch.started(
              ctx,
              id,
              "trainyard/scoring",
              await,
              () ->
                  Follow.untilDone(
                      WorkflowStub.fromTyped(wf),
                      id,
                      "evaluate-scores run",
                      EvaluateScoresResult.class,
                      EvaluateScoresCommand::print));
        });
  }

  static void print(EvaluateScoresResult r) {
    for (EvaluateScoresResult.EvaluatedDay d : r.days()) {
      StringBuilder b = new StringBuilder(d.date() + "  " + d.model() + "  ");
      d.metrics().forEach((k, v) -> b.append(String.format(Locale.ROOT, "%s %.4f  ", k, v)));
      b.append("(").append(d.labelled()).append(" of ").append(d.scored()).append(" labelled)");
      System.out.println(b);
    }
    if (r.retrainWorkflowId() != null) {
      System.out.println("retraining:  started " + r.retrainWorkflowId());
    }
  }
}
