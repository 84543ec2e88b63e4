package dev.trainyard.spark.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.trainyard.spark.TestData;
import dev.trainyard.spark.io.DataInputException;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.io.Outputs;
import dev.trainyard.spark.io.Publisher;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Realized metrics of published scores against labels, with answers computed by hand. */
class RealizedMetricsTest {
  static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    spark = TestData.spark();
  }

  /** Publishes {@code rows} as a Trainyard scoring output of model m/1. */
  private static String scores(String name, Dataset<Row> rows) {
    String uri = dir.resolve(name).toUri().toString();
    Outputs.publish(
        spark,
        uri,
        new Publisher(Publisher.SCORES, "m", "1", "wf", "run"),
        staging -> rows.write().parquet(staging));
    return uri;
  }

  private static DatasetInput labels(String name, String sql) {
    String uri = dir.resolve(name).toUri().toString();
    spark.sql(sql).write().parquet(uri);
    return new DatasetInput(uri, "parquet");
  }

  /**
   * Binary, classes [no, yes]: k1 p(yes)=0.1 truth no; k2 0.6 yes; k3 0.7 no; k4 0.8 yes; k5 scored
   * without a label; a label for a row never scored.
   */
  private static String binaryScores(String name, Metadata classes) {
    Dataset<Row> rows =
        spark.sql(
            "SELECT * FROM VALUES ('k1', 'no', array(0.9D, 0.1D)), ('k2', 'yes', array(0.4D,"
                + " 0.6D)), ('k3', 'yes', array(0.3D, 0.7D)), ('k4', 'yes', array(0.2D, 0.8D)),"
                + " ('k5', 'no', array(0.6D, 0.4D)) AS t(id, prediction, probabilities)");
    return scores(
        name,
        rows.withColumn("probabilities", rows.col("probabilities").as("probabilities", classes)));
  }

  private static final String BINARY_LABELS =
      "SELECT * FROM VALUES ('k1', 'no'), ('k2', 'yes'), ('k3', 'no'), ('k4', 'yes'),"
          + " ('k9', 'yes') AS t(id, churned)";

  @Test
  void binaryRocAucLogLossAndF1LikeTheGate() {
    Metadata classes =
        new MetadataBuilder()
            .putStringArray(ScoringJob.CLASSES_METADATA, new String[] {"no", "yes"})
            .build();
    RealizedMetrics.Result r =
        RealizedMetrics.compute(
            spark,
            binaryScores("binary", classes),
            labels("binary-labels", BINARY_LABELS),
            List.of("id"),
            "churned");

    assertThat(r.scored()).isEqualTo(5);
    assertThat(r.labelled()).isEqualTo(4);
    assertThat(r.model()).isEqualTo("m");
    // Positives 0.6, 0.8 against negatives 0.1, 0.7: 3 of 4 pairs ranked right.
    assertThat(r.metrics().get("roc_auc")).isCloseTo(0.75, within(1e-9));
    assertThat(r.metrics().get("accuracy")).isCloseTo(0.75, within(1e-12));
    // TP 2, FP 1 (k3), FN 0.
    assertThat(r.metrics().get("f1")).isCloseTo(0.8, within(1e-12));
    double logLoss = -(Math.log(0.9) + Math.log(0.6) + Math.log(0.3) + Math.log(0.8)) / 4;
    assertThat(r.metrics().get("log_loss")).isCloseTo(logLoss, within(1e-6));
    assertThat(r.metrics()).containsKeys("pr_auc");
  }

  @Test
  void withoutRecordedClassesTheOrderIsTheFeatureJobsWhenEveryClassIsSeen() {
    RealizedMetrics.Result r =
        RealizedMetrics.compute(
            spark,
            binaryScores("binary-old", Metadata.empty()),
            labels("binary-old-labels", BINARY_LABELS),
            List.of("id"),
            "churned");
    assertThat(r.metrics().get("roc_auc")).isCloseTo(0.75, within(1e-9));
  }

  @Test
  void labelsThatAreNoClassOfTheModelFailSayingWhich() {
    Metadata classes =
        new MetadataBuilder()
            .putStringArray(ScoringJob.CLASSES_METADATA, new String[] {"no", "yes"})
            .build();
    String uri = binaryScores("binary-bad", classes);
    DatasetInput labels =
        labels(
            "binary-bad-labels", "SELECT * FROM VALUES ('k1', '0'), ('k2', '1') AS t(id, churned)");
    assertThatThrownBy(() -> RealizedMetrics.compute(spark, uri, labels, List.of("id"), "churned"))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("holds values that are not classes of m/1")
        .hasMessageContaining("[no, yes]");
  }

  @Test
  void multiclassMacroF1() {
    Metadata classes =
        new MetadataBuilder()
            .putStringArray(ScoringJob.CLASSES_METADATA, new String[] {"a", "b", "c"})
            .build();
    // Predicted a a b c, true a b b b: a F1 2/3, b F1 2*1/(2+0+2)=1/2, c F1 0.
    Dataset<Row> rows =
        spark.sql(
            "SELECT * FROM VALUES ('k1', 'a', array(0.8D, 0.1D, 0.1D)), ('k2', 'a', array(0.5D,"
                + " 0.4D, 0.1D)), ('k3', 'b', array(0.2D, 0.7D, 0.1D)), ('k4', 'c', array(0.1D,"
                + " 0.2D, 0.7D)) AS t(id, prediction, probabilities)");
    String uri =
        scores(
            "multi",
            rows.withColumn(
                "probabilities", rows.col("probabilities").as("probabilities", classes)));
    RealizedMetrics.Result r =
        RealizedMetrics.compute(
            spark,
            uri,
            labels(
                "multi-labels",
                "SELECT * FROM VALUES ('k1', 'a'), ('k2', 'b'), ('k3', 'b'), ('k4', 'b')"
                    + " AS t(id, y)"),
            List.of("id"),
            "y");
    assertThat(r.metrics().get("accuracy")).isCloseTo(0.5, within(1e-12));
    assertThat(r.metrics().get("macro_f1")).isCloseTo((2.0 / 3 + 0.5 + 0) / 3, within(1e-12));
    double logLoss = -(Math.log(0.8) + Math.log(0.4) + Math.log(0.7) + Math.log(0.2)) / 4;
    assertThat(r.metrics().get("log_loss")).isCloseTo(logLoss, within(1e-6));
  }

  @Test
  void regressionRmseMaeAndR2() {
    String uri =
        scores(
            "regression",
            spark.sql(
                "SELECT * FROM VALUES ('k1', 1.0D), ('k2', 2.0D), ('k3', 3.0D)"
                    + " AS t(id, prediction)"));
    RealizedMetrics.Result r =
        RealizedMetrics.compute(
            spark,
            uri,
            labels(
                "regression-labels",
                "SELECT * FROM VALUES ('k1', 1.0D), ('k2', 2.0D), ('k3', 5.0D) AS t(id, y)"),
            List.of("id"),
            "y");
    // Errors 0, 0, -2; the truth's mean 8/3, total sum of squares 78/9.
    assertThat(r.metrics().get("mae")).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(r.metrics().get("rmse")).isCloseTo(Math.sqrt(4.0 / 3), within(1e-12));
    assertThat(r.metrics().get("r2")).isCloseTo(1 - 4 / (78.0 / 9), within(1e-12));
  }
}
