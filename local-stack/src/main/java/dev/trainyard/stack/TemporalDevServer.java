package dev.trainyard.stack;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code temporal server start-dev}: the Temporal server with its Web UI, persisted to a SQLite
 * file so workflow runs survive a restart.
 */
public final class TemporalDevServer implements LocalService {
  private final StackConfig config;
  private final StackConfig.TemporalEndpoint endpoint;

  public TemporalDevServer(StackConfig config) {
    this.config = config;
    this.endpoint = config.temporal();
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
    Probe.Result grpc = Probe.temporal(endpoint.address());
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
