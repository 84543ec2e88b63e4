package dev.trainyard.app.cli;

import dev.trainyard.workflows.pipeline.PipelineResult;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import dev.trainyard.workflows.scoring.ScoringResult;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowStub;
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
          "Follow a training or scoring run to its end (progress line), or print where it stands with --once.")
  static final class Watch implements Callable<Integer> {
    @Mixin Context ctx;

    @Parameters(paramLabel = "WORKFLOW_ID")
    String id;

    @Option(names = "--once", description = "Print the current step and exit.")
    boolean once;

    @Override
    public Integer call() throws Exception {
      return Launch.connected(
          ctx,
          (service, client) -> {
            WorkflowStub stub = client.newUntypedWorkflowStub(id);
            System.out.println("Temporal UI: " + Links.workflow(ctx.stack().temporal(), id));
            if (once) {
              System.out.println(Follow.progressLine(stub));
              return 0;
            }
            String type = workflowType(service, ctx.stack().temporal().namespace(), id);
            if (type.equals("BatchScoringWorkflow")) {
              return Follow.untilDone(
                  stub, id, "scoring run", ScoringResult.class, ScoreCommand::print);
            }
            return Follow.untilDone(
                stub, id, "pipeline", PipelineResult.class, TrainCommand::print);
          });
    }
  }

  /** The run's workflow type, to know what its result looks like. */
  static String workflowType(WorkflowServiceStubs service, String namespace, String id) {
    return service
        .blockingStub()
        .describeWorkflowExecution(
            DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(namespace)
                .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id).build())
                .build())
        .getWorkflowExecutionInfo()
        .getType()
        .getName();
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
    public Integer call() throws Exception {
      return Launch.connected(
          ctx,
          (service, client) -> {
            client
                .newWorkflowStub(TrainingPipelineWorkflow.class, id)
                .decide(new TrainingPipelineWorkflow.Approval(!reject, by, comment));
            System.out.println((reject ? "rejected " : "approved ") + id);
            return 0;
          });
    }
  }
}
