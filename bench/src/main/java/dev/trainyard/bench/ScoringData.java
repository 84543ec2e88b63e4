package dev.trainyard.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lpad;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.randn;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.when;

import dev.trainyard.spark.FeatureColumns;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Tabular scoring input: the churn demo's shape (numeric and categorical features, a few percent
 * nulls, a string key) plus a column the model does not use ({@code signup_date}) and, in the
 * scoring input, a few rows the scoring job must quarantine (a NaN {@code monthly_charges}, 1 in
 * 10,000). Seeded and written with {@code files} part files: the same rows every time.
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
    Dataset<Row> base = spark.range(firstId, firstId + rows, 1, files).toDF();
    Dataset<Row> df =
        base.withColumn("customer_id", concat(lit("C"), lpad(col("id").cast("string"), 9, "0")))
            .withColumn("age", floor(lit(18).plus(rand(seed + 1).multiply(62))).cast("double"))
            .withColumn("tenure_months", floor(rand(seed + 2).multiply(72)).cast("int"))
            .withColumn(
                "plan",
                element_at(
                    functions.array(lit("basic"), lit("standard"), lit("premium")),
                    floor(rand(seed + 3).multiply(3)).cast("int").plus(1)))
            .withColumn(
                "region", concat(lit("region-"), floor(rand(seed + 4).multiply(10)).cast("string")))
            .withColumn(
                "payment_method",
                element_at(
                    functions.array(lit("card"), lit("bank"), lit("invoice")),
                    floor(rand(seed + 5).multiply(3)).cast("int").plus(1)))
            .withColumn(
                "monthly_charges",
                round(
                    functions.greatest(
                        lit(5.0),
                        lit(20)
                            .plus(
                                when(col("plan").equalTo("premium"), 60)
                                    .when(col("plan").equalTo("standard"), 30)
                                    .otherwise(0))
                            .plus(randn(seed + 6).multiply(10))),
                    2))
            .withColumn(
                "support_calls",
                floor(rand(seed + 7).multiply(rand(seed + 8)).multiply(10)).cast("double"))
            .withColumn(
                "signup_date",
                date_sub(lit("2026-11-01").cast("date"), col("tenure_months").multiply(30)));
    Column logit =
        lit(-1.0)
            .minus(col("tenure_months").divide(24))
            .plus(col("support_calls").multiply(0.35))
            .plus(col("monthly_charges").minus(50).divide(40))
            .plus(when(col("payment_method").equalTo("invoice"), 0.8).otherwise(0))
            .minus(when(col("plan").equalTo("premium"), 0.5).otherwise(0))
            .plus(col("age").lt(30).cast("double").multiply(0.4));
    Column p = lit(1.0).divide(lit(1.0).plus(exp(logit.multiply(-1))));
    Column u = rand(seed);
    df =
        df.withColumn("churned", when(u.lt(p), "yes").otherwise("no"))
            .withColumn(
                "monthly_charges",
                when(rand(seed + 9).lt(0.03), null)
                    .when(rand(seed + 12).lt(nanFraction), lit(Double.NaN))
                    .otherwise(col("monthly_charges")))
            .withColumn(
                "support_calls",
                when(rand(seed + 10).lt(0.05), null).otherwise(col("support_calls")))
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
