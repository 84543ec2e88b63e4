package dev.trainyard.app.cli;

import dev.trainyard.app.config.TemporalClients;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Verbs on a running pipeline: watch it, and answer a manual gate. */
final class RunCommands {
  private RunCommands() {}

  @Command(
      name = "runs",
      mixinStandardHelpOptions = true,
      description =
          "Follow a training run to its end (progress line), or print where it stands with --once.")
  static final class Watch implements Callable<Integer> {
    @Mixin Context ctx;

    @Parameters(paramLabel = "WORKFLOW_ID")
    String id;

    @Option(names = "--once", description = "Print the current step and exit.")
    boolean once;

    @Override
    public Integer call() throws Exception {
      WorkflowServiceStubs service = TemporalClients.connect(ctx.stack().temporal());
      try {
        WorkflowClient client = TemporalClients.client(service, ctx.stack().temporal(), null);
        TrainingPipelineWorkflow wf = client.newWorkflowStub(TrainingPipelineWorkflow.class, id);
        System.out.println("Temporal UI: " + Links.workflow(ctx.stack().temporal(), id));
        if (once) {
          System.out.println(TrainCommand.progressLine(wf));
          return 0;
        }
        return TrainCommand.follow(wf, id);
      } finally {
        service.shutdown();
      }
    }
  }

  @Command(
      name = "approve",
      mixinStandardHelpOptions = true,
      description =
          "Answer a pipeline waiting at a manual gate (same as the 'decide' signal in the Temporal UI).")
  static final class Approve implements Callable<Integer> {
    @Mixin Context ctx;

    @Parameters(paramLabel = "WORKFLOW_ID")
    String id;

    @Option(names = "--reject", description = "Reject instead of approving.")
    boolean reject;

    @Option(
        names = "--by",
        paramLabel = "NAME",
        defaultValue = "${sys:user.name}",
        description = "Who decides (default: ${DEFAULT-VALUE}).")
    String by;

    @Option(names = "--comment", paramLabel = "TEXT", description = "Why.")
    String comment;

    @Override
    public Integer call() {
      WorkflowServiceStubs service = TemporalClients.connect(ctx.stack().temporal());
      try {
        WorkflowClient client = TemporalClients.client(service, ctx.stack().temporal(), null);
        client
            .newWorkflowStub(TrainingPipelineWorkflow.class, id)
            .decide(new TrainingPipelineWorkflow.Approval(!reject, by, comment));
        System.out.println((reject ? "rejected " : "approved ") + id);
        return 0;
      } finally {
        service.shutdown();
      }
    }
  }
}
