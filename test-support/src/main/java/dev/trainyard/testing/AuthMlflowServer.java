package dev.trainyard.testing;

import java.net.URI;

/**
 * A running MLflow tracking server with MLflow's basic-auth app: every call needs a user, and
 * {@link #adminUsername()} / {@link #adminPassword()} may create users and grant permissions
 * ({@code /api/2.0/mlflow/users/create}, {@code .../registered-models/permissions/create}).
 * Artifacts are proxied to {@link #s3()}'s artifact bucket.
 */
public record AuthMlflowServer(
    URI trackingUri, S3Server s3, String adminUsername, String adminPassword) {
  @Override
  public String toString() {
    // Test reports print parameters; keep the password out of them.
    return "AuthMlflowServer[trackingUri=" + trackingUri + ", admin=" + adminUsername + "]";
  }
}
