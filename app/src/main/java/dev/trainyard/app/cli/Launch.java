package dev.trainyard.app.cli;

import dev.trainyard.app.config.TemporalClients;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.scoring.ScoringSpec;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Consumer;

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

  /**
   * Prints a request's problems the one way every command does ("error: the scoring request has 2
   * problem(s): ..."), spec field names spelled as the options.
   *
   * @param request what was asked for, in words ("scoring", "evaluate-scores")
   * @return true when there were problems: the command exits 2
   */
  static boolean refused(String request, List<String> problems) {
    if (problems.isEmpty()) {
      return false;
    }
    System.err.println(
        "error: the "
            + request
            + " request has "
            + problems.size()
            + " problem(s):\n- "
            + String.join("\n- ", problems.stream().map(Uris::asOption).toList()));
    return true;
  }

  /**
   * Starts {@code workflow} with {@code argument} on the control queue, prints its id and links,
   * then follows it ({@code await}: a progress line, then {@code print} of its result) or says how
   * to.
   *
   * @param experiment the MLflow experiment the run logs to
   * @param what the kind of run in messages ("scoring run")
   * @return the exit code
   */
  static <W, R> int start(
      Context ctx,
      Class<W> workflow,
      WorkflowOptions options,
      Object argument,
      String experiment,
      boolean await,
      String what,
      Class<R> result,
      Consumer<R> print)
      throws Exception {
    return connected(
        ctx,
        (service, client) -> {
          WorkflowStub stub = WorkflowStub.fromTyped(client.newWorkflowStub(workflow, options));
          stub.start(argument);
          String id = options.getWorkflowId();
          return started(
              ctx, id, experiment, await, () -> Follow.untilDone(stub, id, what, result, print));
        });
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
