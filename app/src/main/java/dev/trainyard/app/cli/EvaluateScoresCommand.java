package dev.trainyard.app.cli;

import dev.trainyard.app.spec.PipelineSpecFile;
import dev.trainyard.workflows.scoring.EvaluateScoresResult;
import dev.trainyard.workflows.scoring.EvaluateScoresSpec;
import dev.trainyard.workflows.scoring.EvaluateScoresWorkflow;
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

  @Option(
      names = "--scores",
      paramLabel = "URI",
      description =
          "The published scoring output (a score run's --output), e.g. lake/scores/{date}.")
  String scores;

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

  @Mixin Realized realized;

  @Option(names = "--wait", description = "Follow the run until it ends and print the days.")
  boolean await;

  @Option(
      names = "--id",
      paramLabel = "WORKFLOW_ID",
      description = "Workflow id (default: evaluate-scores-TIMESTAMP).")
  String workflowId;

  /**
   * The realized-performance options of an evaluate-scores request, shared with {@code schedule
   * create --evaluate-scores} (which names the scores, keys and retraining pipeline its own way).
   */
  static final class Realized {
    @Option(
        names = "--labels",
        paramLabel = "URI",
        description =
            "Realized performance: the true values, Parquet or CSV with a header (*.csv); may"
                + " hold {date}.")
    String labels;

    @Option(
        names = "--label",
        paramLabel = "COLUMN",
        description = "Realized performance: the labels' column holding the true value.")
    String label;

    @Option(
        names = "--retrain-metric",
        paramLabel = "NAME",
        defaultValue = "accuracy",
        description =
            "Realized performance: the metric to watch: accuracy (default), roc_auc, log_loss,"
                + " macro_f1, mae, rmse, …")
    String retrainMetric;

    @Option(
        names = "--retrain-min",
        paramLabel = "VALUE",
        description =
            "Realized performance: retrain when the metric is below this (accuracy 0.75).")
    Double retrainMin;

    @Option(
        names = "--retrain-max",
        paramLabel = "VALUE",
        description = "Realized performance: retrain when the metric is above this (mae, rmse).")
    Double retrainMax;

    /**
     * The request, with every problem (of the command line and of the spec) added to {@code
     * problems}.
     *
     * @param dates days typed on the command line (checked here); empty: the run's day
     * @param labelDelayDays a schedule's delay, or null
     */
    EvaluateScoresSpec spec(
        String scores,
        List<String> keys,
        List<String> dates,
        Path retrainPipeline,
        Integer labelDelayDays,
        List<String> problems) {
      if (retrainPipeline == null && (retrainMin != null || retrainMax != null)) {
        problems.add("--retrain-min/--retrain-max: need --retrain-pipeline FILE (what to train)");
      }
      List<String> days = new ArrayList<>();
      for (String d : dates) {
        try {
          days.add(ScheduleCommands.day("--date", d).toString());
        } catch (IllegalArgumentException e) {
          problems.add(e.getMessage());
        }
      }
      EvaluateScoresSpec.Retrain retrain =
          retrainPipeline == null
              ? null
              : new EvaluateScoresSpec.Retrain(
                  retrainMetric, retrainMin, retrainMax, PipelineSpecFile.load(retrainPipeline));
      EvaluateScoresSpec spec =
          EvaluateScoresSpec.of(
                  Uris.absolute(scores), Uris.absolute(labels), keys, label, days, retrain)
              .withLabelDelayDays(labelDelayDays);
      problems.addAll(spec.problems());
      return spec;
    }
  }

  @Override
  public Integer call() throws Exception {
    List<String> problems = new ArrayList<>();
    EvaluateScoresSpec spec = realized.spec(scores, keys, dates, retrainPipeline, null, problems);
    if (Launch.refused("evaluate-scores", problems)) {
      return 2;
    }
    String id = Launch.workflowId(workflowId, "evaluate", "scores");
    return Launch.start(
        ctx,
        EvaluateScoresWorkflow.class,
        Launch.options(
            id,
            "Realized performance of " + spec.scores() + " with " + spec.labels(),
            "labels " + spec.labels() + " → scores " + spec.scores()),
        spec,
        "trainyard/scoring",
        await,
        "evaluate-scores run",
        EvaluateScoresResult.class,
        EvaluateScoresCommand::print);
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
