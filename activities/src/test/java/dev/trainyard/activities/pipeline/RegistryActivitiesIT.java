package dev.trainyard.activities.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.activities.runtime.ActivityEnvironment;
import dev.trainyard.activities.runtime.ModelFolders;
import dev.trainyard.registry.AliasHistory;
import dev.trainyard.registry.AliasMove;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.ModelVersion;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.workflows.pipeline.Payloads;
import dev.trainyard.workflows.pipeline.PipelineActivities;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.SpecDefaults;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
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
            new ActivityEnvironment(
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
        PipelineSpec.builder()
            .setName("reg-" + UUID.randomUUID())
            .setDataset(new PipelineSpec.Dataset("file:///data/x.parquet", null))
            .setLabel("y")
            .setTask("binary")
            .setFeatures(new PipelineSpec.Features(List.of("a"), null, null))
            .setRegisteredModel(model)
            .build());
  }

  private Payloads.RegisterRequest request(
      PipelineSpec spec, Payloads.PipelineRun run, String workflowId) throws Exception {
    return request(spec, run, workflowId, "{}");
  }

  /** A request whose trained model is a {@code model-spec.json} holding {@code modelSpec}. */
  private Payloads.RegisterRequest request(
      PipelineSpec spec, Payloads.PipelineRun run, String workflowId, String modelSpec)
      throws Exception {
    Path model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("model-spec.json"), modelSpec);
    Path features = Files.createDirectories(dir.resolve("features/pipeline"));
    Files.writeString(features.resolve("metadata"), "stand-in");
    Files.writeString(dir.resolve("features/features.json"), "{}");
    Path profile = Files.writeString(dir.resolve("profile.json"), "{}");
    return new Payloads.RegisterRequest(
        spec,
        run,
        Payloads.FeaturesResult.builder()
            .setFeaturesUri(dir.resolve("features").toUri().toString())
            .setCacheKey("k")
            .optCacheHit(false)
            .setTrainRows(1)
            .setValidationRows(1)
            .setTestRows(1)
            .setNumFeatures(1)
            .setNumClasses(2)
            .build(),
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
        registry.promote(new Payloads.PromoteRequest(model, v1, List.of("first"), null));
    Payloads.Promotion p2 =
        registry.promote(new Payloads.PromoteRequest(model, v2, List.of("better"), v1));
    Payloads.Promotion retried =
        registry.promote(new Payloads.PromoteRequest(model, v2, List.of("better"), v1));

    assertNull(p1.previousChampion());
    assertEquals(v1, p2.previousChampion());
    assertEquals(v1, retried.previousChampion());
    assertEquals(v2, mlflow.registry().getModelVersionByAlias(model, "champion").version());
    assertEquals(
        v1, mlflow.registry().getModelVersion(model, v2).tags().get("trainyard.previous_champion"));
  }

  @Test
  void aSecondRunUnderTheSameWorkflowIdRegistersItsOwnVersion() throws Exception {
    // `train --id nightly` twice: two workflow runs (the test environment gives each activity
    // call its own run id) with the same workflow id, each training a different model.
    String model = "reg-reuse-" + UUID.randomUUID();
    PipelineSpec spec = spec(model);
    Payloads.PipelineRun run1 = registry.startPipelineRun(spec, "nightly");
    Payloads.ModelVersionRef first =
        registry.registerModel(request(spec, run1, "nightly", "{\"run\": 1}"));
    Payloads.PipelineRun run2 = registry.startPipelineRun(spec, "nightly");
    Payloads.ModelVersionRef second =
        registry.registerModel(request(spec, run2, "nightly", "{\"run\": 2}"));

    assertThat(run2.runId()).isNotEqualTo(run1.runId());
    assertEquals("1", first.version());
    assertEquals("2", second.version());
    assertEquals(run2.runId(), mlflow.registry().getModelVersion(model, "2").runId());
    assertEquals("2", mlflow.registry().getModelVersionByAlias(model, "challenger").version());
    Path fetched =
        mlflow
            .artifacts()
            .download(second.source(), "djl/model-spec.json", dir.resolve("v2-model-spec.json"));
    assertEquals("{\"run\": 2}", Files.readString(fetched));
  }

  @Test
  void aModelNameReCreatedWithOtherContentIsFetchedAfresh() throws Exception {
    String model = "reg-recreate-" + UUID.randomUUID();
    PipelineSpec spec = spec(model);
    ModelFolders folders = new ModelFolders(mlflow, dir.resolve("models"));
    Payloads.PipelineRun run1 = registry.startPipelineRun(spec, "wf-old");
    Payloads.ModelVersionRef old =
        registry.registerModel(request(spec, run1, "wf-old", "{\"model\": \"old\"}"));
    Path oldDir = folders.fetch(model, old.version(), old.source());
    assertEquals("{\"model\": \"old\"}", Files.readString(oldDir.resolve("djl/model-spec.json")));

    // The model is deleted and made again: version 1 now means other files.
    mlflow.registry().deleteRegisteredModel(model);
    Payloads.PipelineRun run2 = registry.startPipelineRun(spec, "wf-new");
    Payloads.ModelVersionRef fresh =
        registry.registerModel(request(spec, run2, "wf-new", "{\"model\": \"new\"}"));
    assertEquals(old.version(), fresh.version());

    Path newDir = folders.fetch(model, fresh.version(), fresh.source());
    assertEquals("{\"model\": \"new\"}", Files.readString(newDir.resolve("djl/model-spec.json")));
  }

  @Test
  void artifactsChangedAfterRegistrationFailTheFetchWithoutRetries() throws Exception {
    String model = "reg-tamper-" + UUID.randomUUID();
    PipelineSpec spec = spec(model);
    Payloads.PipelineRun run = registry.startPipelineRun(spec, "wf-t");
    Payloads.ModelVersionRef v =
        registry.registerModel(request(spec, run, "wf-t", "{\"weights\": \"good\"}"));
    // Someone overwrites one of the version's files in the artifact store.
    Path evil = Files.writeString(dir.resolve("evil.json"), "{\"weights\": \"evil\"}");
    mlflow.artifacts().upload(run.artifactUri(), evil, "model/djl/model-spec.json");

    Path models = Files.createDirectories(dir.resolve("models"));
    ApplicationFailure e =
        assertThrows(
            ApplicationFailure.class,
            () -> new ModelFolders(mlflow, models).fetch(model, v.version(), v.source()));

    assertTrue(e.isNonRetryable(), "a changed model is not fixed by retrying");
    assertEquals("ModelArtifactsChanged", e.getType());
    assertThat(e.getOriginalMessage())
        .contains(model + "/" + v.version())
        .contains(v.source())
        .contains("changed after registration");
    try (Stream<Path> left = Files.walk(models)) {
      assertThat(left.filter(Files::isRegularFile)).as("model files left on the worker").isEmpty();
    }
  }

  @Test
  void promotionDoesNotMoveAChampionThatMovedAfterTheGateLookedAtIt() throws Exception {
    String model = "reg-cas-" + UUID.randomUUID();
    PipelineSpec spec = spec(model);
    String v1 =
        registry
            .registerModel(
                request(spec, registry.startPipelineRun(spec, "wf-1"), "wf-1", "{\"v\": 1}"))
            .version();
    String v2 =
        registry
            .registerModel(
                request(spec, registry.startPipelineRun(spec, "wf-2"), "wf-2", "{\"v\": 2}"))
            .version();
    String v3 =
        registry
            .registerModel(
                request(spec, registry.startPipelineRun(spec, "wf-3"), "wf-3", "{\"v\": 3}"))
            .version();
    registry.promote(new Payloads.PromoteRequest(model, v1, List.of("first"), null));
    // v3's gate compared it with champion v1; then someone promoted v2.
    new AliasHistory(mlflow.registry()).move(model, "champion", v1, v2, "m-1", "bob", "hotfix");

    ActivityFailure failed =
        assertThrows(
            ActivityFailure.class,
            () -> registry.promote(new Payloads.PromoteRequest(model, v3, List.of("better"), v1)));
    ApplicationFailure e = assertInstanceOf(ApplicationFailure.class, failed.getCause());

    assertEquals("ChampionChanged", e.getType());
    assertTrue(e.isNonRetryable());
    assertThat(e.getOriginalMessage())
        .contains("Not promoting " + model + "/" + v3)
        .contains("compared it with champion version " + v1)
        .contains("champion now points at version " + v2)
        .contains("moved there by bob")
        .contains("hotfix");
    assertEquals(v2, mlflow.registry().getModelVersionByAlias(model, "champion").version());
    List<AliasMove> champions =
        new AliasHistory(mlflow.registry())
            .list(model).stream().filter(m -> m.alias().equals("champion")).toList();
    assertThat(champions)
        .extracting(AliasMove::from, AliasMove::to)
        .containsExactly(tuple(null, v1), tuple(v1, v2));
    assertThat(champions.get(0).by()).startsWith("workflow test-workflow-id (run ");
    assertEquals("bob", champions.get(1).by());
  }
}
