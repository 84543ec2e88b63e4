package dev.trainyard.app.cli;

import dev.trainyard.app.config.TemporalClients;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.scoring.ScoringSpec;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Starting runs from the terminal, the same way in every command: connect to Temporal, name the
 * run, start it on the control queue, print its id and UI links, then follow it or say how to.
 */
final class Launch {
  private Launch() {}

  /** What a command does while connected. */
  interface Connected {
    int run(WorkflowServiceStubs service, WorkflowClient client) throws Exception;
  }

  /** A run to follow once it has started. */
  interface Following {
    int follow() throws Exception;
  }

  /** Connects to the configured Temporal, runs {@code body}, and always disconnects. */
  static int connected(Context ctx, Connected body) throws Exception {
    WorkflowServiceStubs service = TemporalClients.connect(ctx.config());
    try {
      return body.run(service, TemporalClients.client(service, ctx.stack().temporal(), null));
    } finally {
      service.shutdown();
    }
  }

  /** The user's workflow id, else {@code KIND-NAME-yyyyMMdd-HHmmss} (UTC). */
  static String workflowId(String given, String kind, String name) {
    if (given != null) {
      return given;
    }
    return kind
        + "-"
        + name
        + "-"
        + LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
  }

  /**
   * Options of a run on the control queue, with the one-line summary and the details (Markdown) the
   * Temporal UI shows on the run's page (its user metadata).
   */
  static WorkflowOptions options(String id, String summary, String details) {
    return WorkflowOptions.newBuilder()
        .setTaskQueue(TaskQueues.CONTROL)
        .setWorkflowId(id)
        .setStaticSummary(summary)
        .setStaticDetails(details)
        .build();
  }

  /** What a training run is, in words: the run page's static details. URIs only, no secrets. */
  static String details(PipelineSpec spec) {
    return "Training pipeline **"
        + spec.name()
        + "** → registered model **"
        + spec.registeredModel()
        + "**\n\n"
        + "- dataset: `"
        + spec.dataset().uri()
        + "`\n- task: "
        + spec.task()
        + ", label `"
        + spec.label()
        + "`\n- model: "
        + (spec.model() == null || spec.model().type() == null ? "mlp" : spec.model().type())
        + (spec.trials() == null ? "" : " (trial search)")
        + "\n- MLflow experiment: `trainyard/"
        + spec.name()
        + "`";
  }

  /** What a scoring run is, in words: the run page's static details. */
  static String details(ScoringSpec spec) {
    return "Batch scoring with **"
        + spec.model()
        + "**\n\n- input: `"
        + spec.input()
        + "`\n- output: `"
        + spec.output()
        + "`"
        + (spec.keys() == null || spec.keys().isEmpty()
            ? ""
            : "\n- keys: " + String.join(", ", spec.keys()))
        + (spec.retrain() == null ? "" : "\n- retrains when max PSI > " + spec.retrain().maxPsi());
  }

  /**
   * Prints the started run's id and links to both UIs, then follows it ({@code await}) or prints
   * how to.
   *
   * @param experiment the MLflow experiment the run logs to
   * @return the exit code
   */
  static int started(Context ctx, String id, String experiment, boolean await, Following following)
      throws Exception {
    System.out.println("workflow:    " + id);
    System.out.println("Temporal UI: " + Links.workflow(ctx.stack().temporal(), id));
    System.out.println(
        "MLflow UI:   " + Links.experiment(ctx.stack().mlflowTrackingUri(), experiment));
    if (!await) {
      System.out.println("follow it:   ./trainyard runs " + id + "  (or the Temporal UI)");
      return 0;
    }
    return following.follow();
  }
}
