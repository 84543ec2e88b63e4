package dev.trainyard.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.trainyard.app.config.Clients;
import dev.trainyard.app.config.TrainyardConfig;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.PermissionDeniedException;
import dev.trainyard.stack.MlflowAdmin;
import dev.trainyard.stack.Probe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** `trainyard dev up --mlflow-auth`: MLflow with its basic-auth app and a generated admin. */
class DevMlflowAuthIT {

  @Test
  void upWithMlflowAuthMakesAPrivateAdminThatCommandsUseAndNeverPrintsItsPassword()
      throws Exception {
    Path state =
        Files.createTempDirectory(
            Files.createDirectories(Path.of("target").toAbsolutePath()), "dev-auth-");
    Map<String, String> env =
        Map.of(
            "TRAINYARD_STATE_DIR", state.toString(),
            "TEMPORAL_ADDRESS", "127.0.0.1:" + Probe.freePort(),
            "TRAINYARD_TEMPORAL_UI_URL", "http://127.0.0.1:" + Probe.freePort(),
            "MLFLOW_TRACKING_URI", "http://127.0.0.1:" + Probe.freePort(),
            "AWS_ENDPOINT_URL_S3", "http://127.0.0.1:" + Probe.freePort());
    try {
      Cli.Result up = Cli.run(env, "dev", "up", "--mlflow-auth");
      assertEquals(0, up.exitCode(), up.stderr());

      Path file = state.resolve(MlflowAdmin.FILE);
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      MlflowAdmin admin = MlflowAdmin.loadOrCreate(state);
      assertThat(up.stdout())
          .contains("MLflow auth:  on")
          .contains("export MLFLOW_TRACKING_USERNAME=" + admin.username())
          .contains(file.toString())
          .doesNotContain(admin.password());
      assertThat(up.stderr()).doesNotContain(admin.password());

      URI mlflow = URI.create(env.get("MLFLOW_TRACKING_URI"));
      int anonymous =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(mlflow + "/api/2.0/mlflow/experiments/search?max_results=1"))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode();
      assertEquals(401, anonymous);

      // With no MLFLOW_TRACKING_* set, this checkout's commands sign in as the stored admin.
      TrainyardConfig config = TrainyardConfig.load(Cli.home(), null, env);
      assertThat(config.toString()).doesNotContain(admin.password());
      try (MlflowClient client = Clients.mlflow(config)) {
        assertEquals("auth-check", client.tracking().getOrCreateExperiment("auth-check").name());
      }

      // A user's own variables win, and a wrong password says which one to fix.
      Map<String, String> wrong = new HashMap<>(env);
      wrong.put("MLFLOW_TRACKING_USERNAME", admin.username());
      wrong.put("MLFLOW_TRACKING_PASSWORD", "not-" + admin.password());
      try (MlflowClient client = Clients.mlflow(TrainyardConfig.load(Cli.home(), null, wrong))) {
        PermissionDeniedException e =
            assertThrows(
                PermissionDeniedException.class,
                () -> client.tracking().getOrCreateExperiment("auth-check"));
        assertEquals(401, e.httpStatus());
        assertFalse(e.isRetryable());
        assertThat(e.getMessage()).contains("MLFLOW_TRACKING_PASSWORD").doesNotContain("\n");
      }
    } finally {
      Cli.run(env, "dev", "down");
    }
  }
}
