package dev.trainyard.app.config;

import dev.trainyard.registry.MlflowConfig;
import dev.trainyard.stack.LocalCredentials;
import dev.trainyard.stack.MlflowAdmin;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.workflows.ActivityTuning;
import io.temporal.common.RetryOptions;
import io.temporal.envconfig.ClientConfigProfile;
import io.temporal.envconfig.LoadClientConfigProfileOptions;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The one place configuration is read, built once per process and passed down. Precedence, lowest
 * first: built-in defaults, the YAML file ({@code --config}, {@code TRAINYARD_CONFIG}, or {@code
 * trainyard.yaml} in the Trainyard home), then the ecosystem's environment variables ({@code
 * TEMPORAL_ADDRESS}, {@code MLFLOW_TRACKING_URI}, {@code MLFLOW_TRACKING_TOKEN}, {@code AWS_*},
 * {@code TRAINYARD_*}), so a shell that already talks to those services needs no extra setup. No
 * other class reads the environment.
 *
 * <p>Temporal's connection (address, namespace, TLS, mTLS client certificate, API key) is read the
 * way every Temporal tool reads it, through Temporal's environment configuration: lowest first,
 * built-in defaults, the YAML file's {@code temporal} section, the profile ({@code
 * TEMPORAL_PROFILE}, else {@code default}) of Temporal's TOML file ({@code TEMPORAL_CONFIG_FILE},
 * else {@code ~/.config/temporalio/temporal.toml}), then the {@code TEMPORAL_*} variables.
 *
 * @param stack the services: Temporal, MLflow, S3, and the local state folder
 * @param worker how many activities a worker runs at once per task queue
 * @param mlflowAuth how to authenticate to MLflow (none for the local stack)
 * @param spark where a worker runs its Spark steps
 * @param activities the steps' timeouts and retry policy, handed to Temporal by the worker
 * @param temporalConnection TLS, client certificate and API key for Temporal (plain text locally)
 * @param metrics where the worker serves Prometheus metrics, if anywhere
 * @param openLineage the {@code OPENLINEAGE_*} variables, which configure the worker's OpenLineage
 *     events the way every OpenLineage integration reads them (empty: off)
 */
