package dev.trainyard.app.config;

import com.uber.m3.tally.Scope;
import dev.trainyard.stack.Probe;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.stack.StackException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.util.Locale;

/**
 * Connections to Temporal, the one place the CLI, the worker and schedules get them: address and
 * namespace from {@link StackConfig.TemporalEndpoint}, TLS, client certificate and API key from
 * {@link TemporalConnection}. Fails fast with one line saying what to fix.
 */
public final class TemporalClients {
  /** How long to wait for the server's health answer: a wrong setting fails within this. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  // A status check answers quickly; dev up polls it while the server starts.
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  private TemporalClients() {}

  /** Everything from the process's configuration (the CLI and the worker). */
  public static WorkflowServiceStubs connect(TrainyardConfig config) {
    return connect(config.stack().temporal(), config.temporalConnection());
  }

  /**
   * As {@link #connect(TrainyardConfig)}, with the SDK's metrics (requests, polls, task latencies)
   * reported to {@code metricsScope}: the worker's, when it serves metrics.
   */
  public static WorkflowServiceStubs connect(TrainyardConfig config, Scope metricsScope) {
    return connect(
        config.stack().temporal(), config.temporalConnection(), CONNECT_TIMEOUT, metricsScope);
  }

  /** Plain text to {@code temporal} (the local stack, tests, benchmarks). */
  public static WorkflowServiceStubs connect(StackConfig.TemporalEndpoint temporal) {
    return connect(temporal, TemporalConnection.PLAINTEXT);
  }

  public static WorkflowServiceStubs connect(
      StackConfig.TemporalEndpoint temporal, TemporalConnection connection) {
    return connect(temporal, connection, CONNECT_TIMEOUT);
  }

  private static WorkflowServiceStubs connect(
      StackConfig.TemporalEndpoint temporal, TemporalConnection connection, Duration timeout) {
    return connect(temporal, connection, timeout, null);
  }

  private static WorkflowServiceStubs connect(
      StackConfig.TemporalEndpoint temporal,
      TemporalConnection connection,
      Duration timeout,
      Scope metricsScope) {
    WorkflowServiceStubsOptions options = options(temporal, connection);
    if (metricsScope != null) {
      options =
          WorkflowServiceStubsOptions.newBuilder(options).setMetricsScope(metricsScope).build();
    }
    try {
      return WorkflowServiceStubs.newConnectedServiceStubs(options, timeout);
    } catch (RuntimeException e) {
      throw new StackException(
          "Temporal at " + temporal.address() + " is not reachable" + reason(e, connection) + ".",
          whatToDo(e, connection),
          e);
    }
  }

  /**
   * Whether Temporal answers, connecting as the CLI and the worker do (TLS, client certificate, API
   * key from the configuration): what {@code dev status} shows for a Temporal it does not run.
   */
  public static Probe.Result probe(TrainyardConfig config) {
    WorkflowServiceStubs stubs = null;
    try {
      stubs = connect(config.stack().temporal(), config.temporalConnection(), PROBE_TIMEOUT);
      var status = stubs.healthCheck().getStatus();
      String how = config.temporalConnection().describe();
      return status.name().equals("SERVING")
          ? new Probe.Result(true, "gRPC SERVING (" + how + ")")
          : new Probe.Result(false, "gRPC health " + status + " (" + how + ")");
    } catch (StackException | ConfigException e) {
      return new Probe.Result(false, e.getMessage());
    } catch (RuntimeException e) {
      return new Probe.Result(false, "health check failed: " + rootMessage(e));
    } finally {
      if (stubs != null) {
        stubs.shutdownNow();
      }
    }
  }

  /** The service options: envconfig's TLS and credentials, our address. */
  static WorkflowServiceStubsOptions options(
      StackConfig.TemporalEndpoint temporal, TemporalConnection connection) {
    WorkflowServiceStubsOptions fromProfile;
    try {
      fromProfile = connection.forStubs().toWorkflowServiceStubsOptions();
    } catch (RuntimeException e) {
      // Unreadable or malformed certificate/key files; the cause names the file problem, never
      // the key's contents.
      throw new ConfigException(
          "Cannot set up TLS for Temporal from "
              + connection.source()
              + ": "
              + rootMessage(e)
              + ". Check TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH and"
              + " TEMPORAL_TLS_SERVER_CA_CERT_PATH (PEM files), or their _DATA variables.");
    }
    WorkflowServiceStubsOptions.Builder b =
        WorkflowServiceStubsOptions.newBuilder(fromProfile).setTarget(temporal.address());
    if (connection.tlsOff()) {
      // An API key would turn TLS on; an explicit TEMPORAL_TLS=false wins, as in the CLI.
      b.setEnableHttps(false);
    }
    return b.build();
  }

