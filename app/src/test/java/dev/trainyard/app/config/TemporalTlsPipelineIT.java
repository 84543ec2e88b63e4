package dev.trainyard.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.app.demo.ChurnData;
import dev.trainyard.app.spec.PipelineSpecFile;
import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.MlflowConfig;
import dev.trainyard.testing.AuthMlflowExtension;
import dev.trainyard.testing.AuthMlflowServer;
import dev.trainyard.testing.Checkout;
import dev.trainyard.testing.TemporalExtension;
import dev.trainyard.testing.TemporalServer;
import dev.trainyard.testing.TestCertificates;
import dev.trainyard.testing.TlsProxy;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.PipelineResult;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small training pipeline on the demo data with Temporal reached only over mutual TLS and an
 * MLflow that requires a user (its basic-auth app): the worker and the client get every setting
 * from environment variables (Temporal's, MLflow's, the AWS SDK's), as a deployment passes them,
 * and the real dev server sits behind {@link TlsProxy}.
 */
@ExtendWith({TemporalExtension.class, AuthMlflowExtension.class})
class TemporalTlsPipelineIT {
  @TempDir Path dir;

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES) // a hang guard, not a speed check
  void aPipelineTrainsAndRegistersAModelOverMutualTls(
      TemporalServer temporal, AuthMlflowServer mlflowServer) throws Exception {
    TestCertificates certs = TestCertificates.create(dir.resolve("pki"));
    int plainPort =
        Integer.parseInt(temporal.address().substring(temporal.address().lastIndexOf(':') + 1));
    Path emptyToml = Files.writeString(dir.resolve("temporal.toml"), "");
    Map<String, String> env = new HashMap<>();
    env.put("TEMPORAL_NAMESPACE", temporal.namespace());
    env.put("TEMPORAL_CONFIG_FILE", emptyToml.toString());
    env.put("TEMPORAL_TLS_SERVER_CA_CERT_PATH", certs.caCert().toString());
    env.put("TEMPORAL_TLS_CLIENT_CERT_PATH", certs.clientCert().toString());
    env.put("TEMPORAL_TLS_CLIENT_KEY_PATH", certs.clientKey().toString());
    env.put("MLFLOW_TRACKING_URI", mlflowServer.trackingUri().toString());
    // MLflow with its basic-auth app: every call of the worker and the client signs in.
    env.put("MLFLOW_TRACKING_USERNAME", mlflowServer.adminUsername());
    env.put("MLFLOW_TRACKING_PASSWORD", mlflowServer.adminPassword());
    env.put("AWS_ENDPOINT_URL_S3", mlflowServer.s3().endpoint().toString());
    env.put("AWS_REGION", mlflowServer.s3().region());
    env.put("AWS_ACCESS_KEY_ID", mlflowServer.s3().accessKeyId());
    env.put("AWS_SECRET_ACCESS_KEY", mlflowServer.s3().secretAccessKey());
    env.put("TRAINYARD_LAKE_BUCKET", mlflowServer.s3().lakeBucket());
    env.put("TRAINYARD_ARTIFACT_BUCKET", mlflowServer.s3().artifactBucket());
    env.put("TRAINYARD_STATE_DIR", dir.resolve("state").toString());

    try (TlsProxy proxy = TlsProxy.start(certs.serverContext(), plainPort)) {
      env.put("TEMPORAL_ADDRESS", proxy.address());
      TrainyardConfig config = TrainyardConfig.load(Checkout.root(), null, env);
      assertTrue(config.temporalConnection().clientCert());

      String churn = dir.resolve("churn.parquet").toUri().toString();
      String model = "tls-" + UUID.randomUUID().toString().substring(0, 8);
      PipelineSpec spec =
          PipelineSpecFile.load(Checkout.root().resolve("examples/churn/pipeline.yaml"))
              .withDataset(new PipelineSpec.Dataset(churn, "parquet"))
              .withRegisteredModel(model)
              .withModel(
                  PipelineSpec.Model.builder()
                      .optType("mlp")
                      .optHiddenLayers(List.of(8))
                      .optEpochs(2)
                      .optBatchSize(256)
                      .optLearningRate(0.01)
                      .optEarlyStoppingPatience(1)
                      .optDevice("auto")
                      .optSeed(7L)
                      .build());

      try (TrainyardWorker worker = new TrainyardWorker(config, TaskQueues.ALL);
          MlflowClient mlflow =
              new MlflowClient(MlflowConfig.fromEnvironment(mlflowServer.trackingUri(), env))) {
        // After the worker: it sets up the process's Spark session for the lake, as in the other
        // pipeline ITs.
        ChurnData.write(churn, 1000, 11);
        worker.start();
        WorkflowServiceStubs service = TemporalClients.connect(config);
        try {
          WorkflowClient client = TemporalClients.client(service, config.stack().temporal(), null);
          PipelineResult result =
              client
                  .newWorkflowStub(
                      TrainingPipelineWorkflow.class,
                      WorkflowOptions.newBuilder()
                          .setTaskQueue(TaskQueues.CONTROL)
                          .setWorkflowId("tls-pipeline-" + UUID.randomUUID())
                          .build())
                  .run(spec);

          // Whether this tiny model beats the promotion gate is not the point: it was trained,
          // evaluated and registered, every step scheduled through the TLS connection.
          assertThat(result.outcome()).isIn("promoted", "registered");
          assertEquals("1", result.version());
          assertThat(mlflow.registry().listModelVersions(model)).hasSize(1);
        } finally {
          service.shutdown();
        }
      }
    }
  }
}
