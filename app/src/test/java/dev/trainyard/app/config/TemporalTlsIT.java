package dev.trainyard.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.app.cli.Cli;
import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.stack.StackException;
import dev.trainyard.testing.TemporalExtension;
import dev.trainyard.testing.TemporalServer;
import dev.trainyard.testing.TestCertificates;
import dev.trainyard.testing.TlsProxy;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.check.WorkerAnswer;
import dev.trainyard.workflows.check.WorkerCheckRequest;
import dev.trainyard.workflows.check.WorkerCheckResult;
import dev.trainyard.workflows.check.WorkerCheckWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Temporal over mutual TLS, configured only through the {@code TEMPORAL_*} settings: the real dev
 * server behind a TLS-terminating proxy that requires a client certificate from the test's CA.
 */
@ExtendWith(TemporalExtension.class)
class TemporalTlsIT {
  @TempDir static Path dir;
  static TestCertificates certs;
  static TlsProxy proxy;
  static TemporalServer temporal;

  @BeforeAll
  static void startProxy(TemporalServer server) throws Exception {
    temporal = server;
    certs = TestCertificates.create(dir.resolve("pki"));
    int plainPort =
        Integer.parseInt(server.address().substring(server.address().lastIndexOf(':') + 1));
    proxy = TlsProxy.start(certs.serverContext(), plainPort);
  }

  @AfterAll
  static void stopProxy() {
    if (proxy != null) {
      proxy.close();
    }
  }

  /** The settings a deployment would export; no Temporal TOML file, no process environment. */
  private static Map<String, String> env(Map<String, String> extra) throws Exception {
    Path emptyToml = dir.resolve("temporal.toml");
    if (!Files.exists(emptyToml)) {
      Files.writeString(emptyToml, "");
    }
    Map<String, String> env = new HashMap<>();
    env.put("TEMPORAL_ADDRESS", proxy.address());
    env.put("TEMPORAL_NAMESPACE", temporal.namespace());
    env.put("TEMPORAL_CONFIG_FILE", emptyToml.toString());
    env.put("TRAINYARD_STATE_DIR", dir.resolve("state").toString());
    env.putAll(extra);
    return env;
  }

  /** The server's CA, and this client's certificate and key: what mTLS needs. */
  private static Map<String, String> withClientCertificate() {
    return Map.of(
        "TEMPORAL_TLS_SERVER_CA_CERT_PATH", certs.caCert().toString(),
        "TEMPORAL_TLS_CLIENT_CERT_PATH", certs.clientCert().toString(),
        "TEMPORAL_TLS_CLIENT_KEY_PATH", certs.clientKey().toString());
  }

  /** TLS that trusts the server, without a client certificate. */
  private static Map<String, String> trustingTheServerOnly() {
    return Map.of("TEMPORAL_TLS_SERVER_CA_CERT_PATH", certs.caCert().toString());
  }

