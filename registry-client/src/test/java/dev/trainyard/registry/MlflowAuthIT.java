package dev.trainyard.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.testing.AuthMlflowExtension;
import dev.trainyard.testing.AuthMlflowServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a real MLflow running its basic-auth app, configured the way users configure
 * it: MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD through {@link
 * MlflowConfig#fromEnvironment}.
 */
@ExtendWith(AuthMlflowExtension.class)
class MlflowAuthIT {
  private final AuthMlflowServer server;
  private final AuthAdmin admin;

  @TempDir Path tmp;

  MlflowAuthIT(AuthMlflowServer server) {
    this.server = server;
    this.admin = new AuthAdmin(server);
  }

  private MlflowClient as(String user, String password) {
    return new MlflowClient(
        MlflowConfig.fromEnvironment(server.trackingUri(), AuthAdmin.env(user, password)));
  }

  @Test
  void theRightUserRegistersAVersionAndPromotesIt() throws IOException {
    String[] trainer = admin.createUser("trainer");
    try (MlflowClient mlflow = as(trainer[0], trainer[1])) {
      String model = TestClients.unique("auth-model");
      ModelVersion v1 = registerVersion(mlflow, model, "v1");
      mlflow.registry().setAlias(model, "champion", v1.version());
      assertEquals("1", mlflow.registry().getModelVersionByAlias(model, "champion").version());

      Path fetched = mlflow.artifacts().download(v1.source(), "weights.txt", tmp.resolve("w.txt"));
      assertEquals("v1", Files.readString(fetched));
      assertFalse(mlflow.toString().contains(trainer[1]), mlflow.toString());
    }
  }

  @Test
  void aWrongPasswordIsAOneLineNonRetryable401ThatNamesTheVariable() {
    String[] trainer = admin.createUser("trainer");
    String wrong = trainer[1] + "-typo";
    try (MlflowClient mlflow = as(trainer[0], wrong)) {
      PermissionDeniedException e =
          assertThrows(
              PermissionDeniedException.class,
              () -> mlflow.tracking().getOrCreateExperiment(TestClients.unique("exp")));
      assertEquals(401, e.httpStatus());
      assertFalse(e.isRetryable());
      assertTrue(e.getMessage().contains("MLFLOW_TRACKING_PASSWORD"), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
      assertFalse(e.getMessage().contains(wrong), e.getMessage());
      assertFalse(e.getMessage().contains(trainer[1]), e.getMessage());
    }
  }

  @Test
  void noCredentialsAtAllSaysWhichVariablesToSet() {
    try (MlflowClient mlflow =
        new MlflowClient(MlflowConfig.fromEnvironment(server.trackingUri(), Map.of()))) {
      PermissionDeniedException e =
          assertThrows(
              PermissionDeniedException.class,
              () -> mlflow.registry().getModelVersionByAlias("any", "champion"));
      assertEquals(401, e.httpStatus());
      assertTrue(e.getMessage().contains("MLFLOW_TRACKING_USERNAME"), e.getMessage());
    }
  }

  @Test
  void aReadOnlyUserCanReadTheAliasButNotMoveIt() throws IOException {
    String[] trainer = admin.createUser("trainer");
    String[] reader = admin.createUser("reader");
    String model = TestClients.unique("auth-model");
    try (MlflowClient owner = as(trainer[0], trainer[1]);
        MlflowClient readOnly = as(reader[0], reader[1])) {
      ModelVersion v1 = registerVersion(owner, model, "v1");
      owner.registry().setAlias(model, "champion", v1.version());
      ModelVersion v2 = registerVersion(owner, model, "v2");
      admin.grantOnRegisteredModel(model, reader[0], "READ");

      assertEquals("1", readOnly.registry().getModelVersionByAlias(model, "champion").version());
      PermissionDeniedException e =
          assertThrows(
              PermissionDeniedException.class,
              () -> readOnly.registry().setAlias(model, "champion", v2.version()));
      assertEquals(403, e.httpStatus());
      assertFalse(e.isRetryable());
      assertTrue(e.getMessage().contains("MLFLOW_TRACKING_USERNAME"), e.getMessage());
      assertTrue(e.getMessage().contains("permission"), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
      assertFalse(e.getMessage().contains(reader[1]), e.getMessage());
      // The refused move changed nothing.
      assertEquals("1", owner.registry().getModelVersionByAlias(model, "champion").version());
    }
  }

  private ModelVersion registerVersion(MlflowClient mlflow, String model, String weights)
      throws IOException {
    Experiment exp = mlflow.tracking().getOrCreateExperiment(model + "-exp");
    Run run =
        mlflow.tracking().createRun(RunSpec.builder().setExperimentId(exp.experimentId()).build());
    Path dir = Files.createDirectories(tmp.resolve(TestClients.unique("model")));
    Files.writeString(dir.resolve("weights.txt"), weights);
    mlflow.artifacts().upload(run.info().artifactUri(), dir, "model");
    mlflow.tracking().setRunStatus(run.runId(), RunStatus.FINISHED);
    mlflow.registry().createRegisteredModel(model);
    ModelVersion v =
        mlflow
            .registry()
            .createModelVersion(
                ModelVersionSpec.builder()
                    .setName(model)
                    .fromRunArtifacts(run.info(), "model")
                    .build());
    return mlflow.registry().waitUntilReady(model, v.version(), Duration.ofSeconds(60));
  }
}
