package dev.trainyard.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * Pieces of {@link ScoringJob}'s prediction path, for the scoring benchmark's breakdown. This class
 * sits in the spark-jobs package (in the bench module's jar) so it runs the job's own
 * package-private {@link ScoringJob.Predict} (one {@code SavedModel} per partition, {@code
 * batchSize} rows per {@code predict}) exactly as {@code ScoringJob.predictions} does, but without
 * the job's input checks, persist, counts, PSI, quarantine and publish.
 */
public final class ScoringPaths {
  private ScoringPaths() {}

  private static FeatureManifest manifest(Path modelDir) {
    try {
      return FeatureManifest.fromJson(Files.readString(modelDir.resolve(ScoringJob.FEATURES_JSON)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Dataset<Row> narrowed(
      SparkSession spark, String input, List<String> keys, FeatureManifest manifest) {
    Set<String> names = new LinkedHashSet<>(keys);
    names.addAll(manifest.numeric());
    names.addAll(manifest.categorical());
    return spark
        .read()
        .parquet(input)
        .select(names.stream().map(n -> col(InputData.quoted(n))).toArray(Column[]::new));
  }

  /**
   * Read → the saved feature pipeline ({@link FeatureJob#applyPipelineAsVectors}) → {@link
   * ScoringJob.Predict} → the job's output columns → Parquet at {@code out} (plain write, no
   * staging).
   */
  public static void predictAndWrite(
      SparkSession spark,
      String input,
      Path modelDir,
      List<String> keys,
      int batchSize,
      String modelName,
      String modelVersion,
      String runId,
      String out) {
    FeatureManifest manifest = manifest(modelDir);
    Dataset<Row> rows = narrowed(spark, input, keys, manifest);
    Dataset<Row> withFeatures =
        FeatureJob.applyPipelineAsVectors(
            spark, modelDir.resolve(ScoringJob.FEATURE_PIPELINE).toUri().toString(), rows);
    List<Column> in = new ArrayList<>();
    List<StructField> fields = new ArrayList<>();
    for (String key : keys) {
      in.add(col(InputData.quoted(key)));
      fields.add(rows.schema().apply(key));
    }
    in.add(col("features"));
    boolean regression = manifest.task().equals(FeatureColumns.REGRESSION);
    fields.add(
        DataTypes.createStructField(
            ScoringJob.PREDICTION,
            regression ? DataTypes.DoubleType : DataTypes.StringType,
            false));
    fields.add(
        DataTypes.createStructField(
            ScoringJob.PROBABILITIES, new ArrayType(DataTypes.DoubleType, false), true));
    ScoringJob.Predict predict =
        new ScoringJob.Predict(
            modelDir.resolve(ScoringJob.DJL).toString(),
            false,
            batchSize,
            keys.size(),
            regression ? null : manifest.labels().toArray(String[]::new),
            null);
    withFeatures
        .select(in.toArray(Column[]::new))
        .mapPartitions(predict, Encoders.row(DataTypes.createStructType(fields)))
        .withColumn(ScoringJob.MODEL_NAME, lit(modelName))
        .withColumn(ScoringJob.MODEL_VERSION, lit(modelVersion))
        .withColumn(ScoringJob.SCORING_RUN_ID, lit(runId))
        .write()
        .parquet(out);
  }

  /** Read → the saved feature pipeline → keys + {@code features} (array of float) → Parquet. */
  public static void featuresAndWrite(
      SparkSession spark, String input, Path modelDir, List<String> keys, String out) {
    FeatureManifest manifest = manifest(modelDir);
    Dataset<Row> rows = narrowed(spark, input, keys, manifest);
    List<Column> selected = new ArrayList<>();
    keys.forEach(k -> selected.add(col(InputData.quoted(k))));
    selected.add(col("features"));
    FeatureJob.applyPipeline(
            spark, modelDir.resolve(ScoringJob.FEATURE_PIPELINE).toUri().toString(), rows)
        .select(selected.toArray(Column[]::new))
        .write()
        .parquet(out);
  }
}