  private static TrainyardConfig config(Map<String, String> extra) throws Exception {
    return TrainyardConfig.load(dir, null, env(extra));
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES) // a hang guard, not a speed check
  void workerAndClientWithTheRightCertificateRunAWorkflowThroughTls() throws Exception {
    // The worker reads its certificate from files, the client from PEM data in variables: both
    // ways a deployment passes them.
    TrainyardConfig workerConfig =
        config(
            Map.of(
                "TEMPORAL_TLS_SERVER_CA_CERT_PATH", certs.caCert().toString(),
                "TEMPORAL_TLS_CLIENT_CERT_PATH", certs.clientCert().toString(),
                "TEMPORAL_TLS_CLIENT_KEY_PATH", certs.clientKey().toString()));
    TrainyardConfig clientConfig =
        config(
            Map.of(
                "TEMPORAL_TLS_SERVER_CA_CERT_DATA", Files.readString(certs.caCert()),
                "TEMPORAL_TLS_CLIENT_CERT_DATA", Files.readString(certs.clientCert()),
                "TEMPORAL_TLS_CLIENT_KEY_DATA", Files.readString(certs.clientKey())));
    assertTrue(workerConfig.temporalConnection().tls());
    assertTrue(clientConfig.temporalConnection().clientCert());
    assertEquals(proxy.address(), clientConfig.stack().temporal().address());

    try (TrainyardWorker worker = new TrainyardWorker(workerConfig, TaskQueues.ALL)) {
      worker.start();
      WorkflowServiceStubs service = TemporalClients.connect(clientConfig);
      try {
        WorkflowClient client =
            TemporalClients.client(service, clientConfig.stack().temporal(), null);
        WorkerCheckWorkflow check =
            client.newWorkflowStub(
                WorkerCheckWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setTaskQueue(TaskQueues.CONTROL)
                    .setWorkflowId("tls-it-" + UUID.randomUUID())
                    .build());

        WorkerCheckResult result = check.check(new WorkerCheckRequest(TaskQueues.ALL, 0, 60));

        assertTrue(result.allServed(), () -> "not all queues served: " + result);
        assertThat(result.answers())
            .extracting(WorkerAnswer::queue)
            .containsExactlyInAnyOrderElementsOf(TaskQueues.ALL);
        // Every answer came from the worker that reached Temporal only through the proxy.
        assertThat(result.answers())
            .extracting(WorkerAnswer::worker)
            .containsOnly(worker.identity());
      } finally {
        service.shutdown();
      }
    }
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES) // a hang guard, not a speed check
  void theCliReadsTheTlsSettingsFromItsProcessEnvironment() throws Exception {
    Cli.Result ok = Cli.run(env(withClientCertificate()), "schedule", "list");
    assertEquals(0, ok.exitCode(), ok::stderr);

    Cli.Result refused = Cli.run(env(trustingTheServerOnly()), "schedule", "list");
    assertEquals(1, refused.exitCode(), refused::stderr);
    assertThat(refused.stderr().lines().filter(l -> l.startsWith("error: ")))
        .singleElement()
        .asString()
        .contains("client certificate")
        .contains("TEMPORAL_TLS_CLIENT_CERT_PATH");
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES) // a hang guard, not a speed check
  void devStatusChecksTemporalTheWayTheClientsConnect() throws Exception {
    Cli.Result ok = Cli.run(env(withClientCertificate()), "dev", "status", "--json");
    JsonNode temporal = statusOf(ok, "temporal");
    assertTrue(temporal.get("healthy").asBoolean(), ok::stdout);
    assertThat(temporal.get("detail").asText()).contains("SERVING").contains("mTLS");
    assertFalse(temporal.get("managed").asBoolean(), "a TLS frontend is not the stack's own");

    Cli.Result noCert = Cli.run(env(trustingTheServerOnly()), "dev", "status", "--json");
    assertEquals(3, noCert.exitCode(), noCert::stderr);
    JsonNode refused = statusOf(noCert, "temporal");
    assertFalse(refused.get("healthy").asBoolean(), noCert::stdout);
    assertThat(refused.get("detail").asText())
        .contains("client certificate")
        .contains("TEMPORAL_TLS_CLIENT_CERT_PATH");
  }

  /** One service's entry in {@code dev status --json}. */
  private static JsonNode statusOf(Cli.Result result, String service) throws Exception {
    JsonNode doc = new ObjectMapper().readTree(result.stdout());
    for (JsonNode s : doc.get("services")) {
      if (s.get("name").asText().equals(service)) {
        return s;
      }
    }
    throw new AssertionError("no " + service + " in " + result.stdout());
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // the connect timeout bounds it; a hang guard
  void aClientWithoutACertificateIsToldToSetOne() throws Exception {
    TrainyardConfig noCert =
        config(Map.of("TEMPORAL_TLS_SERVER_CA_CERT_PATH", certs.caCert().toString()));
    int refusedBefore = proxy.handshakesFailed();

    StackException e = assertThrows(StackException.class, () -> TemporalClients.connect(noCert));

    // Refused at the TLS handshake, by the server's client-auth check.
    assertThat(proxy.handshakesFailed()).isGreaterThan(refusedBefore);

    System.out.println("message: " + e.getMessage()); // for whoever reads the report
    assertThat(e.getMessage())
        .contains(proxy.address())
        .contains("client certificate")
        .contains("TEMPORAL_TLS_CLIENT_CERT_PATH")
        .doesNotContain("\n");
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // the connect timeout bounds it; a hang guard
  void aClientTrustingAnotherCaIsToldToSetTheServerCa() throws Exception {
    TrainyardConfig wrongCa =
        config(
            Map.of(
                "TEMPORAL_TLS_SERVER_CA_CERT_PATH", certs.otherCaCert().toString(),
                "TEMPORAL_TLS_CLIENT_CERT_PATH", certs.clientCert().toString(),
                "TEMPORAL_TLS_CLIENT_KEY_PATH", certs.clientKey().toString()));

    StackException e = assertThrows(StackException.class, () -> TemporalClients.connect(wrongCa));

    System.out.println("message: " + e.getMessage()); // for whoever reads the report
    assertThat(e.getMessage())
        .contains("TEMPORAL_TLS_SERVER_CA_CERT_PATH")
        .doesNotContain("client certificate")
        .doesNotContain("\n");
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // the connect timeout bounds it; a hang guard
  void aPlainTextClientIsToldTheServerSpeaksTls() throws Exception {
    TrainyardConfig plain = config(Map.of());

    StackException e = assertThrows(StackException.class, () -> TemporalClients.connect(plain));

    System.out.println("message: " + e.getMessage()); // for whoever reads the report
    assertThat(e.getMessage()).contains("TEMPORAL_TLS=true").doesNotContain("\n");
  }
}
