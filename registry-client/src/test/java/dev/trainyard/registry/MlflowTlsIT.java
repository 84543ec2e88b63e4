package dev.trainyard.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.testing.AuthMlflowExtension;
import dev.trainyard.testing.AuthMlflowServer;
import dev.trainyard.testing.HttpsProxy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * MLflow's TLS variables end to end: real TLS (a test proxy with a self-signed certificate made by
 * keytool) in front of the real MLflow with basic auth, so credentials travel encrypted.
 */
@ExtendWith(AuthMlflowExtension.class)
class MlflowTlsIT {
  private final AuthMlflowServer server;
  private final AuthAdmin admin;
  private HttpsProxy proxy;
  private String[] user;

  @TempDir Path tmp;

  MlflowTlsIT(AuthMlflowServer server) {
    this.server = server;
    this.admin = new AuthAdmin(server);
  }

  @BeforeEach
  void start() throws IOException {
    proxy = HttpsProxy.start(server.trackingUri(), tmp);
    user = admin.createUser("tls");
  }

  @AfterEach
  void stop() throws IOException {
    proxy.close();
  }

  private MlflowClient client(Map<String, String> tls) {
    Map<String, String> env = new HashMap<>(AuthAdmin.env(user[0], user[1]));
    env.putAll(tls);
    return new MlflowClient(MlflowConfig.fromEnvironment(proxy.uri(), env));
  }

  @Test
  void trustingTheServersCertificateWorks() {
    try (MlflowClient mlflow =
        client(Map.of(MlflowConfig.SERVER_CERT_VAR, proxy.certificatePem().toString()))) {
      String name = TestClients.unique("tls");
      Experiment e = mlflow.tracking().getOrCreateExperiment(name);
      assertEquals(name, mlflow.tracking().getOrCreateExperiment(name).name());
      assertEquals(e.experimentId(), mlflow.tracking().getOrCreateExperiment(name).experimentId());
    }
  }

  @Test
  void anUntrustedCertificateFailsOnceAndSaysWhatToSet() {
    try (MlflowClient mlflow = client(Map.of())) {
      MlflowException e =
          assertThrows(
              MlflowException.class,
              () -> mlflow.tracking().getOrCreateExperiment(TestClients.unique("tls")));
      assertEquals("TLS_HANDSHAKE_FAILED", e.errorCode());
      assertFalse(e.isRetryable());
      assertTrue(e.getMessage().contains("MLFLOW_TRACKING_SERVER_CERT_PATH"), e.getMessage());
      assertFalse(e.getMessage().contains(user[1]), e.getMessage());
    }
  }

  @Test
  void insecureTlsSkipsTheCheck() {
    try (MlflowClient mlflow = client(Map.of(MlflowConfig.INSECURE_TLS_VAR, "true"))) {
      String name = TestClients.unique("tls");
      assertEquals(name, mlflow.tracking().getOrCreateExperiment(name).name());
    }
  }
}
