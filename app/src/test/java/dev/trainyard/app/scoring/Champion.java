package dev.trainyard.app.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.trainyard.app.demo.ChurnData;
import dev.trainyard.app.pipeline.PipelineStack;
import dev.trainyard.app.spec.PipelineSpecFile;
import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.PipelineResult;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import io.temporal.client.WorkflowOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/** A small churn model trained by the real pipeline to version 1 with alias {@code champion}. */
record Champion(String model, PipelineSpec spec) {
  static Champion train(TrainyardWorker worker, Path dir) throws Exception {
    Path training = dir.resolve("churn-training.parquet");
    ChurnData.write(training.toUri().toString(), 4000, 11);
    String model = "score-" + UUID.randomUUID();
    PipelineSpec spec =
        PipelineSpecFile.load(PipelineStack.home().resolve("examples/churn/pipeline.yaml"))
            .withDataset(new PipelineSpec.Dataset(training.toUri().toString(), "parquet"))
            .withRegisteredModel(model)
            .withModel(
                PipelineSpec.Model.builder()
                    .optType("mlp")
                    .optHiddenLayers(List.of(16))
                    .optEpochs(2)
                    .optBatchSize(256)
                    .optLearningRate(0.01)
                    .optEarlyStoppingPatience(2)
                    .optDevice("auto")
                    .optSeed(7L)
                    .build());
    PipelineResult trained =
        worker
            .client()
            .newWorkflowStub(
                TrainingPipelineWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setTaskQueue(TaskQueues.CONTROL)
                    .setWorkflowId("it-train-" + UUID.randomUUID())
                    .build())
            .run(spec);
    assertEquals("promoted", trained.outcome());
    assertEquals("1", trained.version());
    return new Champion(model, spec);
  }
}
