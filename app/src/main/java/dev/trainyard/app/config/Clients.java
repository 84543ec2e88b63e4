package dev.trainyard.app.config;

import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.MlflowConfig;
import dev.trainyard.registry.S3Settings;
import dev.trainyard.stack.StackConfig;

/** Builds service clients from the one configuration, so every verb talks to the same services. */
public final class Clients {
  private Clients() {}

  /**
   * How to authenticate to MLflow, from MLflow's own variables ({@code MLFLOW_TRACKING_TOKEN}, else
   * {@code MLFLOW_TRACKING_USERNAME} and {@code MLFLOW_TRACKING_PASSWORD}); all null for none.
   */
  public record MlflowAuth(String token, String username, String password) {
    public static final MlflowAuth NONE = new MlflowAuth(null, null, null);

    /** Names what is set, never the secrets themselves (configs end up in logs). */
    @Override
    public String toString() {
      return token != null
          ? "MlflowAuth[token]"
          : username != null && password != null ? "MlflowAuth[basic " + username + "]" : "none";
    }
  }

  public static MlflowClient mlflow(TrainyardConfig config) {
    StackConfig stack = config.stack();
    StackConfig.S3Endpoint s3 = stack.s3();
    S3Settings.Builder s3b = S3Settings.builder().optRegion(s3.region());
    if (s3.endpoint() != null) {
      s3b.optEndpoint(s3.endpoint());
    }
    if (s3.accessKeyId() != null) {
      s3b.optCredentials(s3.accessKeyId(), s3.secretAccessKey());
    }
    MlflowConfig.Builder b =
        MlflowConfig.builder().setTrackingUri(stack.mlflowTrackingUri()).optS3(s3b.build());
    MlflowAuth auth = config.mlflowAuth();
    if (auth.token() != null) {
      b.optToken(auth.token());
    } else if (auth.username() != null && auth.password() != null) {
      b.optBasicAuth(auth.username(), auth.password());
    }
    return new MlflowClient(b.build());
  }
}
