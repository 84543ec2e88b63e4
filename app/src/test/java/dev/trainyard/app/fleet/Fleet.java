package dev.trainyard.app.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.app.demo.ChurnData;
import dev.trainyard.app.pipeline.PipelineStack;
import dev.trainyard.app.spec.PipelineSpecFile;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.testing.TemporalServer;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.PipelineResult;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What the fleet ITs share: worker environments, a small training run, its lineage. */
final class Fleet {
  static final List<String> STEPS =
      List.of("validate", "features", "train", "evaluate", "register");

  private Fleet() {}

  /** The environment a worker process gets to reach the test's Temporal, MLflow and S3. */
  static Map<String, String> env(TemporalServer temporal, MlflowServer mlflow, StackConfig c) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("TEMPORAL_ADDRESS", temporal.address());
    env.put("TEMPORAL_NAMESPACE", temporal.namespace());
    env.put("TRAINYARD_TEMPORAL_UI_URL", temporal.uiUri().toString());
    env.put("MLFLOW_TRACKING_URI", mlflow.trackingUri().toString());
    env.put("AWS_ENDPOINT_URL_S3", mlflow.s3().endpoint().toString());
    env.put("AWS_ACCESS_KEY_ID", mlflow.s3().accessKeyId());
    env.put("AWS_SECRET_ACCESS_KEY", mlflow.s3().secretAccessKey());
    // The split workers share one state folder, as machines would share a file system for the
    // lake and scratch space (see app/README.md, "Worker fleets").
    env.put("TRAINYARD_STATE_DIR", c.stateDir().toString());
    return env;
  }

  static WorkflowClient client(WorkflowServiceStubs service, TemporalServer temporal) {
    return WorkflowClient.newInstance(
        service, WorkflowClientOptions.newBuilder().setNamespace(temporal.namespace()).build());
  }

  static WorkflowServiceStubs service(TemporalServer temporal) {
    return WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.address()).build());
  }

  /** A small churn pipeline (as in TrainingPipelineIT, fewer rows and epochs). */
  static PipelineSpec churnSpec(StackConfig config, String model) throws Exception {
    String churn = config.stateDir().resolve("data/churn.parquet").toUri().toString();
    ChurnData.write(churn, 3000, 11);
    PipelineSpec demo =
        PipelineSpecFile.load(PipelineStack.home().resolve("examples/churn/pipeline.yaml"));
    return demo.withDataset(new PipelineSpec.Dataset(churn, "parquet"))
        .withRegisteredModel(model)
        .withModel(
            PipelineSpec.Model.builder()
                .optType("mlp")
                .optHiddenLayers(List.of(16))
                .optEpochs(3)
                .optBatchSize(256)
                .optLearningRate(0.01)
                .optEarlyStoppingPatience(2)
                .optDevice("auto")
                .optSeed(7L)
                .build());
  }

  static PipelineResult train(WorkflowClient client, PipelineSpec spec) {
    TrainingPipelineWorkflow wf =
        client.newWorkflowStub(
            TrainingPipelineWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.CONTROL)
                .setWorkflowId("fleet-" + UUID.randomUUID())
                .setWorkflowExecutionTimeout(Duration.ofMinutes(8))
                .build());
    return wf.run(spec);
  }

  /** Each step's {@code lineage/<step>.json}, downloaded from the pipeline's MLflow run. */
  static Map<String, JsonNode> lineage(MlflowServer server, String runId, Path scratch)
      throws Exception {
    try (MlflowClient mlflow = PipelineStack.mlflow(server)) {
      String root = mlflow.tracking().getRun(runId).info().artifactUri();
      Path dir = mlflow.artifacts().download(root, "lineage", scratch.resolve("lineage-" + runId));
      Map<String, JsonNode> byStep = new LinkedHashMap<>();
      for (String step : STEPS) {
        byStep.put(step, new ObjectMapper().readTree(dir.resolve(step + ".json").toFile()));
      }
      return byStep;
    }
  }

  static String awaitLog(Path log, String text, Process p) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      String s = Files.readString(log, StandardCharsets.UTF_8);
      if (s.contains(text)) {
        return s;
      }
      if (!p.isAlive()) {
        throw new AssertionError(
            "worker exited (" + p.exitValue() + ") before '" + text + "': " + s);
      }
      Thread.sleep(200);
    }
    throw new AssertionError("worker never logged '" + text + "': " + Files.readString(log));
  }
}
