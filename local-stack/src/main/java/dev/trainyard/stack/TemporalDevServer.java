package dev.trainyard.stack;

import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code temporal server start-dev}: the Temporal server with its Web UI, persisted to a SQLite
 * file so workflow runs survive a restart.
 */
public final class TemporalDevServer implements LocalService {
  private final StackConfig config;
  private final StackConfig.TemporalEndpoint endpoint;
  private volatile Supplier<Probe.Result> connectedProbe;
  private volatile boolean tls;

  public TemporalDevServer(StackConfig config) {
    this.config = config;
    this.endpoint = config.temporal();
  }

  /**
   * How to reach the frontend the way the clients do (TLS, client certificate, API key: Temporal
   * Cloud, a self-hosted cluster, a TLS front), which only the caller knows. Without it, plain
   * text.
   */
  void probeWith(Supplier<Probe.Result> probe, boolean tls) {
    this.connectedProbe = probe;
    this.tls = tls;
  }

  /** Not when the clients speak TLS to it: the dev server this stack runs speaks plain text. */
  @Override
  public boolean isManagedHere() {
    return !tls && LocalService.super.isManagedHere();
  }

  @Override
  public String name() {
    return "temporal";
  }

  @Override
  public String title() {
    return "Temporal";
  }

  @Override
  public String host() {
    return endpoint.host();
  }

  @Override
  public List<Integer> ports() {
    return List.of(endpoint.port(), endpoint.uiUri().getPort());
  }

  @Override
  public Map<String, URI> links() {
    Map<String, URI> links = new LinkedHashMap<>();
    links.put("grpc", URI.create("grpc://" + endpoint.address()));
    links.put("ui", endpoint.uiUri());
    return links;
  }

  @Override
  public String relocationHint() {
    return "set TEMPORAL_ADDRESS=127.0.0.1:<port> and TRAINYARD_TEMPORAL_UI_PORT=<port>";
  }

  @Override
  public Probe.Result probe() {
    Supplier<Probe.Result> configured = connectedProbe;
    Probe.Result grpc = configured != null ? configured.get() : Probe.temporal(endpoint.address());
    if (!grpc.healthy() || !isManagedHere()) {
      // A remote Temporal's UI lives wherever its operator put it; the frontend is what matters.
      return grpc;
    }
    Probe.Result ui = Probe.http(endpoint.uiUri(), 200, 399);
    return ui.healthy() ? grpc : Probe.Result.down("Web UI: " + ui.detail());
  }

  @Override
  public List<String> prepare(Tools tools) {
    Path cli = tools.temporalCli();
    List<String> cmd = new ArrayList<>();
    cmd.add(cli.toString());
    cmd.addAll(
        List.of(
            "server",
            "start-dev",
            "--ip",
            endpoint.host(),
            "--port",
            Integer.toString(endpoint.port()),
            "--ui-port",
            Integer.toString(endpoint.uiUri().getPort()),
            "--db-filename",
            config.dataDir(name()).resolve("temporal.db").toString(),
            "--log-level",
            "warn"));
    if (!endpoint.namespace().equals("default")) {
      cmd.addAll(List.of("--namespace", endpoint.namespace()));
    }
    return cmd;
  }

  /**
   * Registers Trainyard's search attributes ({@link TemporalSearchAttributes}) in the namespace, so
   * the workflows can upsert them and the UI can filter by them. Through the operator API rather
   * than {@code start-dev --search-attribute}: that flag is ignored for a database that already
   * exists (an earlier {@code dev up}, or the user's own dev server).
   */
  @Override
  public void whenHealthy(Consumer<String> progress) {
    OperatorServiceStubs operator =
        TemporalSearchAttributes.operator(
            WorkflowServiceStubsOptions.newBuilder().setTarget(endpoint.address()).build());
    try {
      List<String> added = TemporalSearchAttributes.registerMissing(operator, endpoint.namespace());
      if (!added.isEmpty()) {
        progress.accept(
            "registered search attributes in namespace "
                + endpoint.namespace()
                + ": "
                + String.join(", ", added));
      }
    } catch (RuntimeException e) {
      throw new StackException(
          "Could not register Trainyard's search attributes in Temporal namespace "
              + endpoint.namespace()
              + " at "
              + endpoint.address()
              + ": "
              + e.getMessage()
              + ".",
          TemporalSearchAttributes.howToRegister(endpoint.namespace()),
          e);
    } finally {
      operator.shutdownNow();
    }
  }

  @Override
  public Map<String, String> environment() {
    return Map.of();
  }

  @Override
  public Path workDir() {
    return config.dataDir(name());
  }
}
