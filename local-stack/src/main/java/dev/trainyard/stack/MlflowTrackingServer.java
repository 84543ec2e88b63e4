package dev.trainyard.stack;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code mlflow server} with a SQLite backend store and artifacts proxied to the S3 store, so
 * clients upload through the tracking server ({@code mlflow-artifacts:}) and need no S3 access.
 */
public final class MlflowTrackingServer implements LocalService {
  private final StackConfig config;
  private final URI uri;

  public MlflowTrackingServer(StackConfig config) {
    this.config = config;
    this.uri = config.mlflowTrackingUri();
  }

  @Override
  public String name() {
    return "mlflow";
  }

  @Override
  public String title() {
    return "MLflow";
  }

  @Override
  public String host() {
    return uri.getHost();
  }

  @Override
  public List<Integer> ports() {
    return List.of(port());
  }

  private int port() {
    return uri.getPort() > 0 ? uri.getPort() : (uri.getScheme().equals("https") ? 443 : 80);
  }

  @Override
  public Map<String, URI> links() {
    Map<String, URI> links = new LinkedHashMap<>();
    links.put("ui", uri);
    return links;
  }

  @Override
  public String relocationHint() {
    return "set MLFLOW_TRACKING_URI=http://127.0.0.1:<port>";
  }

  @Override
  public Probe.Result probe() {
    return Probe.http(uri.resolve("/health"), 200, 200);
  }

  @Override
  public List<String> prepare(Tools tools) {
    Path python = tools.mlflowPython();
    Path mlflow = python.resolveSibling("mlflow");
    return List.of(
        mlflow.toString(),
        "server",
        "--host",
        host(),
        "--port",
        Integer.toString(port()),
        "--backend-store-uri",
        "sqlite:///" + config.dataDir(name()).resolve("mlflow.db").toAbsolutePath(),
        "--artifacts-destination",
        "s3://" + config.s3().artifactBucket() + "/mlflow",
        "--serve-artifacts",
        // Two workers fit a 2-core machine; MLflow's default of four mostly wastes memory here.
        "--workers",
        "2");
  }

  @Override
  public Map<String, String> environment() {
    Map<String, String> env = new HashMap<>();
    StackConfig.S3Endpoint s3 = config.s3();
    if (s3.endpoint() != null) {
      env.put("MLFLOW_S3_ENDPOINT_URL", s3.endpoint().toString());
    }
    if (s3.accessKeyId() != null) {
      env.put("AWS_ACCESS_KEY_ID", s3.accessKeyId());
      env.put("AWS_SECRET_ACCESS_KEY", s3.secretAccessKey());
    }
    env.put("AWS_DEFAULT_REGION", s3.region());
    // uvicorn kills a worker that misses a 5 s health check; on a busy 2-core machine (a build
    // running beside the stack) that killed MLflow's workers faster than they started, so the
    // server never became healthy. A slow worker is still a working one.
    env.putIfAbsent("UVICORN_TIMEOUT_WORKER_HEALTHCHECK", "120");
    return env;
  }

  @Override
  public Path workDir() {
    return config.dataDir(name());
  }
}
