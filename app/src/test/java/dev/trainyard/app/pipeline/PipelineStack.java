package dev.trainyard.app.pipeline;

import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.testing.TemporalServer;
import dev.trainyard.workflows.TaskQueues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A worker on all three queues against the test JVM's real Temporal, MLflow and S3. */
public final class PipelineStack {
  public static StackConfig config(TemporalServer temporal, MlflowServer mlflow)
      throws IOException {
    Path home = home();
    Path state =
        Files.createTempDirectory(
            Files.createDirectories(Path.of("target").toAbsolutePath()), "pipeline-");
    return new StackConfig(
        home,
        state,
        home.resolve(".trainyard/tools"),
        new StackConfig.TemporalEndpoint(
            temporal.address().substring(0, temporal.address().lastIndexOf(':')),
            Integer.parseInt(temporal.address().substring(temporal.address().lastIndexOf(':') + 1)),
            temporal.namespace(),
            temporal.uiUri()),
        mlflow.trackingUri(),
        new StackConfig.S3Endpoint(
            mlflow.s3().endpoint(),
            mlflow.s3().region(),
            mlflow.s3().accessKeyId(),
            mlflow.s3().secretAccessKey(),
            mlflow.s3().lakeBucket(),
            mlflow.s3().artifactBucket()));
  }

  public static TrainyardWorker worker(StackConfig config) {
    TrainyardWorker w = new TrainyardWorker(config, TaskQueues.ALL);
    w.start();
    return w;
  }

  public static MlflowClient mlflow(MlflowServer server) {
    return new MlflowClient(server.trackingUri());
  }

  public static Path home() {
    return dev.trainyard.testing.Checkout.root();
  }

  private PipelineStack() {}
}
