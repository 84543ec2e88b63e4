package dev.trainyard.app.demo;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lpad;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.randn;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.when;

import dev.trainyard.spark.io.SparkSessions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * A realistic, learnable churn dataset: numeric and categorical features, a few percent nulls, and
 * a label drawn from a logistic model of the features (so a good model reaches ROC-AUC ~0.8, not
 * 1.0). Seeded: the same rows every time.
 */
public final class ChurnData {
  private ChurnData() {}

  public static long write(String uri, long rows, long seed) {
    SparkSession spark = SparkSessions.local();
    columns(spark.range(rows).toDF(), 8, seed).coalesce(2).write().mode("overwrite").parquet(uri);
    return rows;
  }

  /**
   * The churn rows for {@code ids} (one {@code id} column): {@code customer_id} ("C" + the id
   * zero-padded to {@code idDigits}), {@code age}, {@code tenure_months}, {@code plan}, {@code
   * region}, {@code payment_method}, {@code monthly_charges} (3 % null), {@code support_calls} (5 %
   * null), {@code churned}. Values depend only on {@code seed} and the ids' partitioning, so the
   * demo and the benchmarks (which add their own columns on top) get the same rows every time.
   */
  public static Dataset<Row> columns(Dataset<Row> ids, int idDigits, long seed) {
    Column u = rand(seed);
    Dataset<Row> df =
        ids.withColumn(
                "customer_id", concat(lit("C"), lpad(col("id").cast("string"), idDigits, "0")))
            .withColumn("age", floor(lit(18).plus(rand(seed + 1).multiply(62))).cast("double"))
            .withColumn("tenure_months", floor(rand(seed + 2).multiply(72)).cast("double"))
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
                floor(rand(seed + 7).multiply(rand(seed + 8)).multiply(10)).cast("double"));
    Column logit =
        lit(-1.0)
            .minus(col("tenure_months").divide(24))
            .plus(col("support_calls").multiply(0.35))
            .plus(col("monthly_charges").minus(50).divide(40))
            .plus(when(col("payment_method").equalTo("invoice"), 0.8).otherwise(0))
            .minus(when(col("plan").equalTo("premium"), 0.5).otherwise(0))
            .plus(col("age").lt(30).cast("double").multiply(0.4));
    Column p = lit(1.0).divide(lit(1.0).plus(exp(logit.multiply(-1))));
    return df.withColumn("churned", when(u.lt(p), "yes").otherwise("no"))
        // A few missing values, as real exports have.
        .withColumn(
            "monthly_charges",
            when(rand(seed + 9).lt(0.03), null).otherwise(col("monthly_charges")))
        .withColumn(
            "support_calls", when(rand(seed + 10).lt(0.05), null).otherwise(col("support_calls")))
        .drop("id");
  }
}
