package dev.trainyard.spark.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.launcher.SparkLauncher;

/**
 * Submits Trainyard's Spark jobs ({@link JobMain} in the job jar) to a cluster by master URL, with
 * Spark's launcher API ({@link SparkLauncher}: {@code spark-submit} as a child process, state and
 * application id reported back over the launcher's loopback connection).
 *
 * <pre>{@code
 * SparkSubmitter submitter = new SparkSubmitter(ClusterSettings.of("spark://host:7077", jobJar, workDir));
 * SubmittedJob job = submitter.submit(JobRequest.features(input, columns, split, outputUri), status -> {});
 * FeatureResult result = job.await(Duration.ofSeconds(5), status -> heartbeat(status)).featureResult();
 * }</pre>
 *
 * <p>Why {@code SparkLauncher} and client deploy mode by default: {@code InProcessLauncher} runs
 * {@code spark-submit} inside this JVM, where a client-mode driver would be a second SparkContext
 * beside the worker's local one, and where the standalone cluster-mode client calls {@code
 * System.exit} when the driver ends (and on any submission error) — it would take the worker down.
 * A child process isolates both. {@code SparkLauncher} needs {@code SPARK_HOME/bin/spark-submit}:
 * with no distribution configured, {@link SparkHome#fromClasspath} builds one from the Spark jars
 * this JVM already has. In client mode the driver runs on this machine (executors on the cluster
 * must be able to connect back to it: {@code spark.driver.host}); the result file is local.
 */
public final class SparkSubmitter {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
  private static final int CONNECT_TIMEOUT_MS = 3000;

  private final ClusterSettings settings;
  private Path sparkHome;

  public SparkSubmitter(ClusterSettings settings) {
    this.settings = settings;
  }

  public ClusterSettings settings() {
    return settings;
  }

  /**
   * Submits one job and returns at once. {@code onChange} hears every state change (on a launcher
   * thread; keep it short and non-blocking).
   *
   * @throws SparkJobException {@link SparkJobException.Reason#UNREACHABLE_MASTER} when no master
   *     answers at the URL (checked before anything is launched, in at most a few seconds), or
   *     {@link SparkJobException.Reason#FAILED} when spark-submit cannot be started
   */
  public SubmittedJob submit(JobRequest request, Consumer<JobStatus> onChange) {
    checkMasterReachable();
    if (!settings.jobJar().toString().contains("://") && !Files.isRegularFile(settings.jobJar())) {
      throw new IllegalStateException(
          "the job jar "
              + settings.jobJar()
              + " does not exist: build it with `./mvnw -pl spark-jobs -am package -DskipTests`"
              + " (spark-jobs/target/trainyard-spark-jobs-VERSION-job.jar)");
    }
    String name =
        "trainyard-"
            + request.kind()
            + "-"
            + LocalDateTime.now().format(STAMP)
            + "-"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    Path jobDir;
    try {
      jobDir = Files.createDirectories(settings.workDir().resolve("jobs").resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + settings.workDir(), e);
    }
    String exchange =
        settings.exchangeUri() == null
            ? jobDir.toUri().toString()
            : settings.exchangeUri().replaceAll("/+$", "") + "/" + name + "/";
    String requestUri = exchange + "request.json";
    String resultUri = exchange + "result.json";
    Configuration hadoop = hadoopConf();
    ClusterFiles.delete(hadoop, resultUri);
    ClusterFiles.write(hadoop, requestUri, request.withResultUri(resultUri).toJson());

    Path log = jobDir.resolve("driver.log");
    Map<String, String> env = new HashMap<>();
    if (System.getenv("JAVA_HOME") == null) {
      env.put("JAVA_HOME", System.getProperty("java.home"));
    }
    SparkLauncher launcher =
        new SparkLauncher(env)
            .setSparkHome(sparkHome().toString())
            .setMaster(settings.master())
            .setDeployMode(settings.deployMode())
            .setAppName(name)
            .setAppResource(settings.jobJar().toString())
            .setMainClass(JobMain.class.getName())
            .addAppArgs(request.kind().id(), requestUri)
            .redirectError()
            .redirectOutput(log.toFile())
            .directory(jobDir.toFile());
    conf().forEach(launcher::setConf);

    SubmittedJob job =
        new SubmittedJob(request.kind(), name, settings, resultUri, log, hadoop, onChange);
    try {
      job.started(launcher.startApplication(job.listener()));
    } catch (IOException e) {
      throw new SparkJobException(
          SparkJobException.Reason.FAILED,
          "cannot start spark-submit from "
              + sparkHome()
              + " for master "
              + settings.master()
              + ": "
              + e.getMessage(),
          settings.master(),
          null,
          null,
          null,
          log.toString(),
          e);
    }
    return job;
  }

