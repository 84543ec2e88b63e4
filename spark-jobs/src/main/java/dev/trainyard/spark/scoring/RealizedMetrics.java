package dev.trainyard.spark.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

import dev.trainyard.spark.io.DataInputException;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.io.InputData;
import dev.trainyard.spark.io.Outputs;
import dev.trainyard.spark.io.PublishMarker;
import dev.trainyard.spark.io.Publisher;
import dev.trainyard.training.Metrics;
import dev.trainyard.training.TrainingTask;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;

/**
 * Realized performance: once the true labels of scored rows arrive, joins them to a published
 * scoring output by key and computes how well the model version that scored did, with the metrics
 * and definitions of the training evaluation ({@link Metrics}): binary {@code roc_auc}, {@code
 * pr_auc}, {@code accuracy}, {@code f1}, {@code log_loss}; multiclass {@code accuracy}, {@code
 * macro_f1}, {@code log_loss}; regression {@code rmse}, {@code mae}, {@code r2}. The output's
 * {@code _trainyard.json} says which model version and which scoring run produced it; its
 * probabilities column says which class each probability is.
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
    TrainingTask task;
    List<String> classes = List.of();
    Dataset<Row> pairs;
    if (regression) {
      task = TrainingTask.regression(1);
      pairs = joined.select(col(ScoringJob.PREDICTION), col("__truth").cast("double"));
    } else {
      classes = classes(scores, joined);
      task =
          classes.size() == 2 ? TrainingTask.binary(1) : TrainingTask.multiclass(1, classes.size());
      pairs =
          joined.select(col(ScoringJob.PROBABILITIES), col("__truth").cast("string").as("__truth"));
      List<String> unknown =
          pairs
              .select(col("__truth"))
              .distinct()
              .where(not(col("__truth").isin(classes.toArray())))
              .limit(10)
              .as(Encoders.STRING())
              .collectAsList();
      if (!unknown.isEmpty()) {
        throw new DataInputException(
            "the label column '"
                + label
                + "' of "
                + labels.uri()
                + " holds values that are not classes of "
                + marker.model()
                + "/"
                + marker.version()
                + ": "
                + unknown
                + "; it predicts "
                + classes
                + ". Give the true values as the training labels were written");
      }
    }
    Metrics.Accumulator accumulator = Metrics.accumulator(task);
    accumulate(pairs, classes, task.outputWidth(), accumulator);
    long labelled = accumulator.count();
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
    // Undefined metrics (NaN: ROC-AUC of a day whose labels hold one class) are left out; MLflow
    // takes no NaN, and no value is the honest answer.
    accumulator
        .result()
        .forEach(
            (k, v) -> {
              if (!v.isNaN()) {
                metrics.put(k, v);
              }
            });
    return new Result(
        marker.model(),
        marker.version(),
        marker.workflowId(),
        marker.runId(),
        scored,
        labelled,
        metrics);
  }

  /** Rows handed to the accumulator per call. */
  private static final int BATCH = 4096;

  /**
   * Streams the joined (prediction or probabilities, truth) rows to the driver, partition by
   * partition, into the training module's metric accumulator: the same metric definitions as the
   * gate's, in bounded memory.
   */
  private static void accumulate(
      Dataset<Row> pairs, List<String> classes, int width, Metrics.Accumulator accumulator) {
    Map<String, Integer> index = new java.util.HashMap<>();
    for (int i = 0; i < classes.size(); i++) {
      index.put(classes.get(i), i);
    }
    float[] predictions = new float[BATCH * width];
    double[] truths = new double[BATCH];
    int n = 0;
    Iterator<Row> rows = pairs.toLocalIterator();
    while (rows.hasNext()) {
      Row r = rows.next();
      if (classes.isEmpty()) {
        predictions[n] = (float) r.getDouble(0);
        truths[n] = r.getDouble(1);
      } else {
        List<Double> p = r.getList(0);
        if (p == null || p.size() != width) {
          throw new DataInputException(
              "a scored row has "
                  + (p == null ? "no probabilities" : p.size() + " probabilities")
                  + " where the output's classes are "
                  + classes
                  + "; the scoring output is damaged, score the day again");
        }
        for (int c = 0; c < width; c++) {
          predictions[n * width + c] = p.get(c).floatValue();
        }
        truths[n] = index.get(r.getString(1));
      }
      if (++n == BATCH) {
        accumulator.add(predictions, truths, n);
        n = 0;
      }
    }
    accumulator.add(predictions, truths, n);
  }

  /**
   * The classes of the output's probabilities, by position: as the scoring run recorded them on the
   * column ({@link ScoringJob#CLASSES_METADATA}); for an output written before it did, the classes
   * seen in its predictions and the labels in the feature job's (alphabetical) order, when they are
   * as many as the probabilities.
   */
  private static List<String> classes(Dataset<Row> scores, Dataset<Row> joined) {
    var field = scores.schema().apply(ScoringJob.PROBABILITIES);
    if (field.metadata().contains(ScoringJob.CLASSES_METADATA)) {
      return List.of(field.metadata().getStringArray(ScoringJob.CLASSES_METADATA));
    }
    List<String> seen =
        joined
            .select(col(ScoringJob.PREDICTION).as("c"))
            .union(joined.select(col("__truth").cast("string").as("c")))
            .distinct()
            .as(Encoders.STRING())
            .collectAsList();
    List<String> sorted = new ArrayList<>(seen);
    sorted.removeIf(java.util.Objects::isNull);
    java.util.Collections.sort(sorted);
    Row first =
        scores
            .select(col(ScoringJob.PROBABILITIES))
            .where(col(ScoringJob.PROBABILITIES).isNotNull())
            .first();
    int width = first.getList(0).size();
    if (sorted.size() != width) {
      throw new DataInputException(
          "the scores do not say which probability is which class (published before Trainyard"
              + " recorded it) and their rows and labels show "
              + sorted
              + " for "
              + width
              + " probabilities; score the day again to evaluate it");
    }
    return sorted;
  }

  private static boolean has(StructType schema, String column) {
    return List.of(schema.fieldNames()).contains(column);
  }
}
