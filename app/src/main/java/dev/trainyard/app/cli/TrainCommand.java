package dev.trainyard.app.cli;

import dev.trainyard.app.spec.PipelineSpecFile;
import dev.trainyard.workflows.pipeline.PipelineResult;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import io.temporal.client.WorkflowStub;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Start a training pipeline from a spec (YAML or JSON).",
      "It validates, builds features, trains, evaluates, gates and registers; prints the",
      "workflow id and links to both UIs."
    })
public final class TrainCommand implements Callable<Integer> {
  @Mixin Context ctx;

  @Option(
      names = "--pipeline",
      required = true,
      paramLabel = "FILE",
      description = "Pipeline spec.")
  Path pipeline;

  @Option(names = "--wait", description = "Follow the run with a progress line until it ends.")
  boolean await;

  @Option(
      names = "--id",
      paramLabel = "WORKFLOW_ID",
      description = "Workflow id (default: train-NAME-TIMESTAMP).")
  String workflowId;

  @Override
  public Integer call() throws Exception {
    PipelineSpec spec = PipelineSpecFile.load(pipeline);
    String id = Launch.workflowId(workflowId, "train", spec.name());
    return Launch.start(
        ctx,
        TrainingPipelineWorkflow.class,
        Launch.options(
            id, "Train " + spec.name() + " → " + spec.registeredModel(), Launch.details(spec)),
        spec,
        "trainyard/" + spec.name(),
        await,
        "pipeline",
        PipelineResult.class,
        TrainCommand::print);
  }

  static int follow(TrainingPipelineWorkflow wf, String id) throws Exception {
    return Follow.untilDone(
        WorkflowStub.fromTyped(wf), id, "pipeline", PipelineResult.class, TrainCommand::print);
  }

  static void print(PipelineResult r) {
    System.out.println(
        "outcome:     " + r.outcome() + " " + r.registeredModel() + "/" + r.version());
    if (r.previousChampion() != null) {
      System.out.println(
          "previous champion: version "
              + r.previousChampion()
              + " (./trainyard rollback "
              + r.registeredModel()
              + ")");
    }
    System.out.println("test metrics: " + new TreeMap<>(r.testMetrics()));
    System.out.println("feature cache: " + (r.featureCacheHit() ? "hit" : "miss"));
    r.gateReasons().forEach(g -> System.out.println("gate: " + g));
  }
}
