package dev.trainyard.app.cli;

import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.stack.LocalStack;
import dev.trainyard.stack.ServiceStatus;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.check.WorkerAnswer;
import dev.trainyard.workflows.check.WorkerCheckRequest;
import dev.trainyard.workflows.check.WorkerCheckResult;
import dev.trainyard.workflows.check.WorkerCheckWorkflow;
import io.temporal.client.WorkflowOptions;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "The whole loop on this machine: bring up the local stack, start a worker, run a",
      "workflow through every task queue, and print the links to the Temporal and MLflow UIs.",
      "(Training, registration and scoring join the demo as those pipelines land.)"
    })
public final class DemoCommand implements Callable<Integer> {
  @Mixin Context ctx;

  @Override
  public Integer call() {
    System.err.println("[1/3] local stack");
    LocalStack stack = DevCommand.stack(ctx);
    List<ServiceStatus> statuses = stack.up(true);
    statuses.forEach(
        st -> System.err.println("  " + st.title() + ": ready (" + DevCommand.origin(st) + ")"));

    System.err.println("[2/3] worker on " + String.join(", ", TaskQueues.ALL));
    try (TrainyardWorker worker = new TrainyardWorker(ctx.stack(), TaskQueues.ALL)) {
      worker.start();
      String workflowId = "trainyard-demo-worker-check-" + System.currentTimeMillis();
      System.err.println("[3/3] worker check workflow " + workflowId);
      WorkerCheckWorkflow check =
          worker
              .client()
              .newWorkflowStub(
                  WorkerCheckWorkflow.class,
                  WorkflowOptions.newBuilder()
                      .setTaskQueue(TaskQueues.CONTROL)
                      .setWorkflowId(workflowId)
                      .setWorkflowExecutionTimeout(Duration.ofMinutes(5))
                      .build());
      WorkerCheckResult result = check.check(new WorkerCheckRequest(TaskQueues.ALL, 0, 60));
      for (WorkerAnswer a : result.answers()) {
        System.err.println(
            "  "
                + a.queue()
                + ": "
                + (a.served()
                    ? "served by "
                        + a.worker()
                        + (a.device() == null ? "" : ", device " + a.device())
                    : a.problem()));
      }
      PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
      DevCommand.printUis(out, statuses);
      out.println("Workflow:     " + Links.workflow(ctx.stack().temporal(), workflowId));
      return result.allServed() ? 0 : 1;
    }
  }
}
