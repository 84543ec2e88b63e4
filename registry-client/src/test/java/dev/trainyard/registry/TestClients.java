package dev.trainyard.registry;

import dev.trainyard.testing.MlflowServer;
import dev.trainyard.testing.S3Server;
import java.util.UUID;

/** Clients for the test stack's servers, and unique names (the server is shared per JVM). */
final class TestClients {
  private TestClients() {}

  static MlflowClient client(MlflowServer server) {
    return new MlflowClient(
        MlflowConfig.builder()
            .setTrackingUri(server.trackingUri())
            .optS3(s3Settings(server.s3()))
            .build());
  }

  static S3Settings s3Settings(S3Server s3) {
    return S3Settings.builder()
        .optEndpoint(s3.endpoint())
        .optRegion(s3.region())
        .optCredentials(s3.accessKeyId(), s3.secretAccessKey())
        .build();
  }

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 12);
  }
}