  /** {@link #submit} and {@link SubmittedJob#await}: the result, or a {@link SparkJobException}. */
  public JobOutcome run(JobRequest request, Duration tick, Consumer<JobStatus> heartbeat) {
    return submit(request, status -> {}).await(tick, heartbeat);
  }

  /**
   * Spark configuration of every job: the defaults, then the settings' entries. The java options of
   * the driver and executors keep {@code -Dai.djl.pytorch.num_threads=1} (scoring runs one PyTorch
   * model per task) unless the settings' options set that property themselves.
   */
  Map<String, String> conf() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.sql.session.timeZone", "UTC");
    conf.put("spark.ui.showConsoleProgress", "false");
    conf.putAll(settings.conf());
    for (String key : List.of("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions")) {
      String options = conf.getOrDefault(key, "").trim();
      if (!options.contains("-Dai.djl.pytorch.num_threads=")) {
        conf.put(key, ("-Dai.djl.pytorch.num_threads=1 " + options).trim());
      }
    }
    return conf;
  }

  /** A Hadoop configuration for the request and result files: the settings' spark.hadoop.*. */
  private Configuration hadoopConf() {
    Configuration conf = new Configuration();
    settings
        .conf()
        .forEach(
            (key, value) -> {
              if (key.startsWith("spark.hadoop.")) {
                conf.set(key.substring("spark.hadoop.".length()), value);
              }
            });
    return conf;
  }

  private synchronized Path sparkHome() {
    if (sparkHome == null) {
      if (settings.sparkHome() != null) {
        if (!SparkHome.isSparkHome(settings.sparkHome())) {
          throw new IllegalStateException(
              "Spark home "
                  + settings.sparkHome()
                  + " has no bin/spark-submit and jars/: point it at a Spark 4.1 (Scala 2.13)"
                  + " distribution, or leave it unset to use the Spark jars Trainyard ships");
        }
        sparkHome = settings.sparkHome();
      } else {
        sparkHome = SparkHome.fromClasspath(settings.workDir().resolve("spark-home"));
      }
    }
    return sparkHome;
  }

  /** Fails fast when no master of a {@code spark://} or {@code k8s://} URL accepts connections. */
  void checkMasterReachable() {
    String master = settings.master();
    List<InetSocketAddress> addresses = new ArrayList<>();
    if (master.startsWith("spark://")) {
      for (String hostPort : master.substring("spark://".length()).split(",")) {
        addresses.add(address(hostPort.trim(), 7077));
      }
    } else if (master.startsWith("k8s://")) {
      String api = master.substring("k8s://".length());
      URI uri = URI.create(api.contains("://") ? api : "https://" + api);
      addresses.add(
          InetSocketAddress.createUnresolved(
              uri.getHost(),
              uri.getPort() > 0 ? uri.getPort() : uri.getScheme().equals("http") ? 80 : 443));
    } else {
      return; // yarn: the ResourceManager comes from HADOOP_CONF_DIR / YARN_CONF_DIR
    }
    List<String> problems = new ArrayList<>();
    for (InetSocketAddress address : addresses) {
      InetSocketAddress resolved =
          new InetSocketAddress(address.getHostString(), address.getPort());
      try (Socket socket = new Socket()) {
        if (resolved.isUnresolved()) {
          throw new IOException("unknown host " + address.getHostString());
        }
        socket.connect(resolved, CONNECT_TIMEOUT_MS);
        return;
      } catch (IOException e) {
        problems.add(address.getHostString() + ":" + address.getPort() + ": " + e.getMessage());
      }
    }
    throw new SparkJobException(
        SparkJobException.Reason.UNREACHABLE_MASTER,
        "cannot reach the Spark master at "
            + master
            + " ("
            + String.join("; ", problems)
            + "). Nothing was submitted. Check that the master is running and that the URL is"
            + (master.startsWith("spark://")
                ? " the master's RPC address (spark://HOST:7077 by default, as the master's web UI"
                    + " shows it at the top), not its web UI port"
                : " the Kubernetes API server's")
            + ", and that this machine can connect to it (firewall, VPN, DNS).",
        master,
        null,
        null,
        null,
        null,
        null);
  }

  private static InetSocketAddress address(String hostPort, int defaultPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon < 0) {
      return InetSocketAddress.createUnresolved(hostPort, defaultPort);
    }
    try {
      return InetSocketAddress.createUnresolved(
          hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("master address '" + hostPort + "' has no numeric port");
    }
  }
}
