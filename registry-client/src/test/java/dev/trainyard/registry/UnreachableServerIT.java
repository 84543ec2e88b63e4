package dev.trainyard.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tracking URI where nothing listens: every kind of call says so, retryably. */
class UnreachableServerIT {
  @TempDir Path tmp;

  @Test
  void callsToAServerThatIsNotRunningAreUnavailableAndRetryable() throws IOException {
    URI uri = URI.create("http://127.0.0.1:" + closedPort());
    try (MlflowClient mlflow = new MlflowClient(uri)) {
      MlflowUnavailableException e =
          assertThrows(
              MlflowUnavailableException.class,
              () -> mlflow.tracking().getOrCreateExperiment("anything"));
      assertTrue(e.isRetryable());
      assertEquals(uri, e.endpoint());
      assertTrue(e.getMessage().contains(uri.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("./trainyard dev up"), e.getMessage());
      assertTrue(e.getMessage().contains("MLFLOW_TRACKING_URI"), e.getMessage());

      assertThrows(
          MlflowUnavailableException.class,
          () -> mlflow.registry().getModelVersionByAlias("m", "champion"));
      Path file = Files.writeString(tmp.resolve("f.txt"), "x");
      assertThrows(
          MlflowUnavailableException.class,
          () -> mlflow.artifacts().upload("mlflow-artifacts:/1/run/artifacts", file, "f.txt"));
    }
  }

  @Test
  void s3ThatIsNotRunningIsUnavailableAndRetryable() throws IOException {
    URI s3 = URI.create("http://127.0.0.1:" + closedPort());
    MlflowConfig config =
        MlflowConfig.builder()
            .setTrackingUri(URI.create("http://127.0.0.1:" + closedPort()))
            .optS3(S3Settings.builder().optEndpoint(s3).optCredentials("id", "secret").build())
            .build();
    try (MlflowClient mlflow = new MlflowClient(config)) {
      MlflowUnavailableException e =
          assertThrows(
              MlflowUnavailableException.class,
              () -> mlflow.artifacts().list("s3://bucket/prefix", ""));
      assertTrue(e.isRetryable());
      assertTrue(e.getMessage().contains(s3.toString()), e.getMessage());
    }
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
