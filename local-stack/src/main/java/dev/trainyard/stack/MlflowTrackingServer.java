package dev.trainyard.stack;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code mlflow server} with a SQLite backend store and artifacts proxied to the S3 store, so
 * clients upload through the tracking server ({@code mlflow-artifacts:}) and need no S3 access.
 * With an {@link MlflowAdmin} it runs MLflow's basic-auth app ({@code --app-name basic-auth}):
 * every call then needs a user and password, and that admin is created on the first start.
 */
public final class MlflowTrackingServer implements LocalService {
  private final StackConfig config;
  private final URI uri;
  private final MlflowAdmin admin;

  public MlflowTrackingServer(StackConfig config) {
    this(config, null);
  }

  /** {@code admin} null: no authentication (the default stack). */
  public MlflowTrackingServer(StackConfig config, MlflowAdmin admin) {
    this.config = config;
    this.uri = config.mlflowTrackingUri();
    this.admin = admin;
  }

  /** Whether this server runs with MLflow's basic-auth app. */
  public boolean authEnabled() {
    return admin != null;
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
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
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
            "2"));
    if (admin != null) {
      writeAuthConfig();
      command.addAll(List.of("--app-name", "basic-auth"));
    }
    return command;
  }

  private Path authConfigFile() {
    return workDir().resolve("basic_auth.ini");
  }

  /**
   * MLflow's auth app reads its settings, the admin's password included, from the file named by
   * MLFLOW_AUTH_CONFIG_PATH; it holds a secret, so only its owner may read it.
   */
  private void writeAuthConfig() {
    Path ini = authConfigFile();
    String text =
        "# Written by Trainyard on each start from "
            + config.stateDir().resolve(MlflowAdmin.FILE)
            + "\n[mlflow]\n"
            // MLflow's own default: signed-in users may read everything, change only their own.
            + "default_permission = READ\n"
            + "database_uri = sqlite:///"
            + workDir().resolve("basic_auth.db").toAbsolutePath()
            + "\nadmin_username = "
            + admin.username()
            + "\nadmin_password = "
            + admin.password()
            + "\nauthorization_function = mlflow.server.auth:authenticate_request_basic_auth\n";
    try {
      Files.createDirectories(ini.getParent());
      Files.deleteIfExists(ini);
      Files.createFile(
          ini, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(ini, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw new StackException(
          "Cannot write " + ini + ": " + e.getMessage() + ".",
          "Check that " + ini.getParent() + " is writable.",
          e);
    }
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
    if (admin != null) {
      env.put("MLFLOW_AUTH_CONFIG_PATH", authConfigFile().toAbsolutePath().toString());
      // The auth app signs its forms with this key and refuses to start without one; all workers
      // must share it.
      env.put("MLFLOW_FLASK_SERVER_SECRET_KEY", admin.flaskSecretKey());
    }
    return env;
  }

  @Override
  public Path workDir() {
    return config.dataDir(name());
  }
}
