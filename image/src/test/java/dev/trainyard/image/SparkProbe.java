package dev.trainyard.image;

import dev.trainyard.spark.features.FeatureColumns;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.spark.validation.DataValidation;
import dev.trainyard.spark.validation.ValidationReport;
import dev.trainyard.spark.validation.ValidationRules;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Run inside the image's root filesystem by {@link WorkerImageIT}: the Spark path the ECS workers
 * run (Spark in-process, Parquet on local disk), through Trainyard's own validation job. Writes
 * 1,000 rows whose {@code x} runs 0..999, validates them with {@code x} limited to [0, 500] and
 * prints what the job found.
 */
public final class SparkProbe {
  private SparkProbe() {}

  public static void main(String[] args) {
    String uri = args[0];
    SparkSession spark = SparkSessions.local();
    spark
        .range(0, 1000)
        .selectExpr(
            "id", "cast(id as double) as x", "cast(id % 3 as string) as color", "id % 2 as y")
        .write()
        .mode("overwrite")
        .parquet(uri);
    ValidationReport report =
        DataValidation.validate(
            spark,
            DatasetInput.parquet(uri),
            new FeatureColumns("y", "binary", List.of("x"), List.of("color"), List.of("id")),
            ValidationRules.builder().optRanges(Map.of("x", List.of(0.0, 500.0))).build(),
            null);
    System.out.println(
        "spark "
            + spark.version()
            + " validated "
            + report.rows()
            + " rows, passed "
            + report.passed()
            + ", violations "
            + report.violations().stream().map(v -> v.check() + ":" + v.column()).toList());
    spark.stop();
  }
}
