package dev.trainyard.app.config;

import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.MlflowConfig;
import dev.trainyard.registry.S3Settings;
import dev.trainyard.stack.StackConfig;
import java.util.Map;

/** Builds service clients from the one configuration, so every verb talks to the same services. */
public final class Clients {
  private Clients() {}

  public static MlflowClient mlflow(StackConfig config) {
    StackConfig.S3Endpoint s3 = config.s3();
    S3Settings.Builder s3b = S3Settings.builder().optRegion(s3.region());
    if (s3.endpoint() != null) {
      s3b.optEndpoint(s3.endpoint());
    }
    if (s3.accessKeyId() != null) {
      s3b.optCredentials(s3.accessKeyId(), s3.secretAccessKey());
    }
    Map<String, String> env = System.getenv();
    MlflowConfig.Builder b =
        MlflowConfig.builder().setTrackingUri(config.mlflowTrackingUri()).optS3(s3b.build());
    if (env.get("MLFLOW_TRACKING_TOKEN") != null) {
      b.optToken(env.get("MLFLOW_TRACKING_TOKEN"));
    } else if (env.get("MLFLOW_TRACKING_USERNAME") != null
        && env.get("MLFLOW_TRACKING_PASSWORD") != null) {
      b.optBasicAuth(env.get("MLFLOW_TRACKING_USERNAME"), env.get("MLFLOW_TRACKING_PASSWORD"));
    }
    return new MlflowClient(b.build());
  }
}
