package dev.trainyard.spark.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trainyard.spark.TestData;
import dev.trainyard.spark.features.FeatureColumns;
import dev.trainyard.spark.features.FeatureJob;
import dev.trainyard.spark.features.FeatureManifest;
import dev.trainyard.spark.features.FeatureTransform;
import dev.trainyard.spark.features.SplitSpec;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.validation.DataValidation;
import dev.trainyard.spark.validation.ValidationReport;
import dev.trainyard.spark.validation.ValidationReportHtml;
import dev.trainyard.training.EpochListener;
import dev.trainyard.training.ModelSpec;
import dev.trainyard.training.SavedModel;
import dev.trainyard.training.Trainer;
import dev.trainyard.training.TrainingResult;
import dev.trainyard.training.TrainingTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Train/serve identity with a transform: a flights-like table whose label is derived by a sql step
 * from a column scoring does not have, rows with a null label filtered out of training only, and
 * timestamp parts computed by a second step. The feature vectors scoring computes for a row equal
 * the ones the feature job wrote for it.
 */
class TransformScoringTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static String trainingInput;
  static String scoringInput;
  static Path features;
  static Path modelDir;
  static FeatureManifest manifest;

  static final String DISTANCE = "(CAST(pmod(id * 7919, 2000) AS DOUBLE) + 100)";
  static final FeatureTransform TRANSFORM =
      new FeatureTransform(
          List.of(
              new FeatureTransform.Step(
                  "SELECT *, CASE WHEN arr_delay > 15 THEN 'late' ELSE 'on_time' END AS delayed,"
                      + " distance / 100.0 AS distance_h FROM __THIS__"),
              new FeatureTransform.Step(
                  "SELECT *, hour(dep_ts) AS dep_hour, CAST(dayofweek(dep_ts) AS STRING) AS"
                      + " dep_dow FROM __THIS__"),
              new FeatureTransform.Step(
                  null,
                  new FeatureTransform.Datetime(
                      "dep_time", "yyyy-MM-dd HH:mm", List.of("month", "hour_cyclic")))),
          "arr_delay IS NOT NULL",
          0.3);
  static final FeatureColumns COLUMNS =
      new FeatureColumns(
          "delayed",
          "binary",
          List.of(
              "distance_h", "dep_hour", "dep_time_month", "dep_time_hour_sin", "dep_time_hour_cos"),
          List.of("carrier", "dep_dow"),
          List.of("id"),
          TRANSFORM);

  /** 600 flights; arr_delay (the raw label) is null every 9th row and grows with distance. */
  static Dataset<Row> flights() {
    return TestData.rows(
        600,
        "id",
        "element_at(array('AA', 'UA', 'DL', 'B6'), CAST(pmod(id, 4) + 1 AS INT)) AS carrier",
        DISTANCE + " AS distance",
        "timestamp_seconds(1700000000 + id * 3731) AS dep_ts",
        "date_format(timestamp_seconds(1700000000 + id * 3731), 'yyyy-MM-dd HH:mm') AS dep_time",
        "concat('N', CAST(pmod(id * 13, 97) AS STRING)) AS tailnum",
        "IF(pmod(id, 9) = 0, NULL, " + DISTANCE + " / 40.0 - 20 + pmod(id, 11)) AS arr_delay");
  }

  @BeforeAll
  static void trainModel() throws IOException {
    spark = TestData.spark();
    trainingInput = TestData.parquet(dir, "flights", flights());
    // What scoring gets: no label, raw or derived.
    scoringInput = TestData.parquet(dir, "to-score", flights().drop("arr_delay"));
    features = dir.resolve("features");
    FeatureJob.fitAndWrite(
        spark,
        DatasetInput.parquet(trainingInput),
        COLUMNS,
        new SplitSpec(0.7, 0.15, 0.15, 7),
        features.toUri().toString());
    manifest = FeatureManifest.fromJson(Files.readString(features.resolve("features.json")));
    TrainingResult trained =
        new Trainer(
                ModelSpec.linear()
                    .withEpochs(5)
                    .withBatchSize(32)
                    .withLearningRate(0.05)
                    .withEarlyStoppingPatience(0)
                    .withDevice(ModelSpec.DeviceChoice.CPU)
                    .withSeed(3),
                TrainingTask.binary(manifest.numFeatures()))
            .train(
                features.resolve("train"),
                features.resolve("validation"),
                dir.resolve("checkpoints"),
                EpochListener.NONE);
    modelDir = dir.resolve("model");
    ScoringJobTest.copyTree(trained.modelDir(), modelDir.resolve("djl"));
    ScoringJobTest.copyTree(features.resolve("pipeline"), modelDir.resolve("feature-pipeline"));
    Files.copy(features.resolve("features.json"), modelDir.resolve("features.json"));
    Files.writeString(
        modelDir.resolve("training-profile.json"),
        DataValidation.validate(spark, DatasetInput.parquet(trainingInput), COLUMNS, null, null)
            .profile()
            .toJson());
  }

  /** id → the feature vector the feature job wrote, over the three splits. */
  static Map<Long, float[]> trainingVectors() {
    Map<Long, float[]> byId = new HashMap<>();
    for (String set : List.of("train", "validation", "test")) {
      for (Row r : spark.read().parquet(features.resolve(set).toString()).collectAsList()) {
        List<Float> f = r.getList(1);
        float[] x = new float[f.size()];
        for (int i = 0; i < x.length; i++) {
          x[i] = f.get(i);
        }
        byId.put(r.getLong(0), x);
      }
    }
    return byId;
  }

  @Test
  void theFilterAndTheStepsAreInTheManifestAndThePipeline() {
    assertThat(manifest.filteredRows()).isEqualTo(67); // ids 0, 9, ..., 594
    assertThat(manifest.trainRows() + manifest.validationRows() + manifest.testRows())
        .isEqualTo(533);
    assertThat(manifest.labels()).containsExactly("late", "on_time");
    assertThat(manifest.transform()).isEqualTo(TRANSFORM);
    Transformer[] stages =
        PipelineStages.load(spark, modelDir.resolve("feature-pipeline").toUri().toString());
    assertThat(((SQLTransformer) stages[0]).getStatement()).contains("AS delayed");
    assertThat(((SQLTransformer) stages[1]).getStatement()).contains("hour(dep_ts)");
    assertThat(((SQLTransformer) stages[2]).getStatement())
        .contains("try_to_timestamp(`dep_time`, 'yyyy-MM-dd HH:mm')");
    assertThat(manifest.featureNames())
        .startsWith("distance_h", "dep_hour")
        .contains("carrier=AA", "dep_dow=1", "dep_dow=__unknown__");
  }

  @Test
  void validationCountsTheFilteredRowsAndChecksTransformedColumns() {
    ValidationReport report =
        DataValidation.validate(spark, DatasetInput.parquet(trainingInput), COLUMNS, null, null);
    assertThat(report.passed()).as(report.summary()).isTrue();
    assertThat(report.rows()).isEqualTo(533);
    assertThat(report.trainingFilter().inputRows()).isEqualTo(600);
    assertThat(report.trainingFilter().removedRows()).isEqualTo(67);
    assertThat(report.trainingFilter().transformSteps()).isEqualTo(3);
    assertThat(report.columns())
        .containsKeys("distance_h", "dep_hour", "dep_dow", "delayed", "dep_time_hour_sin");
    assertThat(report.trainingFilter().derivedColumns())
        .contains("dep_hour", "dep_dow", "delayed", "dep_time_hour_sin")
        .doesNotContain("carrier");
    assertThat(report.summary())
        .contains("trainingFilter arr_delay IS NOT NULL: removed 67 of 600 rows")
        .contains("derived by the transform: ")
        .contains("(the other columns are raw)");
    assertThat(ValidationReportHtml.render("in", report, null))
        .contains("dep_hour <small>(derived by the transform)</small>")
        .doesNotContain("carrier <small>");
  }

  @Test
  void scoringComputesTheTrainingFeatureVectorsOnBothPaths() {
    Map<Long, float[]> trained = trainingVectors();
    assertThat(trained).hasSize(533);
    Transformer[] all =
        PipelineStages.load(spark, modelDir.resolve("feature-pipeline").toUri().toString());
    Transformer[] featureStages = FeatureJob.featureStages(all, manifest);

    // The Spark path: the saved steps, then the feature stages, on rows without any label.
    assertThat(sameVectorsViaSpark(all, manifest, trained)).isEqualTo(533);

    // The compiled path (what ScoringJob uses here): the model's probabilities on the scored rows
    // equal its probabilities on the training vectors.
    assertThat(CompiledFeatures.compile(featureStages, manifest)).isNotNull();
    ScoringRequest request =
        ScoringRequest.builder()
            .setInput(DatasetInput.parquet(scoringInput))
            .setModelDir(modelDir.toString())
            .setModelName("flights")
            .setModelVersion("1")
            .setScoringRunId("run-identity")
            .optKeyColumns(List.of("id"))
            .setOutputUri(dir.resolve("out").toUri().toString())
            .setQuarantineUri(dir.resolve("quarantine").toUri().toString())
            .optBatchSize(64)
            .optPartitions(2)
            .optMaxQuarantineFraction(0.0)
            .build();
    ScoringReport report = ScoringJob.score(spark, request);
    assertThat(report.scored()).isEqualTo(600);
    Map<Long, Double> late = new HashMap<>();
    for (Row r : spark.read().parquet(request.outputUri()).collectAsList()) {
      late.put(r.getLong(0), r.<Double>getList(2).get(0));
    }
    try (SavedModel model = SavedModel.load(modelDir.resolve("djl"))) {
      for (Map.Entry<Long, float[]> e : trained.entrySet()) {
        float[] p = model.predict(new float[][] {e.getValue()})[0];
        assertThat(late.get(e.getKey())).as("id %d", e.getKey()).isCloseTo(p[0], within(1e-6));
      }
    }
  }

  /**
   * Applies the saved steps and the feature stages to the scoring rows (no label) and compares each
   * vector with the feature job's for that id; returns how many were compared.
   */
  static int sameVectorsViaSpark(
      Transformer[] all, FeatureManifest manifest, Map<Long, float[]> trained) {
    Dataset<Row> raw = spark.read().parquet(scoringInput);
    Dataset<Row> transformed = FeatureJob.applyTransform(all, manifest, raw, scoringInput);
    List<Row> viaSpark =
        new PipelineModel("identity", FeatureJob.featureStages(all, manifest))
            .transform(transformed)
            .select("id", "features")
            .collectAsList();
    assertThat(viaSpark).hasSize(600);
    int compared = 0;
    for (Row r : viaSpark) {
      float[] expected = trained.get(r.getLong(0));
      if (expected == null) {
        continue; // filtered out of training (no label): scored all the same
      }
      double[] got = ((Vector) r.get(1)).toArray();
      assertThat(got).hasSize(expected.length);
      for (int i = 0; i < got.length; i++) {
        assertThat((float) got[i])
            .as("id %d slot %d", r.getLong(0), i)
            .isCloseTo(expected[i], within(1e-6f));
      }
      compared++;
    }
    return compared;
  }

  /**
   * A second training of the same spec compares with the first's model: both score the test rows
   * {@code rawSplit} gives back, each through its own saved pipeline, which applies the transform
   * steps itself. The rows must be raw (plus the derived label the comparison pairs on), or the
   * steps run twice.
   */
  @Test
  void aSecondTrainingScoresTheRawTestRowsThroughTheFirstModelsPipeline() {
    // The spec's steps and one more, whose column the spec does not name.
    List<FeatureTransform.Step> steps = new java.util.ArrayList<>(TRANSFORM.steps());
    steps.add(new FeatureTransform.Step("SELECT *, lower(carrier) AS carrier_lower FROM __THIS__"));
    FeatureColumns columns =
        COLUMNS.withTransform(new FeatureTransform(steps, TRANSFORM.trainingFilter(), 0.3));
    SplitSpec split = new SplitSpec(0.7, 0.15, 0.15, 7);
    Path first = dir.resolve("features-first");
    FeatureJob.fitAndWrite(
        spark, DatasetInput.parquet(trainingInput), columns, split, first.toUri().toString());
    FeatureJob.fitAndWrite(
        spark,
        DatasetInput.parquet(trainingInput),
        columns,
        split,
        dir.resolve("features-second").toUri().toString());
    Dataset<Row> rawTest =
        FeatureJob.rawSplit(spark, DatasetInput.parquet(trainingInput), columns, split, "test");
    List<String> expectedColumns =
        new java.util.ArrayList<>(List.of(spark.read().parquet(trainingInput).columns()));
    expectedColumns.addAll(
        List.of(
            "distance_h",
            "dep_hour",
            "dep_time_month",
            "dep_time_hour_sin",
            "dep_time_hour_cos",
            "dep_dow",
            "delayed"));
    assertThat(rawTest.columns()).containsExactlyElementsOf(expectedColumns);

    // As the comparison does: a row number and the label's class index beside the raw columns,
    // then the champion's (the first training's) pipeline.
    Dataset<Row> paired =
        rawTest
            .withColumn("row", org.apache.spark.sql.functions.monotonically_increasing_id())
            .withColumn(
                "label_index",
                org.apache
                    .spark
                    .sql
                    .functions
                    .when(org.apache.spark.sql.functions.col("delayed").equalTo("late"), 0.0)
                    .otherwise(1.0));
    List<Row> scored =
        FeatureJob.applyPipeline(spark, first.resolve("pipeline").toUri().toString(), paired)
            .select("id", "features", "label_index", "delayed")
            .collectAsList();
    Map<Long, float[]> trained = new HashMap<>();
    for (Row r : spark.read().parquet(first.resolve("test").toString()).collectAsList()) {
      List<Float> f = r.getList(1);
      float[] x = new float[f.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = f.get(i);
      }
      trained.put(r.getLong(0), x);
    }
    assertThat(scored).hasSize(trained.size()).hasSize((int) manifest.testRows());
    for (Row r : scored) {
      float[] expected = trained.get(r.getLong(0));
      assertThat(expected).as("id %d is a test row", r.getLong(0)).isNotNull();
      List<Float> got = r.getList(1);
      for (int i = 0; i < expected.length; i++) {
        assertThat(got.get(i))
            .as("id %d slot %d", r.getLong(0), i)
            .isCloseTo(expected[i], within(1e-6f));
      }
      assertThat(r.getDouble(2)).isEqualTo(r.getString(3).equals("late") ? 0.0 : 1.0);
    }
  }

  @Test
  void hashedAndTopKCategoriesAreTheSameAtScoring() {
    FeatureColumns encoded =
        new FeatureColumns(
            "delayed",
            "binary",
            List.of("distance_h"),
            List.of("carrier", "tailnum"),
            List.of("id"),
            new FeatureTransform(
                TRANSFORM.steps(),
                TRANSFORM.trainingFilter(),
                0.3,
                Map.of(
                    "tailnum",
                    new FeatureTransform.Encoding(16, null),
                    "carrier",
                    new FeatureTransform.Encoding(null, 2))));
    Path out = dir.resolve("features-encoded");
    FeatureJob.fitAndWrite(
        spark,
        DatasetInput.parquet(trainingInput),
        encoded,
        new SplitSpec(0.7, 0.15, 0.15, 7),
        out.toUri().toString());
    FeatureManifest m = FeatureJob.readManifest(spark, out.toUri().toString());
    // distance, 16 hash buckets (+ unknown), the two most frequent carriers + other (+ unknown)
    assertThat(m.numFeatures()).isBetween(1 + 4, 1 + 17 + 4);
    assertThat(m.featureNames()).contains("carrier=" + FeatureTransform.OTHER, "tailnum=0");
    assertThat(m.featureNames().stream().filter(n -> n.startsWith("carrier=")).count())
        .isEqualTo(4);
    Transformer[] all = PipelineStages.load(spark, out.resolve("pipeline").toUri().toString());
    assertThat(CompiledFeatures.compile(FeatureJob.featureStages(all, m), m))
        .as("scoring falls back to the fitted pipeline")
        .isNull();
    Map<Long, float[]> trained = new HashMap<>();
    for (String set : List.of("train", "validation", "test")) {
      for (Row r : spark.read().parquet(out.resolve(set).toString()).collectAsList()) {
        List<Float> f = r.getList(1);
        float[] x = new float[f.size()];
        for (int i = 0; i < x.length; i++) {
          x[i] = f.get(i);
        }
        trained.put(r.getLong(0), x);
      }
    }
    assertThat(sameVectorsViaSpark(all, m, trained)).isEqualTo(533);
  }

  /**
   * Fits {@code columns} on {@code data}, trains a small model on the features, scores {@code data}
   * without its raw label through {@link ScoringJob}, and checks that the scored probabilities are
   * the model's on the training vectors, and that the saved steps and feature stages give those
   * vectors (1e-6). Returns the manifest.
   */
  static FeatureManifest scoringMatchesTraining(
      String name, FeatureColumns columns, Dataset<Row> data, boolean compiled) throws IOException {
    String train = TestData.parquet(dir, name + "-in", data);
    String score = TestData.parquet(dir, name + "-score", data.drop("arr_delay"));
    Path out = dir.resolve(name + "-features");
    FeatureJob.fitAndWrite(
        spark,
        DatasetInput.parquet(train),
        columns,
        new SplitSpec(0.7, 0.15, 0.15, 7),
        out.toUri().toString());
    FeatureManifest m = FeatureJob.readManifest(spark, out.toUri().toString());
    Map<Long, float[]> trained = new HashMap<>();
    for (String set : List.of("train", "validation", "test")) {
      for (Row r : spark.read().parquet(out.resolve(set).toString()).collectAsList()) {
        List<Float> f = r.getList(1);
        float[] x = new float[f.size()];
        for (int i = 0; i < x.length; i++) {
          x[i] = f.get(i);
        }
        trained.put(r.getLong(0), x);
      }
    }
    Transformer[] all = PipelineStages.load(spark, out.resolve("pipeline").toUri().toString());
    assertThat(CompiledFeatures.compile(FeatureJob.featureStages(all, m), m) != null)
        .as("compiled scoring path")
        .isEqualTo(compiled);
    // The saved steps and feature stages on the scoring rows (no label).
    Dataset<Row> transformed =
        FeatureJob.applyTransform(all, m, spark.read().parquet(score), score);
    int compared = 0;
    for (Row r :
        new PipelineModel("identity", FeatureJob.featureStages(all, m))
            .transform(transformed)
            .select("id", "features")
            .collectAsList()) {
      float[] expected = trained.get(r.getLong(0));
      if (expected == null) {
        continue;
      }
      double[] got = ((Vector) r.get(1)).toArray();
      assertThat(got).hasSize(m.numFeatures());
      for (int i = 0; i < got.length; i++) {
        assertThat((float) got[i])
            .as("id %d slot %s", r.getLong(0), m.featureNames().get(i))
            .isCloseTo(expected[i], within(1e-6f));
      }
      compared++;
    }
    assertThat(compared).isEqualTo(trained.size()).isEqualTo(533);

    // The scoring job itself.
    TrainingResult model =
        new Trainer(
                ModelSpec.linear()
                    .withEpochs(2)
                    .withBatchSize(64)
                    .withLearningRate(0.05)
                    .withEarlyStoppingPatience(0)
                    .withDevice(ModelSpec.DeviceChoice.CPU)
                    .withSeed(3),
                TrainingTask.binary(m.numFeatures()))
            .train(
                out.resolve("train"),
                out.resolve("validation"),
                dir.resolve(name + "-checkpoints"),
                EpochListener.NONE);
    Path version = dir.resolve(name + "-model");
    ScoringJobTest.copyTree(model.modelDir(), version.resolve("djl"));
    ScoringJobTest.copyTree(out.resolve("pipeline"), version.resolve("feature-pipeline"));
    Files.copy(out.resolve("features.json"), version.resolve("features.json"));
    ScoringRequest request =
        ScoringRequest.builder()
            .setInput(DatasetInput.parquet(score))
            .setModelDir(version.toString())
            .setModelName(name)
            .setModelVersion("1")
            .setScoringRunId("run-" + name)
            .optKeyColumns(List.of("id"))
            .setOutputUri(dir.resolve(name + "-scores").toUri().toString())
            .setQuarantineUri(dir.resolve(name + "-quarantine").toUri().toString())
            .optBatchSize(64)
            .optPartitions(2)
            .optMaxQuarantineFraction(0.0)
            .build();
    assertThat(ScoringJob.score(spark, request).scored()).isEqualTo(600);
    Map<Long, Double> late = new HashMap<>();
    for (Row r : spark.read().parquet(request.outputUri()).collectAsList()) {
      late.put(r.getLong(0), r.<Double>getList(2).get(0));
    }
    try (SavedModel saved = SavedModel.load(version.resolve("djl"))) {
      for (Map.Entry<Long, float[]> e : trained.entrySet()) {
        float[] p = saved.predict(new float[][] {e.getValue()})[0];
        assertThat(late.get(e.getKey())).as("id %d", e.getKey()).isCloseTo(p[0], within(1e-6));
      }
    }
    return m;
  }

  @Test
  void bucketizeIsFittedOnTrainingAndTheSameAtScoring() throws IOException {
    List<FeatureTransform.Step> steps = new java.util.ArrayList<>(TRANSFORM.steps());
    steps.add(FeatureTransform.Step.of(new FeatureTransform.Bucketize("distance", 5, null, null)));
    steps.add(
        FeatureTransform.Step.of(
            new FeatureTransform.Bucketize(
                "distance", null, List.of(500.0, 1500.0), "distance_band")));
    FeatureColumns columns =
        new FeatureColumns(
            "delayed",
            "binary",
            List.of("distance_h", "distance_band"),
            List.of("carrier", "distance_bucket"),
            List.of("id"),
            new FeatureTransform(steps, TRANSFORM.trainingFilter(), 0.3));
    FeatureManifest m = scoringMatchesTraining("bucketize", columns, flights(), true);
    FeatureTransform.Bucketize fitted = m.transform().steps().get(3).bucketize();
    // Five bins of the training split's distances (100..2099): four edges, fitted and saved.
    assertThat(fitted.quantiles()).isEqualTo(5);
    assertThat(fitted.edges()).hasSize(4).isSorted();
    assertThat(fitted.edges().get(0)).isBetween(400.0, 600.0);
    assertThat(m.featureNames())
        .contains("distance_band", "distance_bucket=0", "distance_bucket=4");
  }

  @Test
  void textTermCountsAreTheSameAtScoring() throws IOException {
    List<FeatureTransform.Step> steps = new java.util.ArrayList<>(TRANSFORM.steps());
    steps.add(FeatureTransform.Step.of(new FeatureTransform.Text("review", 32, null)));
    FeatureColumns columns =
        new FeatureColumns(
            "delayed",
            "binary",
            List.of("distance_h"),
            List.of("carrier"),
            List.of("id"),
            new FeatureTransform(steps, TRANSFORM.trainingFilter(), 0.3));
    Dataset<Row> data =
        flights()
            .selectExpr(
                "*",
                "element_at(array('Great flight', 'late AGAIN, late!', 'lost my bag', NULL),"
                    + " CAST(pmod(id, 4) + 1 AS INT)) AS review");
    FeatureManifest m = scoringMatchesTraining("text", columns, data, false);
    assertThat(m.numFeatures()).isEqualTo(1 + 5 + 32); // distance, 4 carriers + unknown, terms
    assertThat(m.featureNames()).endsWith("review_terms[31]").contains("review_terms[0]");
    // Counts of lower-cased words: 'late AGAIN, late!' is late twice and again once; no text, none.
    int first = m.featureNames().indexOf("review_terms[0]");
    for (Row r :
        spark.read().parquet(dir.resolve("text-features/train").toString()).collectAsList()) {
      List<Float> f = r.getList(1);
      List<Float> terms = f.subList(first, f.size());
      double sum = terms.stream().mapToDouble(Float::doubleValue).sum();
      double max = terms.stream().mapToDouble(Float::doubleValue).max().orElseThrow();
      switch ((int) (r.getLong(0) % 4)) {
        case 1 -> assertThat(new double[] {sum, max}).containsExactly(3, 2);
        case 3 -> assertThat(sum).isZero();
        default -> assertThat(sum).isIn(2.0, 3.0);
      }
    }
  }

  @Test
  void aLookupTableIsJoinedAndItsSnapshotTravelsWithThePipeline() throws IOException {
    Path table = dir.resolve("carriers.csv");
    // No B6: its flights get the unknown value, and are scored all the same.
    Files.writeString(
        table, "carrier,carrier_name,fleet\nAA,American,900\nUA,United,800\nDL,Delta,850\n");
    List<FeatureTransform.Step> steps = new java.util.ArrayList<>(TRANSFORM.steps());
    steps.add(
        FeatureTransform.Step.of(
            new FeatureTransform.Lookup(
                table.toUri().toString(),
                "csv",
                "carrier",
                List.of("carrier_name", "fleet"),
                null)));
    FeatureColumns columns =
        new FeatureColumns(
            "delayed",
            "binary",
            List.of("distance_h", "fleet"),
            List.of("carrier_name"),
            List.of("id"),
            new FeatureTransform(steps, TRANSFORM.trainingFilter(), 0.3));
    // Lost after training: scoring uses the copy in the pipeline.
    FeatureManifest m = scoringMatchesTraining("lookup", columns, flights(), true);
    FeatureTransform.Lookup fitted = m.transform().steps().get(3).lookup();
    assertThat(fitted.sha256())
        .isEqualTo(dev.trainyard.spark.io.Fingerprints.of(table.toUri().toString()).sha256());
    assertThat(m.transform().describe()).contains("sha256 " + fitted.sha256());
    assertThat(m.featureNames())
        .contains("carrier_name=American", "carrier_name=Delta", "carrier_name=__unknown__")
        .doesNotContain("carrier_name=B6");
    Files.delete(table);
    Transformer[] all =
        PipelineStages.load(spark, dir.resolve("lookup-features/pipeline").toUri().toString());
    String score = dir.resolve("lookup-score").toUri().toString();
    List<Row> names =
        FeatureJob.applyTransform(all, m, spark.read().parquet(score), score)
            .where("carrier = 'UA' OR carrier = 'B6'")
            .select("carrier", "carrier_name", "fleet")
            .distinct()
            .orderBy("carrier")
            .collectAsList();
    assertThat(names).hasSize(2);
    assertThat(names.get(0).isNullAt(1)).as("B6 is not in the table").isTrue();
    assertThat(names.get(1).getString(1)).isEqualTo("United");
    assertThat(names.get(1).getInt(2)).isEqualTo(800);
  }
}
