package dev.trainyard.app.cli;

import dev.trainyard.app.demo.ChurnData;
import dev.trainyard.app.spec.PipelineSpecFile;
import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.stack.LocalStack;
import dev.trainyard.stack.ServiceStatus;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.check.WorkerAnswer;
import dev.trainyard.workflows.check.WorkerCheckRequest;
import dev.trainyard.workflows.check.WorkerCheckResult;
import dev.trainyard.workflows.check.WorkerCheckWorkflow;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "The whole loop on this machine: bring up the local stack, start a worker, check every",
      "task queue, generate the demo churn dataset (if absent), train it to a champion in",
      "MLflow with examples/churn/pipeline.yaml, and print the links to both UIs."
    })
public final class DemoCommand implements Callable<Integer> {
  @Mixin Context ctx;

  @Override
  public Integer call() throws Exception {
    System.err.println("[1/4] local stack");
    LocalStack stack = DevCommand.stack(ctx);
    List<ServiceStatus> statuses = stack.up(true);
    statuses.forEach(
        st -> System.err.println("  " + st.title() + ": ready (" + DevCommand.origin(st) + ")"));

    System.err.println("[2/4] worker on " + String.join(", ", TaskQueues.ALL));
    try (TrainyardWorker worker = new TrainyardWorker(ctx.stack(), TaskQueues.ALL)) {
      worker.start();
      String workflowId = "trainyard-demo-worker-check-" + System.currentTimeMillis();
      System.err.println("[3/4] worker check workflow " + workflowId);
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
      if (!result.allServed()) {
        return 1;
      }

      Path data = ctx.stack().stateDir().resolve("demo/churn.parquet");
      if (!Files.exists(data.resolve("_SUCCESS"))) {
        System.err.println("[4/4] generating the demo dataset (100,000 rows) at " + data);
        ChurnData.write(data.toUri().toString(), 100_000, 42);
      } else {
        System.err.println("[4/4] demo dataset " + data);
      }
      PipelineSpec loaded =
          PipelineSpecFile.load(Context.home().resolve("examples/churn/pipeline.yaml"));
      PipelineSpec spec =
          loaded.withDataset(new PipelineSpec.Dataset(data.toUri().toString(), "parquet"));
      String trainId = "train-demo-" + System.currentTimeMillis();
      System.err.println("      training pipeline " + trainId);
      TrainingPipelineWorkflow train =
          worker
              .client()
              .newWorkflowStub(
                  TrainingPipelineWorkflow.class,
                  WorkflowOptions.newBuilder()
                      .setTaskQueue(TaskQueues.CONTROL)
                      .setWorkflowId(trainId)
                      .setStaticSummary("Demo: train churn → churn-classifier")
                      .build());
      WorkflowClient.start(train::run, spec);
      int code = TrainCommand.follow(train, trainId);

      PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
      DevCommand.printUis(out, statuses);
      out.println("Worker check: " + Links.workflow(ctx.stack().temporal(), workflowId));
      out.println("Training run: " + Links.workflow(ctx.stack().temporal(), trainId));
      out.println(
          "Model:        "
              + ctx.stack().mlflowTrackingUri().toString().replaceAll("/+$", "")
              + "/#/models/"
              + spec.registeredModel());
      out.println("Lineage:      ./trainyard lineage " + spec.registeredModel() + "@champion");
      return code;
    }
  }
}
