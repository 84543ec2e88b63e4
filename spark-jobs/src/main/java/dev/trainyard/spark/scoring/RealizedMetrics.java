package dev.trainyard.spark.scoring;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.when;

import dev.trainyard.spark.io.DataInputException;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.io.InputData;
import dev.trainyard.spark.io.Outputs;
import dev.trainyard.spark.io.PublishMarker;
import dev.trainyard.spark.io.Publisher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;

/**
 * Realized performance: once the true labels of scored rows arrive, joins them to a published
 * scoring output by key and computes how well the model version that scored did — classification:
 * {@code accuracy}; regression: {@code mae} and {@code rmse}. The output's {@code _trainyard.json}
 * says which model version and which scoring run produced it.
 */
public final class RealizedMetrics {
  private RealizedMetrics() {}

  /**
   * What one scored output's labels say.
   *
   * @param model the registered model that scored
   * @param version the version that scored
   * @param scoringWorkflowId the scoring run's workflow id
   * @param scoringRunId the scoring run's workflow run id (the MLflow scoring run's tag)
   * @param scored rows in the scoring output
   * @param labelled scored rows with a label
   * @param metrics realized metrics by name
   */
  public record Result(
      String model,
      String version,
      String scoringWorkflowId,
      String scoringRunId,
      long scored,
      long labelled,
      Map<String, Double> metrics) {}

  /**
   * @param scoresUri a scoring output published by Trainyard
   * @param labels the labels dataset
   * @param keys the columns that identify a row in both
   * @param label the labels dataset's label column
   * @throws DataInputException naming what is wrong: no published scoring output, a key or the
   *     label missing, a label of the wrong type, no scored row with a label
   */
  public static Result compute(
      SparkSession spark, String scoresUri, DatasetInput labels, List<String> keys, String label) {
    if (keys == null || keys.isEmpty()) {
      throw new DataInputException(
          "realized performance needs the key columns that join labels to scored rows");
    }
    PublishMarker marker = Outputs.marker(spark, scoresUri);
    if (marker == null || !Publisher.SCORES.equals(marker.kind())) {
      throw new DataInputException(
          scoresUri
              + " is not a scoring output published by Trainyard (no "
              + PublishMarker.NAME
              + (marker == null ? "" : " of kind scores; it holds " + marker.kind())
              + "); name the --output of a finished scoring run");
    }
    Dataset<Row> scores = spark.read().parquet(scoresUri);
    Dataset<Row> truth = InputData.read(spark, labels);
    List<String> missing = new ArrayList<>();
    for (String k : keys) {
      if (!has(scores.schema(), k)) {
        missing.add(
            "the scoring output has no key column '" + k + "' (score with --keys " + k + ")");
      }
      if (!has(truth.schema(), k)) {
        missing.add("the labels have no key column '" + k + "'");
      }
    }
    if (!has(truth.schema(), label)) {
      missing.add("the labels have no label column '" + label + "'");
    }
    if (!missing.isEmpty()) {
      throw new DataInputException(
          "cannot join the labels "
              + labels.uri()
              + " to the scores "
              + scoresUri
              + ": "
              + String.join("; ", missing)
              + ". Labels columns: "
              + List.of(truth.columns()));
    }
    DataType predicted = scores.schema().apply(ScoringJob.PREDICTION).dataType();
    boolean regression = !(predicted instanceof StringType);
    DataType labelType = truth.schema().apply(label).dataType();
    if (regression && !(labelType instanceof NumericType)) {
      throw new DataInputException(
          "the label column '"
              + label
              + "' of "
              + labels.uri()
              + " is "
              + labelType.simpleString()
              + ", but the model predicts numbers (regression); give the numeric true values");
    }
    // The labels' keys renamed, so the join condition and its result name no column twice.
    List<Column> truthColumns = new ArrayList<>();
    Column on = lit(true);
    for (int i = 0; i < keys.size(); i++) {
      truthColumns.add(col(InputData.quoted(keys.get(i))).as("__key" + i));
      on = on.and(col(InputData.quoted(keys.get(i))).equalTo(col("__key" + i)));
    }
    truthColumns.add(col(InputData.quoted(label)).as("__truth"));
    Dataset<Row> joined =
        scores.join(
            truth.select(truthColumns.toArray(Column[]::new)).where(col("__truth").isNotNull()),
            on);
    Column prediction = col(ScoringJob.PREDICTION);
    Column actual = col("__truth");
    Row r =
        regression
            ? joined
                .agg(
                    count(lit(1)),
                    avg(abs(prediction.minus(actual.cast("double")))),
                    avg(pow(prediction.minus(actual.cast("double")), 2)))
                .first()
            : joined
                .agg(
                    count(lit(1)),
                    avg(when(prediction.equalTo(actual.cast("string")), 1.0).otherwise(0.0)))
                .first();
    long labelled = r.getLong(0);
    long scored = scores.count();
    if (labelled == 0) {
      throw new DataInputException(
          "none of the "
              + scored
              + " scored rows of "
              + scoresUri
              + " has a label in "
              + labels.uri()
              + " (joined on "
              + keys
              + "); check that the labels are for this day and the keys hold the same values");
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    if (regression) {
      metrics.put("mae", r.getDouble(1));
      metrics.put("rmse", Math.sqrt(r.getDouble(2)));
    } else {
      metrics.put("accuracy", r.getDouble(1));
    }
    return new Result(
        marker.model(),
        marker.version(),
        marker.workflowId(),
        marker.runId(),
        scored,
        labelled,
        metrics);
  }

  private static boolean has(StructType schema, String column) {
    return List.of(schema.fieldNames()).contains(column);
  }
}
