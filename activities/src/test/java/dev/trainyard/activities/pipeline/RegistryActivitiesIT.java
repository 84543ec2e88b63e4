package dev.trainyard.activities.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.ModelVersion;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.workflows.pipeline.Payloads;
import dev.trainyard.workflows.pipeline.PipelineActivities;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.SpecDefaults;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry activities against the real MLflow: what a retry after a lost response does. The
 * model files are small stand-ins; what is under test is what MLflow ends up holding.
 */
@ExtendWith(MlflowExtension.class)
class RegistryActivitiesIT {
  @TempDir Path dir;
  private TestActivityEnvironment env;
  private MlflowClient mlflow;
  private PipelineActivities.Registry registry;

  @BeforeEach
  void setUp(MlflowServer server) {
    mlflow = new MlflowClient(server.trackingUri());
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(
        new RegistryActivitiesImpl(
            new PipelineEnvironment(
                mlflow, dir.resolve("lake"), dir.resolve("work"), "test", "test-worker")));
    registry = env.newActivityStub(PipelineActivities.Registry.class);
  }

  @AfterEach
  void tearDown() {
    env.close();
    mlflow.close();
  }

  private PipelineSpec spec(String model) {
    return SpecDefaults.apply(
        new PipelineSpec(
            "reg-" + UUID.randomUUID(),
            new PipelineSpec.Dataset("file:///data/x.parquet", null),
            "y",
            "binary",
            new PipelineSpec.Features(List.of("a"), null, null),
            null,
            null,
            null,
            null,
            null,
            model));
  }

  private Payloads.RegisterRequest request(
      PipelineSpec spec, Payloads.PipelineRun run, String workflowId) throws Exception {
    Path model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("model-spec.json"), "{}");
    Path features = Files.createDirectories(dir.resolve("features/pipeline"));
    Files.writeString(features.resolve("metadata"), "stand-in");
    Files.writeString(dir.resolve("features/features.json"), "{}");
    Path profile = Files.writeString(dir.resolve("profile.json"), "{}");
    return new Payloads.RegisterRequest(
        spec,
        run,
        new Payloads.FeaturesResult(
            dir.resolve("features").toUri().toString(), "k", false, 1, 1, 1, 1, 2),
        new Payloads.TrainResult(model.toUri().toString(), 1, 1, 0, Map.of("roc_auc", 0.8), "cpu"),
        Map.of("roc_auc", 0.81),
        new Payloads.ValidationResult(true, 3, List.of(), "r", "sha", profile.toUri().toString()),
        workflowId);
  }

  @Test
  void aRetriedRegistrationFindsItsVersionInsteadOfMakingASecond() throws Exception {
    String model = "reg-model-" + UUID.randomUUID();
    PipelineSpec spec = spec(model);
    Payloads.PipelineRun run = registry.startPipelineRun(spec, "wf-1");
    Payloads.RegisterRequest req = request(spec, run, "wf-1");

    Payloads.ModelVersionRef first = registry.registerModel(req);
    Payloads.ModelVersionRef again = registry.registerModel(req);

    assertEquals(first, again);
    List<ModelVersion> versions = mlflow.registry().listModelVersions(model);
    assertThat(versions).extracting(ModelVersion::version).containsExactly("1");
    assertEquals("1", mlflow.registry().getModelVersionByAlias(model, "challenger").version());
    assertThat(mlflow.artifacts().listFiles(run.artifactUri(), "model"))
        .extracting(f -> f.path())
        .contains("model/MLmodel", "model/djl/model-spec.json", "model/training-profile.json");
  }

  @Test
  void promotionRecordsThePreviousChampionAndARetryChangesNothing() throws Exception {
    String model = "reg-promote-" + UUID.randomUUID();
    PipelineSpec spec = spec(model);
    Payloads.PipelineRun run1 = registry.startPipelineRun(spec, "wf-a");
    String v1 = registry.registerModel(request(spec, run1, "wf-a")).version();
    Payloads.PipelineRun run2 = registry.startPipelineRun(spec, "wf-b");
    String v2 = registry.registerModel(request(spec, run2, "wf-b")).version();

    Payloads.Promotion p1 =
        registry.promote(new Payloads.PromoteRequest(model, v1, List.of("first")));
    Payloads.Promotion p2 =
        registry.promote(new Payloads.PromoteRequest(model, v2, List.of("better")));
    Payloads.Promotion retried =
        registry.promote(new Payloads.PromoteRequest(model, v2, List.of("better")));

    assertNull(p1.previousChampion());
    assertEquals(v1, p2.previousChampion());
    assertEquals(v1, retried.previousChampion());
    assertEquals(v2, mlflow.registry().getModelVersionByAlias(model, "champion").version());
    assertEquals(
        v1, mlflow.registry().getModelVersion(model, v2).tags().get("trainyard.previous_champion"));
  }
}
