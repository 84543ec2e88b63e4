package dev.trainyard.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(MlflowExtension.class)
class ModelRegistryIT {
  private final MlflowClient mlflow;

  @TempDir Path tmp;

  ModelRegistryIT(MlflowServer server) {
    this.mlflow = TestClients.client(server);
  }

  @AfterEach
  void close() {
    mlflow.close();
  }

  @Test
  void registerVersionsFromRunArtifactsAndMoveTheChampionAlias() throws IOException {
    String name = TestClients.unique("model");
    ModelRegistryClient registry = mlflow.registry();

    RegisteredModel created =
        registry.createRegisteredModel(name, Map.of("team", "ml"), "churn model");
    assertEquals(name, created.name());
    RegisteredModel again = registry.createRegisteredModel(name); // idempotent
    assertEquals(created.creationTime(), again.creationTime());
    assertEquals("churn model", registry.getRegisteredModel(name).description());
    assertEquals(Map.of("team", "ml"), registry.getRegisteredModel(name).tags());

    Run run1 = runWithModel("v1");
    ModelVersion v1 =
        registry.createModelVersion(
            ModelVersionSpec.builder()
                .setName(name)
                .fromRunArtifacts(run1.info(), "model")
                .optTag("trainyard.workflowId", "wf-1")
                .optDescription("first")
                .build());
    v1 = registry.waitUntilReady(name, v1.version(), Duration.ofSeconds(30));
    assertTrue(v1.isReady());
    assertEquals("1", v1.version());
    assertEquals(run1.runId(), v1.runId());
    assertEquals(run1.info().artifactUri() + "/model", v1.source());
    assertEquals("first", v1.description());
    assertEquals("wf-1", v1.tags().get("trainyard.workflowId"));

    // The registered source resolves to the uploaded files.
    Path fetched = mlflow.artifacts().download(v1.source(), "weights.txt", tmp.resolve("w.txt"));
    assertEquals("v1", Files.readString(fetched));

    registry.setAlias(name, "champion", v1.version());
    ModelVersion champion = registry.getModelVersionByAlias(name, "champion");
    assertEquals("1", champion.version());
    assertEquals(List.of("champion"), champion.aliases());

    Run run2 = runWithModel("v2");
    ModelVersion v2 =
        registry.waitUntilReady(
            name,
            registry
                .createModelVersion(
                    ModelVersionSpec.builder()
                        .setName(name)
                        .fromRunArtifacts(run2.info(), "model")
                        .optTag("trainyard.workflowId", "wf-2")
                        .build())
                .version(),
            Duration.ofSeconds(30));
    assertEquals("2", v2.version());

    registry.setAlias(name, "champion", v2.version());
    assertEquals("2", registry.getModelVersionByAlias(name, "champion").version());
    assertEquals(Map.of("champion", "2"), registry.getRegisteredModel(name).aliases());
    assertTrue(registry.getModelVersion(name, "1").aliases().isEmpty());

    registry.setModelVersionTag(name, "2", "gate", "passed");
    assertEquals("passed", registry.getModelVersion(name, "2").tags().get("gate"));

    List<ModelVersion> all = registry.listModelVersions(name);
    assertEquals(List.of("1", "2"), all.stream().map(ModelVersion::version).sorted().toList());
    List<ModelVersion> byTag =
        registry.searchModelVersions(
            SearchFilters.and(
                SearchFilters.nameEquals(name),
                SearchFilters.tagEquals("trainyard.workflowId", "wf-2")));
    assertEquals(List.of("2"), byTag.stream().map(ModelVersion::version).toList());

    registry.deleteAlias(name, "champion");
    assertTrue(registry.findModelVersionByAlias(name, "champion").isEmpty());
    assertTrue(registry.getRegisteredModel(name).aliases().isEmpty());
    registry.deleteAlias(name, "champion"); // deleting an unset alias is fine

    registry.deleteModelVersion(name, "1");
    assertThrows(ResourceNotFoundException.class, () -> registry.getModelVersion(name, "1"));
    assertEquals(
        List.of("2"),
        registry.listModelVersions(name).stream().map(ModelVersion::version).toList());
  }

  @Test
  void missingAliasIsResourceNotFoundWithTheServersMessage() {
    String name = TestClients.unique("model");
    mlflow.registry().createRegisteredModel(name);

    ResourceNotFoundException e =
        assertThrows(
            ResourceNotFoundException.class,
            () -> mlflow.registry().getModelVersionByAlias(name, "champion"));
    assertTrue(e.serverMessage().contains("champion"), e.serverMessage());
    assertTrue(e.serverMessage().contains("not found"), e.serverMessage());
    assertFalse(e.isRetryable());

    // Alias of a model that does not exist at all.
    ResourceNotFoundException noModel =
        assertThrows(
            ResourceNotFoundException.class,
            () -> mlflow.registry().getModelVersionByAlias(name + "-absent", "champion"));
    assertEquals("RESOURCE_DOES_NOT_EXIST", noModel.errorCode());
    assertTrue(noModel.serverMessage().contains(name + "-absent"), noModel.serverMessage());
  }

  @Test
  void versionOfAMissingModelIsResourceNotFound() throws IOException {
    Run run = runWithModel("x");
    String name = TestClients.unique("absent-model");

    ResourceNotFoundException e =
        assertThrows(
            ResourceNotFoundException.class,
            () ->
                mlflow
                    .registry()
                    .createModelVersion(
                        ModelVersionSpec.builder()
                            .setName(name)
                            .fromRunArtifacts(run.info(), "model")
                            .build()));
    assertEquals("RESOURCE_DOES_NOT_EXIST", e.errorCode());
    assertTrue(e.serverMessage().contains(name), e.serverMessage());
    assertEquals(404, e.httpStatus());
  }

  @Test
  void sourceOutsideTheRunsArtifactsIsInvalid() throws IOException {
    String name = TestClients.unique("model");
    mlflow.registry().createRegisteredModel(name);
    Run run = runWithModel("x");
    InvalidParameterException e =
        assertThrows(
            InvalidParameterException.class,
            () ->
                mlflow
                    .registry()
                    .createModelVersion(
                        ModelVersionSpec.builder()
                            .setName(name)
                            .setSource("mlflow-artifacts:/elsewhere/model")
                            .optRunId(run.runId())
                            .build()));
    assertEquals("INVALID_PARAMETER_VALUE", e.errorCode());
    assertFalse(e.isRetryable());
  }

  private Run runWithModel(String weights) throws IOException {
    Experiment exp = mlflow.tracking().getOrCreateExperiment(TestClients.unique("registry"));
    Run run =
        mlflow.tracking().createRun(RunSpec.builder().setExperimentId(exp.experimentId()).build());
    Path dir = Files.createDirectories(tmp.resolve(TestClients.unique("model")));
    Files.writeString(dir.resolve("weights.txt"), weights);
    Files.writeString(dir.resolve("MLmodel"), "flavors: {}\n");
    mlflow.artifacts().upload(run.info().artifactUri(), dir, "model");
    mlflow.tracking().setRunStatus(run.runId(), RunStatus.FINISHED);
    return run;
  }
}