  public static WorkflowClient client(
      WorkflowServiceStubs service, StackConfig.TemporalEndpoint t, String identity) {
    WorkflowClientOptions.Builder b =
        WorkflowClientOptions.newBuilder().setNamespace(t.namespace());
    if (identity != null) {
      b.setIdentity(identity);
    }
    return WorkflowClient.newInstance(service, b.build());
  }

  /** What the failure's causes say, as ": <why>" (empty when it is plainly unreachable). */
  private static String reason(Throwable e, TemporalConnection connection) {
    String all = causes(e);
    if (answeredWithTls(all)) {
      return ": it answered with TLS, and this client speaks plain text";
    }
    if (tlsProblem(all) || (connection.tls() && all.contains("ssl"))) {
      return ": TLS handshake failed (" + tlsDiagnosis(all) + ")";
    }
    if (all.contains("unauthenticated") || all.contains("permission_denied")) {
      return ": the server refused the credentials";
    }
    return "";
  }

  private static String whatToDo(Throwable e, TemporalConnection connection) {
    String all = causes(e);
    if (answeredWithTls(all)) {
      return "Set TEMPORAL_TLS=true (and TEMPORAL_TLS_SERVER_CA_CERT_PATH if its CA is private).";
    }
    if (all.contains("certificate_required")
        || all.contains("bad_certificate")
        || all.contains("empty client certificate")) {
      return "The server asked for a client certificate; set TEMPORAL_TLS_CLIENT_CERT_PATH and"
          + " TEMPORAL_TLS_CLIENT_KEY_PATH (or their _DATA variables) to a certificate it trusts.";
    }
    if (all.contains("pkix") || all.contains("certificate_verify_failed")) {
      return "The server's certificate is not signed by a CA this client trusts; set"
          + " TEMPORAL_TLS_SERVER_CA_CERT_PATH to the CA that signed it.";
    }
    if (all.contains("subject alternative") || all.contains("hostname")) {
      return "The server's certificate does not name "
          + "this address; set TEMPORAL_TLS_SERVER_NAME to the name on it.";
    }
    if (tlsProblem(all) || all.contains("ssl")) {
      return connection.tls()
          ? "Check the TEMPORAL_TLS_* settings against the server's TLS, or set TEMPORAL_TLS=false"
              + " for a plain-text server."
          : "The server speaks TLS; set TEMPORAL_TLS=true (and TEMPORAL_TLS_SERVER_CA_CERT_PATH"
              + " if its CA is private).";
    }
    if (all.contains("unauthenticated") || all.contains("permission_denied")) {
      return "Check TEMPORAL_API_KEY or the client certificate, and TEMPORAL_NAMESPACE.";
    }
    return "Start the local stack with `./trainyard dev up`, or set TEMPORAL_ADDRESS to your"
        + " server.";
  }

  /**
   * A plain-text HTTP/2 client that got a TLS record back: netty reports the first bytes, and 0x15
   * 0x03 (alert) or 0x16 0x03 (handshake) start a TLS record.
   */
  private static boolean answeredWithTls(String all) {
    return all.contains("first received frame was not settings")
        && (all.contains("first 5 bytes: 1503") || all.contains("first 5 bytes: 1603"));
  }

  private static boolean tlsProblem(String all) {
    return all.contains("handshake")
        || all.contains("certificate")
        || all.contains("pkix")
        || all.contains("sslexception");
  }

  private static String tlsDiagnosis(String all) {
    if (all.contains("certificate_required")
        || all.contains("bad_certificate")
        || all.contains("empty client certificate")) {
      return "no client certificate accepted";
    }
    if (all.contains("pkix") || all.contains("certificate_verify_failed")) {
      return "unknown server CA";
    }
    if (all.contains("subject alternative") || all.contains("hostname")) {
      return "server name mismatch";
    }
    return "see the TLS settings";
  }

  /** Every cause's class and message, lower case, to match on. */
  private static String causes(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null && b.length() < 20_000; t = t.getCause()) {
      b.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
      for (Throwable s : t.getSuppressed()) {
        b.append(s.getClass().getName()).append(": ").append(s.getMessage()).append('\n');
      }
    }
    return b.toString().toLowerCase(Locale.ROOT);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
