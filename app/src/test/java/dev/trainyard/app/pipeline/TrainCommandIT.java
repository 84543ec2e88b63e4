package dev.trainyard.app.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.app.cli.Cli;
import dev.trainyard.app.demo.ChurnData;
import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.testing.TemporalExtension;
import dev.trainyard.testing.TemporalServer;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** `trainyard train --wait` and `trainyard approve` as a user runs them, on the real services. */
@ExtendWith({TemporalExtension.class, MlflowExtension.class})
class TrainCommandIT {

  @Test
  void trainWaitsAtAManualGateUntilApproveIsSentThenReportsThePromotion(
      TemporalServer temporal, MlflowServer mlflow) throws Exception {
    StackConfig config = PipelineStack.config(temporal, mlflow);
    Path data = config.stateDir().resolve("churn.parquet");
    ChurnData.write(data.toUri().toString(), 3000, 21);
    String model = "cli-" + UUID.randomUUID();
    String yaml =
        Files.readString(PipelineStack.home().resolve("examples/churn/pipeline.yaml"))
            .replace("file:///tmp/trainyard-demo/churn.parquet", data.toUri().toString())
            .replace("registeredModel: churn-classifier", "registeredModel: " + model)
            .replace("epochs: 8", "epochs: 2")
            .replace(
                "minImprovement: {metric: roc_auc, absolute: 0.0}",
                "manual: true\n  approvalTimeout: PT10M");
    Path spec = Files.writeString(config.stateDir().resolve("pipeline.yaml"), yaml);
    Map<String, String> env =
        Map.of(
            "TEMPORAL_ADDRESS", temporal.address(),
            "TEMPORAL_NAMESPACE", temporal.namespace(),
            "TRAINYARD_TEMPORAL_UI_URL", temporal.uiUri().toString(),
            "MLFLOW_TRACKING_URI", mlflow.trackingUri().toString(),
            "AWS_ENDPOINT_URL_S3", mlflow.s3().endpoint().toString(),
            "AWS_ACCESS_KEY_ID", mlflow.s3().accessKeyId(),
            "AWS_SECRET_ACCESS_KEY", mlflow.s3().secretAccessKey(),
            "TRAINYARD_STATE_DIR", config.stateDir().toString());
    String id = "cli-train-" + UUID.randomUUID();
    Path out = config.stateDir().resolve("train.out");
    Path err = config.stateDir().resolve("train.err");

    try (TrainyardWorker worker = PipelineStack.worker(config)) {
      Process train =
          Cli.command(env, "train", "--pipeline", spec.toString(), "--wait", "--id", id)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      try {
        TrainingPipelineWorkflow wf =
            worker.client().newWorkflowStub(TrainingPipelineWorkflow.class, id);
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (!stepOf(wf).equals("awaiting approval")) {
          assertTrue(
              System.nanoTime() < deadline,
              "never reached the manual gate: " + Files.readString(err));
          assertTrue(train.isAlive(), "train --wait exited early: " + Files.readString(err));
          Thread.sleep(500);
        }

        Cli.Result approve =
            Cli.run(env, "approve", id, "--by", "ana", "--comment", "metrics look right");

        assertEquals(0, approve.exitCode(), approve.stderr());
        assertEquals("approved " + id, approve.stdout().strip());
        assertTrue(train.waitFor(3, TimeUnit.MINUTES), "train --wait did not end");
        assertEquals(0, train.exitValue(), Files.readString(err));
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(stdout)
            .contains("workflow:    " + id)
            .contains(
                "Temporal UI: "
                    + temporal.uiUri()
                    + "/namespaces/"
                    + temporal.namespace()
                    + "/workflows/"
                    + id)
            .contains("outcome:     promoted " + model + "/1")
            .contains("gate: approved by ana: metrics look right");
        // The live progress line (sampled every 2 s, so short steps may not show) showed where the
        // run waited, and went on after the approval.
        assertThat(Files.readString(err, StandardCharsets.UTF_8))
            .contains("[awaiting approval] send the 'decide' signal within PT10M");
      } finally {
        train.destroyForcibly();
      }
    }
  }

  private static String stepOf(TrainingPipelineWorkflow wf) {
    try {
      return wf.progress().step();
    } catch (RuntimeException notStartedYet) {
      return "";
    }
  }
}
