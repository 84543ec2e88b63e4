package dev.trainyard.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The one local {@link SparkSession} of this JVM, created on first use and kept until the JVM exits
 * (starting Spark takes seconds; every job and test reuses it).
 *
 * <p>Defaults, each overridable by a JVM system property of the same name: {@code spark.master} =
 * {@code local[*]}, {@code spark.sql.shuffle.partitions} = 2 x available cores (at least 4).
 * Always: UI off, session time zone UTC, driver bound to loopback.
 */
public final class SparkSessions {
  private static volatile SparkSession local;

  private SparkSessions() {}

  public static SparkSession local() {
    SparkSession session = local;
    if (session == null) {
      synchronized (SparkSessions.class) {
        session = local;
        if (session == null) {
          session = create();
          local = session;
        }
      }
    }
    return session;
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
