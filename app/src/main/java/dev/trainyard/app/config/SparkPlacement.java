package dev.trainyard.app.config;

import dev.trainyard.activities.runtime.SparkJobs;
import dev.trainyard.spark.cluster.ClusterSettings;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where this worker runs its Spark steps, from the environment (read by {@link TrainyardConfig}):
 * in-process ({@code local[*]}, the default) or submitted to {@code TRAINYARD_SPARK_MASTER}. Spark
 * settings for submitted jobs come the Spark way, from {@code $SPARK_CONF_DIR/spark-defaults.conf}.
 *
 * <ul>
 *   <li>{@code TRAINYARD_SPARK_MASTER}: {@code spark://HOST:PORT}, {@code yarn} or {@code
 *       k8s://https://HOST:PORT}; unset or {@code local[...]}: in-process
 *   <li>{@code TRAINYARD_SPARK_JOB_JAR}: the job jar (default: the one {@code ./mvnw package}
 *       builds in {@code spark-jobs/target/}, or {@code lib/} of a release)
 *   <li>{@code TRAINYARD_SPARK_HOME}: a Spark 4.1 distribution (needed for YARN and Kubernetes;
 *       standalone masters work with the Spark jars Trainyard ships)
 *   <li>{@code TRAINYARD_SPARK_DEPLOY_MODE} ({@code client} default, or {@code cluster}) and {@code
 *       TRAINYARD_SPARK_EXCHANGE_URI} (shared storage for requests and results in cluster mode)
 * </ul>
 */
public final class SparkPlacement {
  private SparkPlacement() {}

  /**
   * The {@code TRAINYARD_SPARK_*} settings, null where unset.
   *
   * @param master the cluster master; null or {@code local[...]}: in-process
   */
  public record Settings(
      String master, Path jobJar, Path sparkHome, String deployMode, String exchangeUri) {
    public static final Settings IN_PROCESS = new Settings(null, null, null, null, null);
  }

  public static SparkJobs from(Settings spark, Path home, Path workDir) {
    String master = spark.master();
    if (master == null || master.isBlank() || master.trim().startsWith("local")) {
      return SparkJobs.inProcess();
    }
    Path jar = jobJar(spark, home);
    try {
      ClusterSettings settings = ClusterSettings.of(master, jar, workDir.resolve("spark-submit"));
      if (spark.sparkHome() != null) {
        settings = settings.withSparkHome(spark.sparkHome());
      }
      if (spark.deployMode() != null) {
        settings = settings.withDeployMode(spark.deployMode(), spark.exchangeUri());
      }
      return SparkJobs.cluster(settings);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("TRAINYARD_SPARK_MASTER: " + e.getMessage());
    }
  }

  private static Path jobJar(Settings spark, Path home) {
    String name = "trainyard-spark-jobs-" + Version.current() + "-job.jar";
    Path jar =
        spark.jobJar() != null
            ? spark.jobJar()
            : Files.exists(home.resolve("lib").resolve(name))
                ? home.resolve("lib").resolve(name)
                : home.resolve("spark-jobs/target").resolve(name);
    if (!Files.isRegularFile(jar)) {
      throw new ConfigException(
          "the Spark job jar "
              + jar
              + " does not exist, and TRAINYARD_SPARK_MASTER asks for submitted Spark jobs. Build"
              + " it with ./mvnw -pl spark-jobs -am package -DskipTests, or set"
              + " TRAINYARD_SPARK_JOB_JAR to it.");
    }
    return jar;
  }
}
