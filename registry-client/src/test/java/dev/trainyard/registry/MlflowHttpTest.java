package dev.trainyard.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.trainyard.testing.HttpsProxy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport's own contract (headers, encoding, bodies, status handling), checked on a local
 * socket that records requests. MLflow's behaviour itself is covered by the ITs.
 */
class MlflowHttpTest {
  private HttpServer server;
  private final List<String> seen = new ArrayList<>();
  private volatile int status = 200;
  private volatile String reply = "{}";

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          seen.add(
              exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestURI().getRawPath()
                  + (exchange.getRequestURI().getRawQuery() == null
                      ? ""
                      : "?" + exchange.getRequestURI().getRawQuery())
                  + " auth="
                  + exchange.getRequestHeaders().getFirst("Authorization")
                  + " body="
                  + body);
          byte[] out = reply.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
          exchange.getResponseBody().write(out);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private MlflowHttp http(String token) {
    URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/prefix/");
    MlflowConfig.Builder b = MlflowConfig.builder().setTrackingUri(uri);
    if (token != null) {
      b.optToken(token);
    }
    return new MlflowHttp(b.build());
  }

  @Test
  void sendsTheBearerTokenAndEncodesQueriesUnderThePathPrefix() {
    http("tok").get("experiments/get-by-name", Map.of("experiment_name", "a b&c"));
    assertEquals(
        List.of(
            "GET /prefix/api/2.0/mlflow/experiments/get-by-name?experiment_name=a%20b%26c"
                + " auth=Bearer tok body="),
        seen);
  }

  @Test
  void deleteSendsItsParametersAsAJsonBody() {
    http(null).delete("registered-models/alias", MlflowHttp.object().put("name", "m"));
    assertEquals(
        List.of(
            "DELETE /prefix/api/2.0/mlflow/registered-models/alias auth=null body={\"name\":\"m\"}"),
        seen);
  }

  @Test
  void errorStatusBecomesTheTypedException() {
    status = 404;
    reply = "{\"error_code\": \"RESOURCE_DOES_NOT_EXIST\", \"message\": \"gone\"}";
    ResourceNotFoundException e =
        assertThrows(
            ResourceNotFoundException.class,
            () -> http(null).post("runs/get", MlflowHttp.object()));
    assertEquals("gone", e.serverMessage());
  }

  @Test
  void artifactPathsAreEncodedPerSegment() {
    assertEquals(
        "1/r/artifacts/a%20b/c%23d.txt", MlflowHttp.encodePath("1/r/artifacts/a b/c#d.txt"));
  }

  /**
   * The SSL contexts the TLS variables build, over real TLS: a proxy with a self-signed certificate
   * in front of this test's socket.
   */
  @Test
  void tlsTrustsTheGivenCertificateOrNothingOrEverything(@TempDir Path dir) throws IOException {
    try (HttpsProxy proxy =
        HttpsProxy.start(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), dir)) {
      MlflowConfig.Builder b = MlflowConfig.builder().setTrackingUri(proxy.uri()).optToken("tok");
      new MlflowHttp(b.optServerCertPath(proxy.certificatePem()).build())
          .get("experiments/get", Map.of());
      assertEquals(List.of("GET /api/2.0/mlflow/experiments/get auth=Bearer tok body="), seen);

      // The JDK's default trust store does not know a self-signed certificate.
      MlflowException untrusted =
          assertThrows(
              MlflowException.class,
              () ->
                  new MlflowHttp(MlflowConfig.builder().setTrackingUri(proxy.uri()).build())
                      .get("experiments/get", Map.of()));
      assertEquals("TLS_HANDSHAKE_FAILED", untrusted.errorCode());
      assertEquals(false, untrusted.isRetryable());

      new MlflowHttp(
              MlflowConfig.builder().setTrackingUri(proxy.uri()).optInsecureTls(true).build())
          .get("experiments/get", Map.of());
      assertEquals(2, seen.size());
    }
  }

  @Test
  void aFileWithoutCertificatesIsRejectedNamingTheVariable(@TempDir Path dir) throws IOException {
    Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MlflowTls.trusting(notPem));
    assertTrue(e.getMessage().contains(MlflowConfig.SERVER_CERT_VAR), e.getMessage());
  }
}
