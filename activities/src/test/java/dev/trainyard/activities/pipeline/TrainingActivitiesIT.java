package dev.trainyard.activities.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.activities.runtime.ActivityEnvironment;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.workflows.pipeline.Payloads;
import dev.trainyard.workflows.pipeline.PipelineActivities;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.SpecDefaults;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training step on real Spark features, real DJL and the real MLflow: what a retried attempt (a
 * killed worker) resumes from, where it writes, and what bad input looks like.
 */
@ExtendWith(MlflowExtension.class)
class TrainingActivitiesIT {
  @TempDir Path dir;
  private TestActivityEnvironment env;
  private TestWorkflowEnvironment temporal;
  private MlflowClient mlflow;
  private PipelineActivities.Registry registry;
  private PipelineActivities.Data data;
  private PipelineActivities.Training training;

  @BeforeEach
  void setUp(MlflowServer server) {
    mlflow = new MlflowClient(server.trackingUri());
    // Training signals its workflow after each epoch (progress only); a real client, no workflow.
    temporal = TestWorkflowEnvironment.newInstance();
    ActivityEnvironment where =
        new ActivityEnvironment(mlflow, dir.resolve("lake"), dir.resolve("work"), "test", "test");
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(
        new RegistryActivitiesImpl(where),
        new DataActivitiesImpl(where),
        new TrainingActivitiesImpl(where, temporal.getWorkflowClient()));
    ActivityOptions once =
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(10))
            // Short: heartbeats are sent at most every 0.8 x this, and a pending one is dropped
            // when
            // the attempt ends; a long timeout would throttle every epoch heartbeat away.
            .setHeartbeatTimeout(Duration.ofSeconds(2))
            .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
            .build();
    registry = env.newActivityStub(PipelineActivities.Registry.class, once);
    data = env.newActivityStub(PipelineActivities.Data.class, once);
    training = env.newActivityStub(PipelineActivities.Training.class, once);
  }

  @AfterEach
  void tearDown() {
    env.close();
    temporal.close();
    mlflow.close();
  }

  private PipelineSpec spec(int epochs) {
    String table = dir.resolve("customers").toUri().toString();
    if (!Files.exists(dir.resolve("customers"))) {
      SparkSessions.local()
          .range(600)
          .selectExpr(
              "CAST(pmod(id * 7919, 1000) AS DOUBLE) / 10.0 AS tenure",
              "IF(id % 2 = 0, 'basic', 'pro') AS plan",
              "IF(pmod(id * 7919, 1000) < 400, 'yes', 'no') AS churned")
          .write()
          .parquet(table);
    }
    return SpecDefaults.apply(
        PipelineSpec.builder()
            .setName("train-" + UUID.randomUUID())
            .setDataset(new PipelineSpec.Dataset(table, null))
            .setLabel("churned")
            .setTask("binary")
            .setFeatures(new PipelineSpec.Features(List.of("tenure"), List.of("plan"), null))
            .optModel(
                PipelineSpec.Model.builder()
                    .optType("mlp")
                    .optHiddenLayers(List.of(8))
                    .optEpochs(epochs)
                    .optBatchSize(64)
                    .optLearningRate(0.01)
                    .optEarlyStoppingPatience(100)
                    .optDevice("cpu")
                    .optSeed(7L)
                    .build())
            .setRegisteredModel("churn")
            .build());
  }

  @Test
  void missingFeaturesAreANonRetryableFailureSayingWhereTheyShouldBe() {
    PipelineSpec spec = spec(2);
    Payloads.PipelineRun run = registry.startPipelineRun(spec, "train-missing");
    String missing = dir.resolve("lake/features/never-built").toUri().toString();
    Payloads.FeaturesResult features =
        Payloads.FeaturesResult.builder()
            .setFeaturesUri(missing)
            .setCacheKey("never-built")
            .optCacheHit(false)
            .setTrainRows(10)
            .setValidationRows(10)
            .setTestRows(10)
            .setNumFeatures(2)
            .setNumClasses(2)
            .build();

    ActivityFailure e =
        assertThrows(
            ActivityFailure.class,
            () -> training.trainModel(new Payloads.TrainRequest(spec, run, features)));

    ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, e.getCause());
    assertEquals("BadTrainingData", cause.getType());
    assertTrue(cause.isNonRetryable());
    assertThat(cause.getOriginalMessage())
        .contains("never-built")
        .contains("point to the feature job's output directory");
  }

  @Test
  void evaluationUploadsDecodablePlotsToTheTrainingRun() throws Exception {
    PipelineSpec spec = spec(3);
    Payloads.PipelineRun run = registry.startPipelineRun(spec, "train-plots");
    Payloads.ValidationResult validation =
        data.validateData(new Payloads.ValidateDataRequest(spec, run, null));
    Payloads.FeaturesResult features =
        data.buildFeatures(new Payloads.BuildFeaturesRequest(spec, run, validation.fingerprint()));
    Payloads.TrainResult trained =
        training.trainModel(new Payloads.TrainRequest(spec, run, features));

    java.util.Map<String, Double> metrics =
        training.evaluateModel(
            new Payloads.EvaluateRequest(spec, run, features, trained.modelUri(), null));

    assertThat(metrics).containsKey("roc_auc");
    // Listed through MLflow's REST API, as the UI lists them.
    List<String> listed =
        mlflow.artifacts().list(run.artifactUri(), TrainingActivitiesImpl.PLOTS).stream()
            .map(dev.trainyard.registry.ArtifactFile::path)
            .toList();
    assertThat(listed)
        .containsExactlyInAnyOrder(
            "plots/roc.png", "plots/pr.png", "plots/calibration.png", "plots/score_histogram.png");
    for (String name : List.of("roc.png", "score_histogram.png")) {
      Path png =
          mlflow
              .artifacts()
              .download(run.artifactUri(), "plots/" + name, dir.resolve("downloaded/" + name));
      java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
      assertThat(image).as(name + " decodes").isNotNull();
      assertEquals(dev.trainyard.training.EvaluationPlots.WIDTH, image.getWidth());
      assertEquals(dev.trainyard.training.EvaluationPlots.HEIGHT, image.getHeight());
      java.util.Set<Integer> colours = new java.util.HashSet<>();
      for (int y = 0; y < image.getHeight(); y += 4) {
        for (int x = 0; x < image.getWidth(); x += 4) {
          colours.add(image.getRGB(x, y));
        }
      }
      assertThat(colours.size()).as(name + " colours").isGreaterThan(8);
    }
  }
}
