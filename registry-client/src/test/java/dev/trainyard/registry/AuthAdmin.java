package dev.trainyard.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.trainyard.testing.AuthMlflowServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The auth app's admin calls the tests need (users and grants): the client under test has no such
 * calls, so these go straight to MLflow's REST API with the admin's basic auth.
 */
final class AuthAdmin {
  private final AuthMlflowServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  AuthAdmin(AuthMlflowServer server) {
    this.server = server;
  }

  /** A new user (name made unique) with a random password; returns {name, password}. */
  String[] createUser(String prefix) {
    String name = TestClients.unique(prefix);
    String password = "pw-" + java.util.UUID.randomUUID();
    post("/api/2.0/mlflow/users/create", Map.of("username", name, "password", password));
    return new String[] {name, password};
  }

  /**
   * MLflow 3.17 dropped {@code /api/2.0/mlflow/registered-models/permissions/create} (its UI's HTML
   * answers there now); grants go through the v3 role-based endpoint.
   */
  void grantOnRegisteredModel(String model, String user, String permission) {
    post(
        "/api/3.0/mlflow/users/permissions/grant",
        Map.of(
            "username", user,
            "resource_type", "registered_model",
            "resource_id", model,
            "permission", permission));
  }

  /** Environment variables as a user would set them, for MlflowConfig.fromEnvironment. */
  static Map<String, String> env(String user, String password) {
    return Map.of(
        MlflowConfig.USERNAME_VAR, user,
        MlflowConfig.PASSWORD_VAR, password);
  }

  private void post(String path, Map<String, String> body) {
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (server.adminUsername() + ":" + server.adminPassword())
                    .getBytes(StandardCharsets.UTF_8));
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(server.trackingUri() + path))
                  .header("Authorization", "Basic " + basic)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), path + ": " + r.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