public record TrainyardConfig(
    StackConfig stack,
    WorkerConcurrency worker,
    Clients.MlflowAuth mlflowAuth,
    SparkPlacement.Settings spark,
    ActivityTuning activities,
    TemporalConnection temporalConnection,
    MetricsEndpoint metrics,
    Map<String, String> openLineage) {

  public TrainyardConfig {
    openLineage = openLineage == null ? Map.of() : Map.copyOf(openLineage);
  }

  /** Everything but metrics and OpenLineage (both off). */
  public TrainyardConfig(
      StackConfig stack,
      WorkerConcurrency worker,
      Clients.MlflowAuth mlflowAuth,
      SparkPlacement.Settings spark,
      ActivityTuning activities,
      TemporalConnection temporalConnection) {
    this(
        stack,
        worker,
        mlflowAuth,
        spark,
        activities,
        temporalConnection,
        MetricsEndpoint.OFF,
        null);
  }

  /** This configuration with the worker's metrics served at {@code endpoint}. */
  public TrainyardConfig withMetrics(MetricsEndpoint endpoint) {
    return new TrainyardConfig(
        stack, worker, mlflowAuth, spark, activities, temporalConnection, endpoint, openLineage);
  }

  /** The {@code OPENLINEAGE_*} variables of {@code env}: OpenLineage's own settings. */
  static Map<String, String> openLineage(Map<String, String> env) {
    Map<String, String> vars = new java.util.TreeMap<>();
    env.forEach(
        (k, v) -> {
          if (k.startsWith("OPENLINEAGE_")) {
            vars.put(k, v);
          }
        });
    return vars;
  }

  /**
   * Where the worker serves Prometheus metrics ({@code GET /metrics}): {@code worker.metrics.port}
   * / {@code TRAINYARD_METRICS_PORT} and {@code worker.metrics.host} / {@code
   * TRAINYARD_METRICS_HOST}. Off unless a port is set; bound to loopback unless a host is set
   * ({@code 0.0.0.0} in a container, where the scraper is on another machine).
   *
   * @param host the address to bind
   * @param port the port; 0 takes any free one (the worker says which); null: off
   */
  public record MetricsEndpoint(String host, Integer port) {
    public static final String LOOPBACK = "127.0.0.1";
    public static final MetricsEndpoint OFF = new MetricsEndpoint(LOOPBACK, null);

    public boolean enabled() {
      return port != null;
    }

    /** On {@code port} (0: any free one) of the loopback address. */
    public static MetricsEndpoint loopback(int port) {
      return new MetricsEndpoint(LOOPBACK, port);
    }
  }

  /** The UI for Temporal Cloud namespaces ({@link #isTemporalCloud}). */
  public static final String TEMPORAL_CLOUD_UI = "https://cloud.temporal.io";

  /** Temporal Cloud's endpoints: {@code NS.ACCT.tmprl.cloud} (mTLS), {@code *.api.temporal.io}. */
  static boolean isTemporalCloud(String host) {
    String h = host.toLowerCase(java.util.Locale.ROOT);
    return h.endsWith(".tmprl.cloud") || h.endsWith(".api.temporal.io");
  }

  private static final Map<String, Set<String>> KNOWN_KEYS =
      Map.of(
          "temporal", Set.of("address", "namespace", "uiUrl"),
          "mlflow", Set.of("trackingUri"),
          "s3", Set.of("endpoint", "region", "lakeBucket", "artifactBucket"),
          "worker", Set.of("concurrency", "metrics"),
          "activities",
              Set.of(
                  "registryTimeout",
                  "dataTimeout",
                  "scoringTimeout",
                  "trainingTimeout",
                  "dataHeartbeat",
                  "scoringHeartbeat",
                  "trainingHeartbeat",
                  "maxAttempts"),
          "stateDir", Set.of());

  /** The keys of {@code worker.concurrency}: Trainyard's task queues by their short names. */
  private static final Set<String> QUEUE_KEYS = Set.of("control", "spark", "train");

  /**
   * How many activities a worker runs at once on each task queue ({@code worker.concurrency.*} in
   * the file, {@code TRAINYARD_WORKER_CONCURRENCY_CONTROL|SPARK|TRAIN} in the environment).
   *
   * @param control registry and other light steps: mostly waiting on HTTP
   * @param spark validation, features, scoring: each runs Spark jobs in this worker's one local
   *     Spark session, so a few at a time share its cores and memory
   * @param train DJL training and evaluation: PyTorch trains one model per process at a time
   */
  public record WorkerConcurrency(int control, int spark, int train) {
    public static final WorkerConcurrency DEFAULTS = new WorkerConcurrency(20, 2, 1);

    /** The limit for a queue by its short name (control, spark, train). */
    public int forQueue(String shortName) {
      return switch (shortName) {
        case "control" -> control;
        case "spark" -> spark;
        case "train" -> train;
        default -> throw new IllegalArgumentException("unknown queue " + shortName);
      };
    }
  }

  /** The Trainyard installation: the launcher exports TRAINYARD_HOME; else the working folder. */
  public static Path home() {
    String env = System.getenv("TRAINYARD_HOME");
    Path home = env != null ? Path.of(env) : Path.of("").toAbsolutePath();
    return home.toAbsolutePath().normalize();
  }

  /**
   * This process's configuration: the file ({@code explicitFile}, else the default one) under this
   * process's environment.
   */
  public static TrainyardConfig fromProcess(Path explicitFile) {
    Map<String, String> env = System.getenv();
    Path home = home();
    return load(home, locate(home, explicitFile, env), env);
  }

  /** All of the configuration from {@code configFile} (may be null) under {@code env}. */
  public static TrainyardConfig load(Path home, Path configFile, Map<String, String> env) {
    StackConfig stack = stack(home, configFile, env);
    return new TrainyardConfig(
        stack,
        workerConcurrency(configFile, env),
        mlflowAuth(env, stack),
        spark(env),
        activities(configFile, env),
        temporalConnection(env),
        metrics(configFile, env),
        openLineage(env));
  }

  /**
   * The built-in defaults around {@code stack}: no MLflow credentials, Spark in-process, default
   * concurrency and activity tuning (tests and benchmarks that bring their own stack).
   */
  public static TrainyardConfig defaults(StackConfig stack) {
    return new TrainyardConfig(
        stack,
        WorkerConcurrency.DEFAULTS,
        Clients.MlflowAuth.NONE,
        SparkPlacement.Settings.IN_PROCESS,
        ActivityTuning.DEFAULTS,
        TemporalConnection.PLAINTEXT,
        MetricsEndpoint.OFF,
        Map.of());
  }

  /** MLflow's own variables: a bearer token, else basic auth. */
  static Clients.MlflowAuth mlflowAuth(Map<String, String> env) {
    return mlflowAuth(env, null);
  }

  /**
   * MLflow's own variables (a bearer token, else basic auth; the TLS pair). With none set and a
   * loopback MLflow that {@code dev up --mlflow-auth} gave an admin, that admin: the local store's
   * credentials work the same way for S3, so a local stack with auth needs no exports.
   */
  static Clients.MlflowAuth mlflowAuth(Map<String, String> env, StackConfig stack) {
    String token = env.get("MLFLOW_TRACKING_TOKEN");
    String user = env.get("MLFLOW_TRACKING_USERNAME");
    String password = env.get("MLFLOW_TRACKING_PASSWORD");
    if (token == null
        && user == null
        && password == null
        && stack != null
        && StackConfig.isLoopback(stack.mlflowTrackingUri().getHost())
        && Files.isRegularFile(stack.stateDir().resolve(MlflowAdmin.FILE))) {
      MlflowAdmin admin = MlflowAdmin.loadOrCreate(stack.stateDir());
      user = admin.username();
      password = admin.password();
    }
    String cert = env.get("MLFLOW_TRACKING_SERVER_CERT_PATH");
    boolean insecure;
    try {
      insecure = MlflowConfig.parseInsecureTls(env.get("MLFLOW_TRACKING_INSECURE_TLS"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("Environment variable " + e.getMessage() + ".");
    }
    return new Clients.MlflowAuth(
        token, user, password, cert == null || cert.isBlank() ? null : cert, insecure);
  }

  /** Spark placement from {@code TRAINYARD_SPARK_*} (see {@link SparkPlacement}). */
  static SparkPlacement.Settings spark(Map<String, String> env) {
    String master = env.get("TRAINYARD_SPARK_MASTER");
    return new SparkPlacement.Settings(
        master == null || master.isBlank() ? null : master.trim(),
        pathOrNull(env.get("TRAINYARD_SPARK_JOB_JAR")),
        pathOrNull(env.get("TRAINYARD_SPARK_HOME")),
        env.get("TRAINYARD_SPARK_DEPLOY_MODE"),
        env.get("TRAINYARD_SPARK_EXCHANGE_URI"));
  }

  private static Path pathOrNull(String text) {
    return text == null ? null : Path.of(text);
  }

  /**
   * The steps' timeouts ({@code activities.*Timeout}, {@code activities.*Heartbeat}: ISO-8601
   * durations like {@code PT2H}) and retry attempts ({@code activities.maxAttempts}) from the file,
   * over {@link ActivityTuning#DEFAULTS}.
   */
  static ActivityTuning activities(Path configFile, Map<String, String> env) {
    Map<String, Object> file = configFile == null ? Map.of() : readYaml(configFile);
    Source src = new Source(file, env, configFile);
    ActivityTuning d = ActivityTuning.DEFAULTS;
    RetryOptions retry = d.retry();
    String attempts =
        src.get(null, "activities", "maxAttempts", Integer.toString(retry.getMaximumAttempts()));
    int n;
    try {
      n = Integer.parseInt(attempts);
    } catch (NumberFormatException e) {
      n = 0;
    }
    if (n < 1) {
      throw new ConfigException(
          "'activities.maxAttempts' in "
              + configFile
              + " is '"
              + attempts
              + "', not a whole number of at least 1. Set how many times a failing step is tried,"
              + " e.g. "
              + retry.getMaximumAttempts()
              + ".");
    }
    return new ActivityTuning(
        step(src, "registry", d.registry()),
        step(src, "data", d.data()),
        step(src, "scoring", d.scoring()),
        step(src, "training", d.training()),
        RetryOptions.newBuilder(retry).setMaximumAttempts(n).build());
  }

  private static ActivityTuning.Step step(Source src, String kind, ActivityTuning.Step dflt) {
    Duration timeout = src.duration("activities", kind + "Timeout", dflt.startToClose());
    Duration heartbeat =
        dflt.heartbeat() == null
            ? null
            : src.duration("activities", kind + "Heartbeat", dflt.heartbeat());
    return new ActivityTuning.Step(timeout, heartbeat);
  }

  /** The services' endpoints and the state folder. */
  static StackConfig stack(Path home, Path configFile, Map<String, String> env) {
    Map<String, Object> file = configFile == null ? Map.of() : readYaml(configFile);
    Source src = new Source(file, env, configFile);

    Path stateDir =
        Path.of(
                src.get(
                    "TRAINYARD_STATE_DIR", "stateDir", null, home.resolve(".trainyard").toString()))
            .toAbsolutePath();

    // Temporal's own configuration (its TOML profile, then TEMPORAL_* over it) wins over the YAML
    // file, so the settings that work for the Temporal CLI work here unchanged.
    TemporalConnection connection = temporalConnection(env);
    ClientConfigProfile profile = connection.profile();
    String temporalAddress =
        notBlank(profile.getAddress())
            ? profile.getAddress().trim()
            : src.get(
                null, "temporal", "address", "127.0.0.1:" + StackConfig.DEFAULT_TEMPORAL_PORT);
    int colon = temporalAddress.lastIndexOf(':');
    if (colon <= 0 || !temporalAddress.substring(colon + 1).matches("\\d{1,5}")) {
      throw new ConfigException(
          temporalWhere(env, profile.getAddress(), "TEMPORAL_ADDRESS", "address", src, connection)
              + " is '"
              + temporalAddress
              + "', not host:port. Set it like 127.0.0.1:7233.");
    }
    String temporalHost = temporalAddress.substring(0, colon);
    int temporalPort = Integer.parseInt(temporalAddress.substring(colon + 1));
    String namespace =
        notBlank(profile.getNamespace())
            ? profile.getNamespace().trim()
            : src.get(null, "temporal", "namespace", "default");
    URI ui =
        src.uri(
            "TRAINYARD_TEMPORAL_UI_URL",
            "temporal",
            "uiUrl",
            // Temporal Cloud's UI serves every namespace under the same paths as the dev server's.
            isTemporalCloud(temporalHost)
                ? TEMPORAL_CLOUD_UI
                : "http://" + temporalHost + ":" + (temporalPort + 1000));

    URI mlflow =
        src.uri(
            "MLFLOW_TRACKING_URI",
            "mlflow",
            "trackingUri",
            "http://127.0.0.1:" + StackConfig.DEFAULT_MLFLOW_PORT);

    String s3Default = "http://127.0.0.1:" + StackConfig.DEFAULT_S3_PORT;
    // The AWS SDKs' own variables: the S3-specific endpoint wins over the general one.
    String endpointVar =
        env.containsKey("AWS_ENDPOINT_URL_S3") ? "AWS_ENDPOINT_URL_S3" : "AWS_ENDPOINT_URL";
    URI s3Endpoint = src.uri(endpointVar, "s3", "endpoint", s3Default);
    String regionVar = env.containsKey("AWS_REGION") ? "AWS_REGION" : "AWS_DEFAULT_REGION";
    String region = src.get(regionVar, "s3", "region", "us-east-1");

    String accessKey = env.get("AWS_ACCESS_KEY_ID");
    String secretKey = env.get("AWS_SECRET_ACCESS_KEY");
    if (accessKey == null && StackConfig.isLoopback(s3Endpoint.getHost())) {
      // The local store's keys live in the state folder, made on first use.
      LocalCredentials local = LocalCredentials.loadOrCreate(stateDir);
      accessKey = local.accessKeyId();
      secretKey = local.secretAccessKey();
    }

    return new StackConfig(
        home,
        stateDir,
        // Installs are kept apart from the state so that several stacks (a second state folder,
        // the tests' stacks) share one download of each program.
        Path.of(
                env.getOrDefault(
                    "TRAINYARD_TOOLS_DIR", home.resolve(".trainyard/tools").toString()))
            .toAbsolutePath(),
        new StackConfig.TemporalEndpoint(temporalHost, temporalPort, namespace, ui),
        mlflow,
        new StackConfig.S3Endpoint(
            s3Endpoint,
            region,
            accessKey,
            secretKey,
            src.get("TRAINYARD_LAKE_BUCKET", "s3", "lakeBucket", StackConfig.DEFAULT_LAKE_BUCKET),
            src.get(
                "TRAINYARD_ARTIFACT_BUCKET",
                "s3",
                "artifactBucket",
                StackConfig.DEFAULT_ARTIFACT_BUCKET)));
  }

  /**
   * Temporal's environment configuration: the profile ({@code TEMPORAL_PROFILE}, else {@code
   * default}) of the TOML file ({@code TEMPORAL_CONFIG_FILE}, else the Temporal CLI's default one,
   * if it exists) with the {@code TEMPORAL_*} variables of {@code env} applied over it.
   */
  public static TemporalConnection temporalConnection(Map<String, String> env) {
    String file = env.get("TEMPORAL_CONFIG_FILE");
    String fileName =
        notBlank(file) ? file : "Temporal's config file (~/.config/temporalio/temporal.toml)";
    if (notBlank(file) && !Files.isRegularFile(Path.of(file))) {
      // envconfig would quietly use no file; a named one that is missing is a typo.
      throw new ConfigException(
          "Environment variable TEMPORAL_CONFIG_FILE is '"
              + file
              + "', which does not exist. Fix the path or unset it.");
    }
    String profileName = notBlank(env.get("TEMPORAL_PROFILE")) ? env.get("TEMPORAL_PROFILE") : null;
    ClientConfigProfile profile;
    try {
      try {
        profile =
            ClientConfigProfile.load(
                LoadClientConfigProfileOptions.newBuilder().setEnvOverrides(env).build());
      } catch (NullPointerException e) {
        // envconfig 1.38 fails this way on a file without any [profile.*] (an empty one, say):
        // that file has nothing to say, so only the variables count.
        if (profileName != null) {
          throw new IllegalArgumentException("no profiles", e);
        }
        profile =
            ClientConfigProfile.load(
                LoadClientConfigProfileOptions.newBuilder()
                    .setEnvOverrides(env)
                    .setDisableFile(true)
                    .build());
      }
    } catch (IOException e) {
      throw new ConfigException(
          "Cannot read "
              + fileName
              + ": "
              + firstLine(e.getMessage())
              + ". Fix the TOML or point TEMPORAL_CONFIG_FILE elsewhere.");
    } catch (IllegalArgumentException e) {
      // The one argument problem a user can cause: a TEMPORAL_PROFILE the file lacks.
      throw new ConfigException(
          "Environment variable TEMPORAL_PROFILE is '"
              + profileName
              + "', but "
              + fileName
              + " has no [profile."
              + profileName
              + "]. Add it or unset TEMPORAL_PROFILE.");
    }
    String source =
        (notBlank(file) || profileName != null ? fileName : "environment")
            + (profileName != null ? " profile " + profileName : "");
    return new TemporalConnection(profile, source);
  }

  private static String temporalWhere(
      Map<String, String> env,
      String fromTemporal,
      String var,
      String key,
      Source src,
      TemporalConnection connection) {
    if (env.get(var) != null) {
      return "Environment variable " + var;
    }
    if (notBlank(fromTemporal)) {
      return "'" + key + "' in " + connection.source();
    }
    return src.where(null, "temporal", key);
  }

  private static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).trim();
  }

  /**
   * The worker's per-queue concurrency limits: environment variables, then the file's {@code
   * worker.concurrency} section, then {@link WorkerConcurrency#DEFAULTS}.
   */
  public static WorkerConcurrency workerConcurrency(Path configFile, Map<String, String> env) {
    Map<String, Object> file = configFile == null ? Map.of() : readYaml(configFile);
    Source src = new Source(file, env, configFile);
    Object section = src.sectionMap("worker").get("concurrency");
    Map<String, Object> limits = new LinkedHashMap<>();
    if (section instanceof Map<?, ?> m) {
      m.forEach((k, v) -> limits.put(String.valueOf(k), v));
    }
    Source concurrency = new Source(Map.of("worker.concurrency", limits), env, configFile);
    int[] values = new int[3];
    String[] names = {"control", "spark", "train"};
    int[] defaults = {
      WorkerConcurrency.DEFAULTS.control(),
      WorkerConcurrency.DEFAULTS.spark(),
      WorkerConcurrency.DEFAULTS.train()
    };
    for (int i = 0; i < names.length; i++) {
      String var = "TRAINYARD_WORKER_CONCURRENCY_" + names[i].toUpperCase(java.util.Locale.ROOT);
      String text =
          concurrency.get(var, "worker.concurrency", names[i], Integer.toString(defaults[i]));
      int n;
      try {
        n = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        n = 0;
      }
      if (n < 1) {
        String where =
            env.get(var) != null && !env.get(var).isBlank()
                ? "Environment variable " + var
                : "'worker.concurrency." + names[i] + "' in " + configFile;
        throw new ConfigException(
            where
                + " is '"
                + text
                + "', not a whole number of at least 1. Set how many "
                + names[i]
                + " activities one worker runs at once, e.g. "
                + defaults[i]
                + ".");
      }
      values[i] = n;
    }
    return new WorkerConcurrency(values[0], values[1], values[2]);
  }

  /** The keys of {@code worker.metrics}. */
  private static final Set<String> METRICS_KEYS = Set.of("port", "host");

  /**
   * Where the worker serves metrics: {@code TRAINYARD_METRICS_PORT} / {@code
   * TRAINYARD_METRICS_HOST}, then the file's {@code worker.metrics} section; off and loopback by
   * default. A port of {@code off} (or empty) turns it off.
   */
  public static MetricsEndpoint metrics(Path configFile, Map<String, String> env) {
    Map<String, Object> file = configFile == null ? Map.of() : readYaml(configFile);
    Source src = new Source(file, env, configFile);
    Object section = src.sectionMap("worker").get("metrics");
    Map<String, Object> values = new LinkedHashMap<>();
    if (section instanceof Map<?, ?> m) {
      m.forEach((k, v) -> values.put(String.valueOf(k), v));
    }
    Source metrics = new Source(Map.of("worker.metrics", values), env, configFile);
    String host =
        metrics.get("TRAINYARD_METRICS_HOST", "worker.metrics", "host", MetricsEndpoint.LOOPBACK);
    String portText = metrics.get("TRAINYARD_METRICS_PORT", "worker.metrics", "port", "off");
    // YAML reads a bare off as false.
    if (portText.isEmpty() || portText.equalsIgnoreCase("off") || portText.equals("false")) {
      return new MetricsEndpoint(host, null);
    }
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      String where =
          env.get("TRAINYARD_METRICS_PORT") != null && !env.get("TRAINYARD_METRICS_PORT").isBlank()
              ? "Environment variable TRAINYARD_METRICS_PORT"
              : "'worker.metrics.port' in " + configFile;
      throw new ConfigException(
          where
              + " is '"
              + portText
              + "', not a port. Set the port the worker serves Prometheus metrics on, e.g. 9464"
              + " (0: any free port), or off.");
    }
    return new MetricsEndpoint(host, port);
  }

  /** The config file to use: an explicit one must exist; the default one is optional. */
  public static Path locate(Path home, Path explicit, Map<String, String> env) {
    if (explicit != null) {
      return requireFile(explicit, "--config");
    }
    if (env.containsKey("TRAINYARD_CONFIG")) {
      return requireFile(Path.of(env.get("TRAINYARD_CONFIG")), "TRAINYARD_CONFIG");
    }
    Path dflt = home.resolve("trainyard.yaml");
    return Files.isRegularFile(dflt) ? dflt : null;
  }

  private static Path requireFile(Path p, String from) {
    if (!Files.isRegularFile(p)) {
      throw new ConfigException(
          "Config file "
              + p
              + " (from "
              + from
              + ") does not exist. Fix the path or leave it unset.");
    }
    return p;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> readYaml(Path path) {
    Object doc;
    try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
    } catch (IOException e) {
      throw new ConfigException("Cannot read config file " + path + ": " + e.getMessage());
    } catch (RuntimeException e) {
      throw new ConfigException(
          "Config file " + path + " is not valid YAML: " + e.getMessage().replace('\n', ' '));
    }
    if (doc == null) {
      return Map.of();
    }
    if (!(doc instanceof Map)) {
      throw new ConfigException(
          "Config file "
              + path
              + " must be a YAML mapping (key: value), not a "
              + doc.getClass().getSimpleName());
    }
    Map<String, Object> map = (Map<String, Object>) doc;
    List<String> problems = new ArrayList<>();
    for (var e : map.entrySet()) {
      Set<String> known = KNOWN_KEYS.get(e.getKey());
      if (known == null) {
        problems.add(
            "unknown key '"
                + e.getKey()
                + "' (known: "
                + String.join(", ", new java.util.TreeSet<>(KNOWN_KEYS.keySet()))
                + ")");
      } else if (!known.isEmpty() && e.getValue() != null) {
        // A section whose keys are all commented out (as in the shipped conf) is empty, not bad.
        if (!(e.getValue() instanceof Map)) {
          problems.add("'" + e.getKey() + "' must be a mapping with keys " + known);
          continue;
        }
        for (var kv : ((Map<String, Object>) e.getValue()).entrySet()) {
          Object k = kv.getKey();
          if (e.getKey().equals("worker") && String.valueOf(k).equals("concurrency")) {
            if (kv.getValue() == null) {
              continue;
            }
            if (!(kv.getValue() instanceof Map<?, ?> limits)) {
              problems.add("'worker.concurrency' must be a mapping with keys " + QUEUE_KEYS);
              continue;
            }
            for (Object q : limits.keySet()) {
              if (!QUEUE_KEYS.contains(String.valueOf(q))) {
                problems.add(
                    "unknown key 'worker.concurrency."
                        + q
                        + "' (known: "
                        + String.join(", ", new java.util.TreeSet<>(QUEUE_KEYS))
                        + ")");
              }
            }
          }
          if (e.getKey().equals("worker")
              && String.valueOf(k).equals("metrics")
              && kv.getValue() != null) {
            if (!(kv.getValue() instanceof Map<?, ?> m)) {
              problems.add("'worker.metrics' must be a mapping with keys " + METRICS_KEYS);
              continue;
            }
            for (Object q : m.keySet()) {
              if (!METRICS_KEYS.contains(String.valueOf(q))) {
                problems.add(
                    "unknown key 'worker.metrics."
                        + q
                        + "' (known: "
                        + String.join(", ", new java.util.TreeSet<>(METRICS_KEYS))
                        + ")");
              }
            }
          }
          if (!known.contains(String.valueOf(k))) {
            problems.add(
                "unknown key '"
                    + e.getKey()
                    + "."
                    + k
                    + "' (known: "
                    + String.join(", ", new java.util.TreeSet<>(known))
                    + ")");
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException("Config file " + path + ": " + String.join("; ", problems) + ".");
    }
    return map;
  }

  /** Looks a setting up in the environment, then the file, then the default. */
  private record Source(Map<String, Object> file, Map<String, String> env, Path path) {
    String get(String var, String section, String key, String dflt) {
      if (var != null && env.get(var) != null && !env.get(var).isBlank()) {
        return env.get(var).trim();
      }
      Object v = key == null ? file.get(section) : sectionMap(section).get(key);
      return v == null ? dflt : String.valueOf(v).trim();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> sectionMap(String section) {
      Object s = file.get(section);
      return s instanceof Map ? (Map<String, Object>) s : new LinkedHashMap<>();
    }

    Duration duration(String section, String key, Duration dflt) {
      String text = get(null, section, key, dflt.toString());
      try {
        Duration d = Duration.parse(text);
        if (d.isZero() || d.isNegative()) {
          throw new IllegalArgumentException("not positive");
        }
        return d;
      } catch (RuntimeException e) {
        throw new ConfigException(
            "'"
                + section
                + "."
                + key
                + "' in "
                + path
                + " is '"
                + text
                + "', not a positive ISO-8601 duration. Set it like PT30M or PT2H.");
      }
    }

    URI uri(String var, String section, String key, String dflt) {
      String text = get(var, section, key, dflt);
      try {
        URI u = new URI(text);
        if (u.getScheme() == null || u.getHost() == null) {
          throw new IllegalArgumentException("no scheme or host");
        }
        return u;
      } catch (Exception e) {
        throw new ConfigException(
            where(var, section, key)
                + " is '"
                + text
                + "', not a URL. Set it like http://127.0.0.1:5000.");
      }
    }

    String where(String var, String section, String key) {
      if (var != null && env.get(var) != null) {
        return "Environment variable " + var;
      }
      if (path != null && sectionMap(section).containsKey(key)) {
        return "'" + section + "." + key + "' in " + path;
      }
      return var;
    }
  }
}
