package dev.trainyard.spark;

import dev.trainyard.spark.io.SparkSessions;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/** Small synthetic datasets, written with Spark itself. */
public final class TestData {
  private TestData() {}

  public static SparkSession spark() {
    return SparkSessions.local();
  }

  /** Rows 0..n-1 shaped by SQL expressions over {@code id}. */
  public static Dataset<Row> rows(long n, String... expressions) {
    return spark().range(n).selectExpr(expressions);
  }

  /** Writes {@code data} as Parquet under {@code dir/name} and returns its URI. */
  public static String parquet(Path dir, String name, Dataset<Row> data) {
    String uri = dir.resolve(name).toUri().toString();
    data.coalesce(2).write().mode(SaveMode.Overwrite).parquet(uri);
    return uri;
  }

  /**
   * 400 rows: {@code id}; {@code x} uniform in [0, 100); {@code n} in 0..6; {@code color} red,
   * green or blue; {@code y} yes or no; {@code target} a number.
   */
  public static Dataset<Row> customers(long n, double shift) {
    return rows(
        n,
        "id",
        "CAST(pmod(id * 7919, 1000) AS DOUBLE) / 10.0 + " + shift + " AS x",
        "CAST(pmod(id, 7) AS INT) AS n",
        "element_at(array('red', 'green', 'blue'), CAST(pmod(id, 3) + 1 AS INT)) AS color",
        "IF(pmod(id * 31, 5) < 2, 'yes', 'no') AS y",
        "CAST(pmod(id * 13, 17) AS DOUBLE) AS target");
  }
}
