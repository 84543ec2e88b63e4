package dev.trainyard.spark.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * The one local {@link SparkSession} of this JVM, created on first use and kept until the JVM exits
 * (starting Spark takes seconds; every job and test reuses it).
 *
 * <p>Defaults, each overridable by a JVM system property of the same name: {@code spark.master} =
 * {@code local[*]}, {@code spark.sql.shuffle.partitions} = 2 x available cores (at least 4).
 * Always: UI off, session time zone UTC, driver bound to loopback.
 *
 * <p>S3: {@code s3://} and {@code s3a://} go through Hadoop's S3A. The worker hands its endpoint
 * and keys over with {@link #useS3} at startup; without that call S3A uses AWS with the standard
 * credential chain (or whatever {@code spark.hadoop.fs.s3a.*} settings say). The settings go into
 * the session's Hadoop configuration only, never into the Spark conf (which Spark may print).
 */
public final class SparkSessions {
  private static volatile SparkSession local;
  private static volatile S3Access s3;

  private SparkSessions() {}

  public static SparkSession local() {
    SparkSession session = local;
    if (session == null) {
      synchronized (SparkSessions.class) {
        session = local;
        if (session == null) {
          session = create();
          applyS3(session.sparkContext().hadoopConfiguration());
          local = session;
        }
      }
    }
    return session;
  }

  /**
   * How this JVM reaches S3, for the Spark session (now, if it is running, else when it starts) and
   * for {@link #hadoopConfiguration()}. Call it before the first S3 access: Hadoop caches one file
   * system per bucket, and a bucket already used keeps the settings it was opened with.
   */
  public static synchronized void useS3(S3Access access) {
    s3 = access;
    SparkSession session = local;
    if (session != null) {
      applyS3(session.sparkContext().hadoopConfiguration());
    }
  }

  /** The settings given to {@link #useS3}, or {@code null}: AWS and the standard chain. */
  public static S3Access s3() {
    return s3;
  }

  /**
   * A Hadoop configuration for reading and writing datasets outside Spark (fingerprints): a copy of
   * the running session's, else a fresh one with the S3 settings. Never starts Spark.
   */
  public static Configuration hadoopConfiguration() {
    SparkSession session = local;
    if (session != null) {
      return new Configuration(session.sparkContext().hadoopConfiguration());
    }
    Configuration conf = new Configuration();
    applyS3(conf);
    return conf;
  }

  private static void applyS3(Configuration conf) {
    S3Access.applyDefaults(conf);
    S3Access access = s3;
    if (access != null) {
      access.applyTo(conf);
    }
  }

  private static SparkSession create() {
    int cores = Runtime.getRuntime().availableProcessors();
    String shufflePartitions =
        System.getProperty("spark.sql.shuffle.partitions", String.valueOf(Math.max(4, 2 * cores)));
    return SparkSession.builder()
        .appName("trainyard")
        .master(System.getProperty("spark.master", "local[*]"))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", shufflePartitions)
        .config("spark.driver.host", System.getProperty("spark.driver.host", "127.0.0.1"))
        .config(
            "spark.driver.bindAddress", System.getProperty("spark.driver.bindAddress", "127.0.0.1"))
        // No Hive and no tables: keep the warehouse out of the working directory.
        .config(
            "spark.sql.warehouse.dir",
            System.getProperty("java.io.tmpdir") + "/trainyard-spark-warehouse")
        .getOrCreate();
  }
}
