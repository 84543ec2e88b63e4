package dev.trainyard.app.cli;

import dev.trainyard.app.config.TemporalClients;
import dev.trainyard.workflows.TaskQueues;
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

  /** Options of a run on the control queue, with the one-line summary the Temporal UI shows. */
  static WorkflowOptions options(String id, String summary) {
    return WorkflowOptions.newBuilder()
        .setTaskQueue(TaskQueues.CONTROL)
        .setWorkflowId(id)
        .setStaticSummary(summary)
        .build();
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
