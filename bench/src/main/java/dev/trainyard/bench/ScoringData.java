package dev.trainyard.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.when;

import dev.trainyard.app.demo.ChurnData;
import dev.trainyard.spark.features.FeatureColumns;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Tabular scoring input: the churn demo's shape (numeric and categorical features, a few percent
 * nulls, a string key; the rows come from {@link ChurnData}) plus a column the model does not use
 * ({@code signup_date}) and, in the scoring input, a few rows the scoring job must quarantine (a
 * NaN {@code monthly_charges}, 1 in 10,000). Seeded and written with {@code files} part files: the
 * same rows every time.
 *
 * <p>Columns: {@code customer_id} string (key), {@code age} double, {@code tenure_months} int,
 * {@code monthly_charges} double (3 % null), {@code support_calls} double (5 % null), {@code plan}
 * (3 values), {@code region} (10 values), {@code payment_method} (3 values, 1 % null), {@code
 * signup_date} date, {@code churned} yes/no drawn from a logistic model of the features.
 */
public final class ScoringData {
  public static final FeatureColumns COLUMNS =
      new FeatureColumns(
          "churned",
          "binary",
          List.of("age", "tenure_months", "monthly_charges", "support_calls"),
          List.of("plan", "region", "payment_method"),
          List.of("customer_id"));

  /** Decoded bytes per row, roughly: 4 numbers x 8, key 10, 3 categories ~8 each, date 4. */
  public static final int APPROX_DECODED_BYTES_PER_ROW = 4 * 8 + 10 + 3 * 8 + 4;

  private ScoringData() {}

  /**
   * @param firstId customer ids start here (the training sample and the scoring input differ)
   * @param nanFraction share of rows whose {@code monthly_charges} is NaN (unscoreable)
   */
  public static void write(
      SparkSession spark,
      String uri,
      long rows,
      int files,
      long seed,
      long firstId,
      double nanFraction) {
    Dataset<Row> ids = spark.range(firstId, firstId + rows, 1, files).toDF();
    Dataset<Row> df =
        ChurnData.columns(ids, 9, seed)
            .withColumn("tenure_months", col("tenure_months").cast("int"))
            .withColumn(
                "signup_date",
                date_sub(lit("2026-11-01").cast("date"), col("tenure_months").multiply(30)))
            // The scoring job must quarantine these rows (null stays null).
            .withColumn(
                "monthly_charges",
                when(col("monthly_charges").isNull(), null)
                    .when(rand(seed + 12).lt(nanFraction), lit(Double.NaN))
                    .otherwise(col("monthly_charges")))
            .withColumn(
                "payment_method",
                when(rand(seed + 11).lt(0.01), null).otherwise(col("payment_method")))
            .select(
                "customer_id",
                "age",
                "tenure_months",
                "monthly_charges",
                "support_calls",
                "plan",
                "region",
                "payment_method",
                "signup_date",
                "churned");
    df.write().mode("overwrite").parquet(uri);
  }
}
