package dev.trainyard.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MlflowConfigTest {
  private static final URI TRACKING = URI.create("http://127.0.0.1:5000");

  @Test
  void tokenBecomesBearerAndIsNeverPrinted() {
    MlflowConfig c =
        MlflowConfig.fromEnvironment(TRACKING, Map.of("MLFLOW_TRACKING_TOKEN", "s3cr3t-token"));
    assertEquals(Optional.of("Bearer s3cr3t-token"), c.authorizationHeader());
    assertFalse(c.toString().contains("s3cr3t"), c.toString());
    assertTrue(c.toString().contains("bearer token"), c.toString());
  }

  @Test
  void usernameAndPasswordBecomeBasicAuth() {
    MlflowConfig c =
        MlflowConfig.fromEnvironment(
            TRACKING,
            Map.of("MLFLOW_TRACKING_USERNAME", "alice", "MLFLOW_TRACKING_PASSWORD", "pa55word"));
    // base64("alice:pa55word")
    assertEquals(Optional.of("Basic YWxpY2U6cGE1NXdvcmQ="), c.authorizationHeader());
    assertFalse(c.toString().contains("pa55word"), c.toString());
    assertFalse(c.toString().contains("alice"), c.toString());
  }

  @Test
  void noCredentialsNoHeader() {
    assertEquals(
        Optional.empty(), MlflowConfig.fromEnvironment(TRACKING, Map.of()).authorizationHeader());
  }

  @Test
  void s3EndpointFromTheMostSpecificVariableWithPathStyle() {
    S3Settings s =
        S3Settings.fromEnvironment(
            Map.of(
                "AWS_ENDPOINT_URL", "http://general:1",
                "AWS_ENDPOINT_URL_S3", "http://s3only:2",
                "AWS_REGION", "eu-west-1"));
    assertEquals(Optional.of(URI.create("http://s3only:2")), s.endpoint());
    assertEquals("eu-west-1", s.region());
    assertTrue(s.pathStyle());
    assertFalse(s.hasExplicitCredentials());

    S3Settings general = S3Settings.fromEnvironment(Map.of("AWS_ENDPOINT_URL", "http://general:1"));
    assertEquals(Optional.of(URI.create("http://general:1")), general.endpoint());
    assertEquals("us-east-1", general.region());

    S3Settings aws = S3Settings.fromEnvironment(Map.of());
    assertEquals(Optional.empty(), aws.endpoint());
    assertFalse(aws.pathStyle());
  }

  @Test
  void explicitS3SecretIsNotPrinted() {
    S3Settings s = S3Settings.builder().optCredentials("AKIAEXAMPLE", "very-secret").build();
    assertTrue(s.hasExplicitCredentials());
    assertFalse(s.toString().contains("very-secret"), s.toString());
    assertFalse(s.toString().contains("AKIAEXAMPLE"), s.toString());
  }

  @Test
  void trackingUriMustBeAnHttpServer() {
    assertThrows(IllegalArgumentException.class, () -> MlflowConfig.builder().build());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> MlflowConfig.of(URI.create("file:///tmp/mlruns")));
    assertTrue(e.getMessage().contains("http"), e.getMessage());
  }

  @Test
  void tlsVariablesFollowMlflowsReading() throws java.io.IOException {
    assertTrue(
        MlflowConfig.fromEnvironment(TRACKING, Map.of(MlflowConfig.INSECURE_TLS_VAR, "TRUE"))
            .insecureTls());
    assertTrue(
        MlflowConfig.fromEnvironment(TRACKING, Map.of(MlflowConfig.INSECURE_TLS_VAR, "1"))
            .insecureTls());
    assertFalse(
        MlflowConfig.fromEnvironment(TRACKING, Map.of(MlflowConfig.INSECURE_TLS_VAR, "false"))
            .insecureTls());
    assertFalse(MlflowConfig.fromEnvironment(TRACKING, Map.of()).insecureTls());
    IllegalArgumentException typo =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                MlflowConfig.fromEnvironment(
                    TRACKING, Map.of(MlflowConfig.INSECURE_TLS_VAR, "yes-please")));
    assertTrue(typo.getMessage().contains(MlflowConfig.INSECURE_TLS_VAR), typo.getMessage());

    java.nio.file.Path pem = java.nio.file.Files.createTempFile("ca", ".pem");
    try {
      MlflowConfig c =
          MlflowConfig.fromEnvironment(
              TRACKING, Map.of(MlflowConfig.SERVER_CERT_VAR, pem.toString()));
      assertEquals(Optional.of(pem), c.serverCertPath());
      IllegalArgumentException both =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  MlflowConfig.fromEnvironment(
                      TRACKING,
                      Map.of(
                          MlflowConfig.SERVER_CERT_VAR,
                          pem.toString(),
                          MlflowConfig.INSECURE_TLS_VAR,
                          "true")));
      assertTrue(both.getMessage().contains(MlflowConfig.SERVER_CERT_VAR), both.getMessage());
    } finally {
      java.nio.file.Files.delete(pem);
    }
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                MlflowConfig.fromEnvironment(
                    TRACKING, Map.of(MlflowConfig.SERVER_CERT_VAR, "/no/such/ca.pem")));
    assertTrue(missing.getMessage().contains(MlflowConfig.SERVER_CERT_VAR), missing.getMessage());
  }
}
