package dev.trainyard.stack;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  @Override
  public Map<String, String> environment() {
    return Map.of();
  }

  @Override
  public Path workDir() {
    return config.dataDir(name());
  }
}
