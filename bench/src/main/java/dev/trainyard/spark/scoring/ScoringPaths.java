package dev.trainyard.spark.scoring;

import static org.apache.spark.sql.functions.col;

import dev.trainyard.spark.features.FeatureJob;
import dev.trainyard.spark.features.FeatureManifest;
import dev.trainyard.spark.io.InputData;
import dev.trainyard.training.TrainingTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * Pieces of {@link ScoringJob}'s prediction path, for the scoring benchmark's breakdown. This class
 * sits in the spark-jobs scoring package (in the bench module's jar) so it runs the job's own
 * package-private {@link PartitionScorer} (one {@code SavedModel} per partition, {@code batchSize}
 * rows per {@code predict}) exactly as {@code ScoringJob.scored} does, but without the job's input
 * checks, counts, PSI, quarantine and publish.
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
   * PartitionScorer} → the job's output columns → Parquet at {@code out} (plain write, no staging).
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
    DataType[] keyTypes = new DataType[keys.size()];
    List<StructField> fields = new ArrayList<>();
    for (int k = 0; k < keys.size(); k++) {
      in.add(col(InputData.quoted(keys.get(k))));
      fields.add(rows.schema().apply(keys.get(k)));
      keyTypes[k] = rows.schema().apply(keys.get(k)).dataType();
    }
    in.add(col("features"));
    boolean regression = manifest.kind() == TrainingTask.Kind.REGRESSION;
    fields.add(
        DataTypes.createStructField(
            ScoringJob.PREDICTION,
            regression ? DataTypes.DoubleType : DataTypes.StringType,
            false));
    fields.add(
        DataTypes.createStructField(
            ScoringJob.PROBABILITIES, new ArrayType(DataTypes.DoubleType, false), true));
    for (String constant :
        List.of(ScoringJob.MODEL_NAME, ScoringJob.MODEL_VERSION, ScoringJob.SCORING_RUN_ID)) {
      fields.add(DataTypes.createStructField(constant, DataTypes.StringType, false));
    }
    // No checks, no drift: the accumulator only counts rows and predictions.
    ScoringTotals.Accumulator totals =
        new ScoringTotals.Accumulator(
            new ScoringTotals(0, regression ? 0 : manifest.labels().size(), null, null));
    spark.sparkContext().register(totals);
    PartitionScorer scorer =
        new PartitionScorer(
            modelDir.resolve(ScoringJob.DJL).toString(),
            false,
            batchSize,
            keyTypes,
            0,
            0,
            new DataType[0],
            regression ? null : manifest.labels().toArray(String[]::new),
            null,
            new String[] {modelName, modelVersion, runId},
            totals,
            null);
    RDD<InternalRow> scored =
        withFeatures
            .select(in.toArray(Column[]::new))
            .queryExecution()
            .toRdd()
            .toJavaRDD()
            .mapPartitions(scorer)
            .rdd();
    ((org.apache.spark.sql.classic.SparkSession) spark)
        .internalCreateDataFrame(scored, DataTypes.createStructType(fields), false)
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
