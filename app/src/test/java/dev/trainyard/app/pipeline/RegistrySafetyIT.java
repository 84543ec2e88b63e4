package dev.trainyard.app.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.app.cli.Cli;
import dev.trainyard.app.demo.ChurnData;
import dev.trainyard.app.spec.PipelineSpecFile;
import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.ModelVersion;
import dev.trainyard.registry.ModelVersionSpec;
import dev.trainyard.registry.Run;
import dev.trainyard.registry.RunSpec;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.testing.TemporalExtension;
import dev.trainyard.testing.TemporalServer;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.PipelineResult;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Registration and promotion cannot pick the wrong model, on the real Temporal dev server, MLflow
 * and S3: a reused workflow id registers its own version, a champion moved while a run waited for
 * approval is not overwritten, and every alias move is listed by {@code models NAME --history}.
 */
@ExtendWith({TemporalExtension.class, MlflowExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistrySafetyIT {
  private StackConfig config;
  private TrainyardWorker worker;
  private MlflowClient mlflow;
  private String churn;
  private Map<String, String> cliEnv;

  @BeforeAll
  void start(TemporalServer temporal, MlflowServer mlflowServer) throws Exception {
    config = PipelineStack.config(temporal, mlflowServer);
    worker = PipelineStack.worker(config);
    mlflow = PipelineStack.mlflow(mlflowServer);
    Path data = Files.createDirectories(config.stateDir().resolve("data"));
    churn = data.resolve("churn.parquet").toUri().toString();
    ChurnData.write(churn, 3000, 13);
    cliEnv =
        Map.of(
            "TEMPORAL_ADDRESS", temporal.address(),
            "TEMPORAL_NAMESPACE", temporal.namespace(),
            "MLFLOW_TRACKING_URI", mlflowServer.trackingUri().toString(),
            "AWS_ENDPOINT_URL_S3", mlflowServer.s3().endpoint().toString(),
            "AWS_ACCESS_KEY_ID", mlflowServer.s3().accessKeyId(),
            "AWS_SECRET_ACCESS_KEY", mlflowServer.s3().secretAccessKey(),
            "TRAINYARD_STATE_DIR", config.stateDir().toString());
  }

  @AfterAll
  void stop() {
    worker.close();
    mlflow.close();
  }

  private PipelineSpec spec(String model) throws Exception {
    PipelineSpec demo =
        PipelineSpecFile.load(PipelineStack.home().resolve("examples/churn/pipeline.yaml"));
    return demo.withDataset(new PipelineSpec.Dataset(churn, "parquet"))
        .withRegisteredModel(model)
        .withTrials(null)
        .withModel(
            PipelineSpec.Model.builder()
                .optType("mlp")
                .optHiddenLayers(List.of(8))
                .optEpochs(2)
                .optBatchSize(256)
                .optLearningRate(0.01)
                .optEarlyStoppingPatience(2)
                .optDevice("cpu")
                .optSeed(7L)
                .build());
  }

  private TrainingPipelineWorkflow pipeline(String workflowId) {
    return worker
        .client()
        .newWorkflowStub(
            TrainingPipelineWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.CONTROL)
                .setWorkflowId(workflowId)
                .build());
  }

  @Test
  void theSameWorkflowIdRunTwiceRegistersTwoVersionsEachFromItsOwnRun() throws Exception {
    String model = "reuse-" + UUID.randomUUID();
    String id = "nightly-" + UUID.randomUUID();

    PipelineResult first = pipeline(id).run(spec(model));
    PipelineResult second = pipeline(id).run(spec(model));

    assertNotEquals(first.mlflowRunId(), second.mlflowRunId());
    assertEquals("1", first.version());
    assertEquals("2", second.version());
    assertThat(mlflow.registry().listModelVersions(model))
        .extracting(ModelVersion::version)
        .containsExactlyInAnyOrder("1", "2");
    for (PipelineResult r : List.of(first, second)) {
      ModelVersion v = mlflow.registry().getModelVersion(model, r.version());
      Run run = mlflow.tracking().getRun(r.mlflowRunId());
      assertEquals(r.mlflowRunId(), v.runId(), "version " + v.version() + " comes from its run");
      assertThat(v.source()).startsWith(run.info().artifactUri() + "/");
      // The files were uploaded by that run: its MLmodel names it.
      Path mlmodel =
          mlflow
              .artifacts()
              .download(v.source(), "MLmodel", config.stateDir().resolve("MLmodel-" + v.version()));
      assertThat(Files.readString(mlmodel)).contains("run_id: " + r.mlflowRunId());
    }

    // The two versions side by side, and MLflow's compare-runs link to their runs.
    Cli.Result compared = Cli.run(cliEnv, "models", model, "--compare", "1", "2");
    assertEquals(0, compared.exitCode(), compared.stderr());
    ModelVersion v1 = mlflow.registry().getModelVersion(model, "1");
    String experiment = mlflow.tracking().getRun(first.mlflowRunId()).info().experimentId();
    assertThat(compared.stdout())
        .containsPattern("VERSION\\s+1\\s+2")
        .containsPattern("\\* run\\s+" + first.mlflowRunId() + "\\s+" + second.mlflowRunId())
        .containsPattern("  dataset sha256\\s+" + v1.tags().get("trainyard.dataset_sha256"))
        .containsPattern("metric test_roc_auc\\s+0\\.\\d+\\s+0\\.\\d+")
        .containsPattern("param [a-z_]+\\s+\\S+\\s+\\S+")
        .containsPattern("gate\\s+")
        .containsPattern("aliases\\s+" + aliasesOf(model, "1") + "\\s+" + aliasesOf(model, "2"))
        .contains(
            "/#/compare-runs?runs=[\""
                + first.mlflowRunId()
                + "\",\""
                + second.mlflowRunId()
                + "\"]&experiments=[\""
                + experiment
                + "\"]");
    Cli.Result noSuch = Cli.run(cliEnv, "models", model, "--compare", "1", "9");
    assertEquals(1, noSuch.exitCode(), noSuch.stdout());
    assertThat(noSuch.stderr()).contains("has no version '9'").contains("it has 1, 2");

    // The first run's promotion is in the champion's history, with who moved it.
    Cli.Result history = Cli.run(cliEnv, "models", model, "--history");
    assertEquals(0, history.exitCode(), history.stderr());
    assertThat(history.stdout())
        .containsPattern("champion\\s+-\\s+->\\s+1\\s+workflow " + id)
        .containsPattern("challenger\\s+-\\s+->\\s+1\\s+workflow " + id)
        .containsPattern("challenger\\s+1\\s+->\\s+2\\s+workflow " + id);
  }

  @Test
  void aChampionMovedWhileTheRunAwaitedApprovalIsNotOverwritten() throws Exception {
    String model = "cas-" + UUID.randomUUID();
    String id = "cas-" + UUID.randomUUID();
    PipelineSpec spec =
        spec(model)
            .withGate(
                PipelineSpec.Gate.builder()
                    .optThresholds(Map.of("roc_auc", new PipelineSpec.Bound(0.5, null)))
                    .optMinImprovement(new PipelineSpec.Improvement("roc_auc", 0.0, null))
                    .optManual(true)
                    .optApprovalTimeout("PT10M")
                    .build());
    TrainingPipelineWorkflow wf = pipeline(id);
    WorkflowClient.start(wf::run, spec);
    awaitStep(wf, "awaiting approval");

    // Meanwhile someone registers another version and makes it champion with the CLI.
    String other = registerOtherVersion(model);
    Cli.Result promoted = Cli.run(cliEnv, "promote", model, other);
    assertEquals(0, promoted.exitCode(), promoted.stderr());
    wf.decide(new TrainingPipelineWorkflow.Approval(true, "ana", "looks good"));

    WorkflowFailedException e =
        assertThrows(
            WorkflowFailedException.class,
            () -> WorkflowStub.fromTyped(wf).getResult(PipelineResult.class));
    ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, e.getCause().getCause());
    assertEquals("ChampionChanged", cause.getType());
    assertTrue(cause.isNonRetryable());
    String user = System.getProperty("user.name");
    assertThat(cause.getOriginalMessage())
        .contains("Not promoting " + model + "/2")
        .contains("compared it with no champion")
        .contains("champion now points at version " + other)
        .contains("moved there by " + user);
    assertEquals(other, mlflow.registry().getModelVersionByAlias(model, "champion").version());
    assertEquals("2", mlflow.registry().getModelVersionByAlias(model, "challenger").version());

    Cli.Result history = Cli.run(cliEnv, "models", model, "--history");
    assertEquals(0, history.exitCode(), history.stderr());
    assertThat(history.stdout())
        .containsPattern("champion\\s+-\\s+->\\s+" + other + "\\s+" + user)
        .containsPattern("challenger\\s+-\\s+->\\s+2\\s+workflow " + id)
        .doesNotContainPattern("champion\\s+\\S+\\s+->\\s+2");
  }

  /**
   * {@code champion,challenger}: the aliases pointing at {@code version}, as the CLI lists them.
   */
  private String aliasesOf(String model, String version) {
    return String.join(
        ",",
        mlflow.registry().getRegisteredModel(model).aliases().entrySet().stream()
            .filter(a -> a.getValue().equals(version))
            .map(Map.Entry::getKey)
            .sorted()
            .toList());
  }

  /** A version registered by hand from its own MLflow run, as another team's tool would. */
  private String registerOtherVersion(String model) throws Exception {
    var exp = mlflow.tracking().getOrCreateExperiment("manual/" + model);
    Run run =
        mlflow.tracking().createRun(RunSpec.builder().setExperimentId(exp.experimentId()).build());
    Path file = Files.writeString(config.stateDir().resolve("manual-" + model), "hand-made");
    mlflow.artifacts().upload(run.info().artifactUri(), file, "model/README");
    mlflow.registry().createRegisteredModel(model);
    ModelVersion v =
        mlflow
            .registry()
            .createModelVersion(
                ModelVersionSpec.builder()
                    .setName(model)
                    .fromRunArtifacts(run.info(), "model")
                    .optRunId(run.runId())
                    .build());
    mlflow.registry().waitUntilReady(model, v.version(), Duration.ofMinutes(1));
    return v.version();
  }

  private static void awaitStep(TrainingPipelineWorkflow wf, String step) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    String seen = null;
    while (System.nanoTime() < deadline) {
      try {
        seen = wf.progress().step();
        if (seen.equals(step)) {
          return;
        }
      } catch (RuntimeException notYet) {
        // the first workflow task may not have run yet
      }
      Thread.sleep(300);
    }
    throw new AssertionError("the pipeline never reached '" + step + "'; last step: " + seen);
  }
}
