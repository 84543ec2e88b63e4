package dev.trainyard.app.config;

import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.MlflowConfig;
import dev.trainyard.registry.S3Settings;
import dev.trainyard.stack.StackConfig;

/** Builds service clients from the one configuration, so every verb talks to the same services. */
public final class Clients {
  private Clients() {}

  /**
   * How to authenticate to MLflow and check its TLS certificate, from MLflow's own variables
   * ({@code MLFLOW_TRACKING_TOKEN}, else {@code MLFLOW_TRACKING_USERNAME} and {@code
   * MLFLOW_TRACKING_PASSWORD}; {@code MLFLOW_TRACKING_SERVER_CERT_PATH}, {@code
   * MLFLOW_TRACKING_INSECURE_TLS}); null credentials for none.
   */
  public record MlflowAuth(
      String token, String username, String password, String serverCertPath, boolean insecureTls) {
    public static final MlflowAuth NONE = new MlflowAuth(null, null, null, null, false);

    public MlflowAuth(String token, String username, String password) {
      this(token, username, password, null, false);
    }

    /** Names what is set, never the secrets themselves (configs end up in logs). */
    @Override
    public String toString() {
      String auth =
          token != null
              ? "MlflowAuth[token]"
              : username != null && password != null
                  ? "MlflowAuth[basic " + username + "]"
                  : "none";
      return insecureTls
          ? auth + ", tls unchecked"
          : serverCertPath != null ? auth + ", tls ca " + serverCertPath : auth;
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
    if (auth.serverCertPath() != null) {
      b.optServerCertPath(java.nio.file.Path.of(auth.serverCertPath()));
    }
    b.optInsecureTls(auth.insecureTls());
    return new MlflowClient(b.build());
  }
}
