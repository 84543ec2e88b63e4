package dev.trainyard.spark.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how {@link SparkSubmitter} submits.
 *
 * @param master the master URL: {@code spark://host:7077} (standalone; {@code
 *     spark://h1:7077,h2:7077} with standby masters), {@code yarn}, {@code k8s://https://host:443}
 * @param deployMode {@code client} (the driver runs as a child process of the submitting JVM; the
 *     default) or {@code cluster} (the driver runs on the cluster: YARN or Kubernetes)
 * @param jobJar the job jar ({@code trainyard-spark-jobs-VERSION-job.jar}): a local path in client
 *     mode; in cluster mode a URI every cluster node can read
 * @param sparkHome a Spark 4.1 distribution, or null to build one from this JVM's Spark jars under
 *     {@code workDir} (enough for standalone masters; YARN and Kubernetes need a distribution)
 * @param workDir local folder for driver logs, the generated Spark home and (by default) the
 *     request and result files
 * @param exchangeUri where request and result files go; null = {@code workDir}. In cluster deploy
 *     mode a location the driver can reach ({@code s3a://bucket/trainyard/spark-jobs}, {@code
 *     hdfs://...})
 * @param conf Spark configuration for every job ({@code spark.executor.memory}, {@code
 *     spark.driver.host}, {@code spark.hadoop.fs.s3a.endpoint}, ...); entries here win over the
 *     submitter's defaults
 * @param submitTimeout how long the application may take to be accepted by the master (to reach
 *     RUNNING) before it is killed and reported
 * @param stopGrace how long {@link SubmittedJob#cancel()} lets the driver stop before killing it
 */
public record ClusterSettings(
    String master,
    String deployMode,
    Path jobJar,
    Path sparkHome,
    Path workDir,
    String exchangeUri,
    Map<String, String> conf,
    Duration submitTimeout,
    Duration stopGrace) {

  public static final String CLIENT = "client";
  public static final String CLUSTER = "cluster";
  public static final Duration DEFAULT_SUBMIT_TIMEOUT = Duration.ofMinutes(2);
  public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(10);

  public ClusterSettings {
    Objects.requireNonNull(master, "master");
    master = master.trim();
    if (master.isEmpty()) {
      throw new IllegalArgumentException("Spark master URL is blank");
    }
    if (master.startsWith("local")) {
      throw new IllegalArgumentException(
          "master '"
              + master
              + "' is in-process Spark: run the engine directly (SparkSessions.local()) instead of"
              + " submitting");
    }
    if (!(master.startsWith("spark://")
        || master.equals("yarn")
        || master.startsWith("k8s://")
        || master.startsWith("local-cluster"))) {
      throw new IllegalArgumentException(
          "master URL '" + master + "' is not spark://HOST:PORT, yarn or k8s://https://HOST:PORT");
    }
    deployMode = deployMode == null ? CLIENT : deployMode.trim().toLowerCase(Locale.ROOT);
    if (!deployMode.equals(CLIENT) && !deployMode.equals(CLUSTER)) {
      throw new IllegalArgumentException(
          "deploy mode '" + deployMode + "' is neither client nor cluster");
    }
    if (deployMode.equals(CLUSTER) && master.startsWith("spark://")) {
      throw new IllegalArgumentException(
          "cluster deploy mode on a standalone master is not supported: its submission client"
              + " reports no driver state to the launcher and exits 0 even when the driver fails."
              + " Use client deploy mode (the default) for spark:// masters");
    }
    Objects.requireNonNull(jobJar, "jobJar");
    Objects.requireNonNull(workDir, "workDir");
    conf = Map.copyOf(conf == null ? Map.of() : conf);
    submitTimeout = submitTimeout == null ? DEFAULT_SUBMIT_TIMEOUT : submitTimeout;
    stopGrace = stopGrace == null ? DEFAULT_STOP_GRACE : stopGrace;
    if (submitTimeout.isNegative() || submitTimeout.isZero()) {
      throw new IllegalArgumentException("submitTimeout must be positive, got " + submitTimeout);
    }
  }

  /** Client deploy mode, default timeouts, no extra configuration. */
  public static ClusterSettings of(String master, Path jobJar, Path workDir) {
    return new ClusterSettings(master, CLIENT, jobJar, null, workDir, null, null, null, null);
  }

  public ClusterSettings withConf(String key, String value) {
    Map<String, String> all = new LinkedHashMap<>(conf);
    all.put(key, value);
    return new ClusterSettings(
        master, deployMode, jobJar, sparkHome, workDir, exchangeUri, all, submitTimeout, stopGrace);
  }

  public ClusterSettings withSparkHome(Path home) {
    return new ClusterSettings(
        master, deployMode, jobJar, home, workDir, exchangeUri, conf, submitTimeout, stopGrace);
  }

  public ClusterSettings withSubmitTimeout(Duration timeout) {
    return new ClusterSettings(
        master, deployMode, jobJar, sparkHome, workDir, exchangeUri, conf, timeout, stopGrace);
  }

  public ClusterSettings withDeployMode(String mode, String exchange) {
    return new ClusterSettings(
        master, mode, jobJar, sparkHome, workDir, exchange, conf, submitTimeout, stopGrace);
  }
}
