package dev.trainyard.spark.scoring;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.trainyard.spark.TestData;
import dev.trainyard.spark.drift.DriftLimits;
import dev.trainyard.spark.drift.PopulationStability;
import dev.trainyard.spark.features.FeatureColumns;
import dev.trainyard.spark.features.FeatureJob;
import dev.trainyard.spark.features.FeatureManifest;
import dev.trainyard.spark.features.SplitSpec;
import dev.trainyard.spark.io.DataInputException;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.validation.DataProfile;
import dev.trainyard.spark.validation.DataValidation;
import dev.trainyard.training.EpochListener;
import dev.trainyard.training.Evaluation;
import dev.trainyard.training.ModelSpec;
import dev.trainyard.training.PredictionReference;
import dev.trainyard.training.Predictions;
import dev.trainyard.training.SavedModel;
import dev.trainyard.training.Trainer;
import dev.trainyard.training.TrainingResult;
import dev.trainyard.training.TrainingTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scoring job end to end on a real model: features fitted by {@link FeatureJob}, a linear model
 * trained by the training module's {@link Trainer}, the model folder laid out as the activities
 * download a version (djl/, feature-pipeline/, features.json, training-profile.json).
 */
class ScoringJobTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static String trainingInput;
  static Path modelDir;
  static FeatureManifest manifest;
  static long testRows;

  static final FeatureColumns COLUMNS =
      new FeatureColumns("churn", "binary", List.of("x", "n"), List.of("color"), List.of("id"));

  static final String X = "CAST(pmod(id * 7919, 1000) AS DOUBLE) / 10.0";
  static final String COLOR =
      "element_at(array('red', 'green', 'blue'), CAST(pmod(id, 3) + 1 AS INT))";

  /** x uniform in [0, 100), n in 0..6, color; churn = yes when x (+30 for red) is over 60. */
  static Dataset<Row> customers(long n) {
    return TestData.rows(
        n,
        "id",
        X + " AS x",
        "CAST(pmod(id, 7) AS INT) AS n",
        COLOR + " AS color",
        "IF(" + X + " + IF(pmod(id, 3) = 0, 30, 0) > 60, 'yes', 'no') AS churn");
  }

  @BeforeAll
  static void trainModel() throws IOException {
    spark = TestData.spark();
    trainingInput = TestData.parquet(dir, "training", customers(600));
    Path features = dir.resolve("features");
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
                    .withEpochs(15)
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
    DataProfile profile =
        DataValidation.validate(spark, DatasetInput.parquet(trainingInput), COLUMNS, null, null)
            .profile();

    modelDir = dir.resolve("model");
    copyTree(trained.modelDir(), modelDir.resolve("djl"));
    copyTree(features.resolve("pipeline"), modelDir.resolve("feature-pipeline"));
    Files.copy(features.resolve("features.json"), modelDir.resolve("features.json"));
    Files.writeString(modelDir.resolve("training-profile.json"), profile.toJson());
    // As the pipeline's evaluate step leaves it beside the parameters: prediction drift's
    // reference.
    Evaluation.evaluateWithCurves(trained.modelDir(), features.resolve("test"))
        .reference()
        .writeTo(modelDir.resolve("djl"));
    testRows = spark.read().parquet(features.resolve("test").toString()).count();
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }

  static ScoringRequest request(String inputUri, String name, double maxQuarantine) {
    return ScoringRequest.builder()
        .setInput(DatasetInput.parquet(inputUri))
        .setModelDir(modelDir.toString())
        .setModelName("churn")
        .setModelVersion("3")
        .setScoringRunId("run-" + name)
        .optKeyColumns(List.of("id"))
        .setOutputUri(dir.resolve("out-" + name).toUri().toString())
        .setQuarantineUri(dir.resolve("quarantine-" + name).toUri().toString())
        .optBatchSize(64)
        .optPartitions(3)
        .optMaxQuarantineFraction(maxQuarantine)
        .build();
  }

  static List<String> hiddenLeftovers() {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.contains(".staging-") || n.contains(".replaced-"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void scoresEveryRowWithLabelValuesProbabilitiesAndModelVersion() throws IOException {
    ScoringRequest request = request(trainingInput, "all", 0.0);
    ScoringReport report = ScoringJob.score(spark, request);

    Dataset<Row> out = spark.read().parquet(request.outputUri());
    assertThat(out.schema().simpleString())
        .isEqualTo(
            "struct<id:bigint,prediction:string,probabilities:array<double>,model_name:string,"
                + "model_version:string,scoring_run_id:string>");
    List<Row> rows = out.collectAsList();
    assertThat(rows).hasSize(600);
    assertThat(rows.stream().map(r -> r.getLong(0)).distinct()).hasSize(600);
    Map<Long, String> truth = new HashMap<>();
    for (Row r : spark.read().parquet(trainingInput).select("id", "churn").collectAsList()) {
      truth.put(r.getLong(0), r.getString(1));
    }
    int correct = 0;
    for (Row r : rows) {
      List<Double> p = r.getList(2);
      assertThat(p).hasSize(2);
      assertThat(p.get(0) + p.get(1)).isCloseTo(1.0, within(1e-5));
      // labels are alphabetical: index 0 = no, 1 = yes
      assertThat(r.getString(1)).isEqualTo(p.get(1) > p.get(0) ? "yes" : "no");
      assertThat(List.of(r.getString(3), r.getString(4), r.getString(5)))
          .containsExactly("churn", "3", "run-all");
      if (truth.get(r.getLong(0)).equals(r.getString(1))) {
        correct++;
      }
    }
    assertThat(correct / 600.0).as("accuracy of the trained model").isGreaterThan(0.75);
    assertThat(Files.exists(Path.of(java.net.URI.create(request.outputUri())).resolve("_SUCCESS")))
        .isTrue();
    assertThat(spark.read().parquet(request.quarantineUri()).count()).isZero();
    assertThat(hiddenLeftovers()).isEmpty();

    // The job's probabilities are the model's own, on the pipeline's features.
    Dataset<Row> features =
        FeatureJob.applyPipeline(
                spark,
                modelDir.resolve("feature-pipeline").toUri().toString(),
                spark.read().parquet(trainingInput))
            .select("id", "features")
            .orderBy("id")
            .limit(20);
    Map<Long, List<Double>> scored = new HashMap<>();
    rows.forEach(r -> scored.put(r.getLong(0), r.getList(2)));
    try (SavedModel model = SavedModel.load(modelDir.resolve("djl"))) {
      for (Row r : features.collectAsList()) {
        List<Float> f = r.getList(1);
        float[] x = new float[f.size()];
        for (int i = 0; i < x.length; i++) {
          x[i] = f.get(i);
        }
        float[] p = model.predict(new float[][] {x})[0];
        assertThat(scored.get(r.getLong(0)).get(1)).isCloseTo(p[1], within(1e-6));
      }
    }

    assertThat(report.rowsIn()).isEqualTo(600);
    assertThat(report.scored()).isEqualTo(600);
    assertThat(report.quarantined()).isZero();
    assertThat(report.quarantineReasons()).isEmpty();
    assertThat(report.predictionDistribution()).containsOnlyKeys("no", "yes");
    assertThat(report.predictionDistribution().values().stream().mapToDouble(d -> d).sum())
        .isCloseTo(1.0, within(1e-9));
    assertThat(report.psi()).containsOnlyKeys("x", "n", "color");
    assertThat(report.psi().values()).allSatisfy(v -> assertThat(v).isLessThan(0.01));
    // Data like training's: nothing more often missing, nothing unseen, nothing flagged.
    assertThat(report.missingChange()).containsOnlyKeys("x", "n", "color");
    assertThat(report.missingChange().values()).allSatisfy(v -> assertThat(v).isZero());
    assertThat(report.unseenShare()).containsOnlyKeys("color").containsEntry("color", 0.0);
    // Predictions distributed like the test split's: small prediction drift, not flagged.
    assertThat(report.predictionPsi()).isNotNull().isLessThan(0.1);
    assertThat(
            DriftLimits.defaults()
                .violations(report.missingChange(), report.unseenShare(), report.predictionPsi()))
        .isEmpty();
    assertThat(report.modelVersion()).isEqualTo("3");
    assertThat(report.outputUri()).isEqualTo(request.outputUri());
    assertThat(report.seconds()).isPositive();
    assertThat(report.rowsPerSecond()).isPositive();
    assertThat(ScoringReport.fromJson(report.toJson())).isEqualTo(report);
  }

  @Test
  void unseenCategoriesAndMissingNumbersAreScored() {
    String input =
        TestData.parquet(
            dir,
            "unseen",
            TestData.rows(
                40,
                "id",
                "IF(pmod(id, 4) = 0, NULL, " + X + ") AS x",
                "CAST(pmod(id, 7) AS INT) AS n",
                "IF(pmod(id, 2) = 0, 'purple', " + COLOR + ") AS color"));
    ScoringRequest request = request(input, "unseen", 0.0);
    ScoringReport report = ScoringJob.score(spark, request);

    assertThat(report.rowsIn()).isEqualTo(40);
    assertThat(report.scored()).isEqualTo(40);
    assertThat(report.quarantined()).isZero();
    List<Row> purple =
        spark
            .read()
            .parquet(request.outputUri())
            .where("id % 2 = 0")
            .select("prediction", "probabilities")
            .collectAsList();
    assertThat(purple).hasSize(20);
    assertThat(purple).allSatisfy(r -> assertThat(r.getString(0)).isIn("no", "yes"));
  }

  /** 100 rows: x NaN in 10 (every 10th), infinite in one, the key null in one. */
  static String withBadRows(String name) {
    return TestData.parquet(
        dir,
        name,
        TestData.rows(
            100,
            "IF(id = 2, NULL, id) AS id",
            "CASE WHEN pmod(id, 10) = 0 THEN CAST('NaN' AS DOUBLE)"
                + " WHEN id = 1 THEN CAST('Infinity' AS DOUBLE) ELSE "
                + X
                + " END AS x",
            "CAST(pmod(id, 7) AS INT) AS n",
            COLOR + " AS color",
            "'extra' AS note"));
  }

  @Test
  void quarantinesNanInfiniteAndNullKeysWithReasons() {
    ScoringRequest request = request(withBadRows("bad"), "bad", 0.2);
    ScoringReport report = ScoringJob.score(spark, request);

    assertThat(report.rowsIn()).isEqualTo(100);
    assertThat(report.quarantined()).isEqualTo(12);
    assertThat(report.scored()).isEqualTo(88);
    assertThat(report.quarantineReasons())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("feature 'x' is NaN or infinite", 11L, "key 'id' is null", 1L));
    Dataset<Row> quarantine = spark.read().parquet(request.quarantineUri());
    assertThat(quarantine.columns()).containsExactly("id", "x", "n", "color", "note", "reason");
    assertThat(quarantine.count()).isEqualTo(12);
    assertThat(quarantine.where("id IS NULL").first().getString(5)).isEqualTo("key 'id' is null");
    assertThat(quarantine.where("id = 10").first().getString(5))
        .isEqualTo("feature 'x' is NaN or infinite");
    assertThat(spark.read().parquet(request.outputUri()).count()).isEqualTo(88);
  }

  @Test
  void psiIsValidationsPsiOfTheScoreableRows() throws IOException {
    String input = withBadRows("bad-psi");
    ScoringReport report = ScoringJob.score(spark, request(input, "bad-psi", 0.2));

    DataProfile profile =
        DataProfile.fromJson(Files.readString(modelDir.resolve("training-profile.json")));
    Map<String, Double> expected =
        PopulationStability.psi(
            spark.read().parquet(input).where("id IS NOT NULL AND NOT isnan(x) AND abs(x) < 1e300"),
            List.of("x", "n"),
            List.of("color"),
            profile);
    assertThat(report.psi()).containsOnlyKeys(expected.keySet());
    expected.forEach((k, v) -> assertThat(report.psi().get(k)).isCloseTo(v, within(1e-12)));
  }

  @Test
  void aPipelineThatDoesNotCompileScoresTheSameThroughSpark() throws IOException {
    // The feature job's pipeline plus a no-op stage: CompiledFeatures does not recognize it, so
    // the job applies the pipeline itself (flagged rows' values nulled first).
    Path folder = dir.resolve("generic-model");
    copyTree(modelDir.resolve("djl"), folder.resolve("djl"));
    for (String file : List.of("features.json", "training-profile.json")) {
      Files.copy(modelDir.resolve(file), folder.resolve(file));
    }
    PipelineModel fitted = PipelineModel.load(modelDir.resolve("feature-pipeline").toString());
    Transformer[] stages = Arrays.copyOf(fitted.stages(), fitted.stages().length + 1);
    stages[stages.length - 1] = new SQLTransformer().setStatement("SELECT * FROM __THIS__");
    PipelineModel generic = new PipelineModel("generic", stages);
    assertThat(CompiledFeatures.compile(generic, manifest)).isNull();
    generic.save(folder.resolve("feature-pipeline").toString());

    String input = withBadRows("generic-in");
    ScoringReport compiled = ScoringJob.score(spark, request(input, "compiled", 0.2));
    ScoringRequest viaSpark =
        ScoringRequest.builder()
            .setInput(DatasetInput.parquet(input))
            .setModelDir(folder.toString())
            .setModelName("churn")
            .setModelVersion("3")
            .setScoringRunId("run-compiled")
            .optKeyColumns(List.of("id"))
            .setOutputUri(dir.resolve("out-generic").toUri().toString())
            .setQuarantineUri(dir.resolve("quarantine-generic").toUri().toString())
            .optBatchSize(64)
            .optMaxQuarantineFraction(0.2)
            .build();
    ScoringReport report = ScoringJob.score(spark, viaSpark);

    assertThat(report.rowsIn()).isEqualTo(compiled.rowsIn());
    assertThat(report.scored()).isEqualTo(compiled.scored());
    assertThat(report.quarantineReasons()).isEqualTo(compiled.quarantineReasons());
    assertThat(report.predictionDistribution()).isEqualTo(compiled.predictionDistribution());
    assertThat(report.psi()).isEqualTo(compiled.psi());
    Map<Long, List<Double>> expected = new HashMap<>();
    for (Row r : spark.read().parquet(dir.resolve("out-compiled").toString()).collectAsList()) {
      expected.put(r.getLong(0), r.getList(2));
    }
    List<Row> rows = spark.read().parquet(viaSpark.outputUri()).collectAsList();
    assertThat(rows).hasSize(expected.size());
    for (Row r : rows) {
      assertThat(r.<Double>getList(2).get(1))
          .isCloseTo(expected.get(r.getLong(0)).get(1), within(1e-6));
    }
    assertThat(spark.read().parquet(viaSpark.quarantineUri()).count()).isEqualTo(12);
  }

  @Test
  void overTheQuarantineLimitThrowsAndPublishesNothing() {
    ScoringRequest request = request(withBadRows("too-bad"), "too-bad", 0.05);
    assertThatThrownBy(() -> ScoringJob.score(spark, request))
        .isInstanceOf(DataInputException.class)
        .hasMessageStartingWith("12 of 100 rows (12%) of ")
        .hasMessageContaining("could not be scored, over the limit of 5% (maxQuarantineFraction)")
        .hasMessageContaining(
            "first reasons: feature 'x' is NaN or infinite (11 rows), key 'id' is null (1 row)")
        .hasMessageContaining("Nothing was published");
    assertThat(dir.resolve("out-too-bad")).doesNotExist();
    assertThat(dir.resolve("quarantine-too-bad")).doesNotExist();
    assertThat(hiddenLeftovers()).isEmpty();
  }

  @Test
  void numbersHeldAsStringsAreParsedOrQuarantined() {
    String input =
        TestData.parquet(
            dir,
            "strings",
            TestData.rows(
                5,
                "id",
                "element_at(array('12.5', ' 40 ', 'abc', '', NULL), CAST(id + 1 AS INT)) AS x",
                "CAST(id AS INT) AS n",
                "'red' AS color"));
    ScoringRequest request = request(input, "strings", 0.5);
    ScoringReport report = ScoringJob.score(spark, request);

    assertThat(report.scored()).isEqualTo(4);
    assertThat(report.quarantineReasons())
        .containsExactly(Map.entry("feature 'x' is not a number", 1L));
    assertThat(spark.read().parquet(request.quarantineUri()).first().getString(1)).isEqualTo("abc");
  }

  @Test
  void aMissingFeatureColumnIsNamed() {
    String input = TestData.parquet(dir, "no-color", customers(10).drop("color", "churn"));
    assertThatThrownBy(() -> ScoringJob.score(spark, request(input, "no-color", 0)))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining(
            "lacks a column that model 'churn' version 3 needs: [color]. Columns in the data:"
                + " [id, x, n]");
    assertThat(dir.resolve("out-no-color")).doesNotExist();
  }

  @Test
  void aColumnOfTheWrongTypeIsNamedWithExpectedAndActualTypes() {
    String input =
        TestData.parquet(
            dir,
            "wrong-type",
            TestData.rows(10, "id", "id > 3 AS x", "CAST(id AS INT) AS n", "1.5 AS color"));
    assertThatThrownBy(() -> ScoringJob.score(spark, request(input, "wrong-type", 0)))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("has 2 columns of the wrong type for model 'churn' version 3")
        .hasMessageContaining(
            "numeric feature 'x' has type boolean, expected a number (int, bigint, float, double,"
                + " decimal) or a string holding numbers")
        .hasMessageContaining(
            "categorical feature 'color' has type decimal(2,1), expected string, integer or"
                + " boolean");
  }

  @Test
  void anAbsentInputPathIsReported() {
    String missing = dir.resolve("nowhere").toUri().toString();
    assertThatThrownBy(() -> ScoringJob.score(spark, request(missing, "nowhere", 0)))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("dataset not found: " + missing + " does not exist");
  }

  @Test
  void aRerunReplacesTheOutputAndTheModelCanBeShippedToExecutors() {
    String input = TestData.parquet(dir, "rerun", customers(50));
    ScoringRequest request = request(input, "rerun", 0);
    ScoringJob.score(spark, request);
    List<Row> first = spark.read().parquet(request.outputUri()).orderBy("id").collectAsList();
    // Again, with djl/ zipped and shipped through SparkContext.addArchive as on a cluster.
    ScoringReport again = ScoringJob.score(spark, request, true);

    assertThat(again.scored()).isEqualTo(50);
    List<Row> second = spark.read().parquet(request.outputUri()).orderBy("id").collectAsList();
    assertThat(second).hasSize(50).isEqualTo(first);
    assertThat(hiddenLeftovers()).isEmpty();
  }

  @Test
  void aMissingValueJumpAndAFloodOfUnseenCategoriesAreFlaggedWithTheirNumbers() {
    // x goes missing in 2 of 5 rows; a third of the colors are ones training never saw.
    String input =
        TestData.parquet(
            dir,
            "broken-feed",
            TestData.rows(
                300,
                "id",
                "IF(pmod(id, 5) < 2, NULL, " + X + ") AS x",
                "CAST(pmod(id, 7) AS INT) AS n",
                "IF(pmod(id, 3) = 0, concat('new-', CAST(id AS STRING)), " + COLOR + ") AS color"));
    ScoringReport report = ScoringJob.score(spark, request(input, "broken-feed", 0));

    // Independently: the input's own counts by SQL, against the training input's.
    Dataset<Row> batch = spark.read().parquet(input);
    Dataset<Row> training = spark.read().parquet(trainingInput);
    double missingNow = (double) batch.where("x IS NULL").count() / batch.count();
    double missingThen = (double) training.where("x IS NULL").count() / training.count();
    double unseen =
        (double)
                batch
                    .join(training.select("color").distinct(), "color", "left_anti")
                    .where("color IS NOT NULL")
                    .count()
            / batch.where("color IS NOT NULL").count();
    assertThat(missingNow).isEqualTo(0.4);
    assertThat(report.missingChange().get("x")).isCloseTo(missingNow - missingThen, within(1e-12));
    assertThat(report.missingChange().get("n")).isZero();
    assertThat(report.unseenShare().get("color")).isCloseTo(unseen, within(1e-12));
    assertThat(unseen).isEqualTo(1.0 / 3);

    List<DriftLimits.Violation> flagged =
        DriftLimits.defaults().violations(report.missingChange(), report.unseenShare(), null);
    assertThat(flagged)
        .extracting(DriftLimits.Violation::feature, DriftLimits.Violation::measure)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("x", "missing"),
            org.assertj.core.groups.Tuple.tuple("color", "unseen"));
    assertThat(flagged.get(0).describe()).isEqualTo("x: missing +0.400 > 0.100");
    assertThat(flagged.get(1).describe()).isEqualTo("color: unseen 0.333 > 0.050");
    // Looser limits let the same batch through.
    assertThat(
            new DriftLimits(0.5, 0.5, 100)
                .violations(report.missingChange(), report.unseenShare(), report.predictionPsi()))
        .isEmpty();
  }

  @Test
  void aShiftedPredictionDistributionIsFlaggedWithItsNumber() {
    // Every x over 100: the model predicts churn for every row, where its test split had both
    // classes. Nothing goes missing and no category is new: only the predictions flag the batch.
    String input =
        TestData.parquet(
            dir,
            "all-churn",
            TestData.rows(
                300,
                "id",
                X + " + 100 AS x",
                "CAST(pmod(id, 7) AS INT) AS n",
                COLOR + " AS color"));
    ScoringRequest request = request(input, "all-churn", 0);
    ScoringReport report = ScoringJob.score(spark, request);

    // Independently: the reference as the evaluation wrote it (checked against the model's own
    // test predictions), and the published predictions' class shares by SQL.
    PredictionReference reference = PredictionReference.readFrom(modelDir.resolve("djl"));
    Path test = dir.resolve("features").resolve("test");
    Predictions predictions = Evaluation.predict(modelDir.resolve("djl"), test);
    long yes = 0;
    for (int row = 0; row < predictions.rows(); row++) {
      if (predictions.values()[row * 2 + 1] > predictions.values()[row * 2]) {
        yes++;
      }
    }
    assertThat(reference.rows()).isEqualTo(testRows).isEqualTo(predictions.rows());
    assertThat(reference.shares())
        .containsExactly(
            new double[] {1 - (double) yes / testRows, (double) yes / testRows}, within(1e-12));
    assertThat(yes).isBetween(1L, testRows - 1);
    Dataset<Row> out = spark.read().parquet(request.outputUri());
    double[] actual = new double[manifest.labels().size()];
    for (int c = 0; c < actual.length; c++) {
      actual[c] =
          (double) out.where(col("prediction").equalTo(manifest.labels().get(c))).count()
              / out.count();
    }
    assertThat(actual[manifest.labels().indexOf("yes")]).isEqualTo(1.0);
    double expected = PopulationStability.psi(reference.shares(), actual);

    assertThat(report.predictionPsi()).isCloseTo(expected, within(1e-12));
    assertThat(expected).isGreaterThan(DriftLimits.DEFAULT_MAX_PREDICTION_PSI);
    List<DriftLimits.Violation> flagged =
        DriftLimits.defaults()
            .violations(report.missingChange(), report.unseenShare(), report.predictionPsi());
    assertThat(flagged)
        .extracting(DriftLimits.Violation::describe)
        .containsExactly(
            String.format(java.util.Locale.ROOT, "predictions: psi %.3f > 0.250", expected));
    // A spec's own limit above it lets the batch through.
    assertThat(
            DriftLimits.of(null, null, expected + 0.01)
                .violations(report.missingChange(), report.unseenShare(), report.predictionPsi()))
        .isEmpty();
  }

  @Test
  void psiIsHighOnShiftedData() {
    String input =
        TestData.parquet(
            dir,
            "shifted",
            TestData.rows(
                200,
                "id",
                X + " + 100 AS x",
                "CAST(pmod(id, 7) AS INT) AS n",
                "IF(pmod(id, 10) = 0, 'green', 'red') AS color"));
    ScoringReport report = ScoringJob.score(spark, request(input, "shifted", 0));

    assertThat(report.psi().get("x")).isGreaterThan(1.0);
    assertThat(report.psi().get("color")).isGreaterThan(0.5);
    assertThat(report.psi().get("n")).isLessThan(0.05);
  }

  @Test
  void regressionPredictsValuesWithQuantilesAndNoProbabilities() throws IOException {
    FeatureColumns columns =
        new FeatureColumns("spend", "regression", List.of("x"), List.of("color"), List.of("id"));
    String input =
        TestData.parquet(
            dir,
            "spend",
            TestData.rows(
                300,
                "id",
                X + " AS x",
                COLOR + " AS color",
                "2 * " + X + " + IF(pmod(id, 3) = 0, 50, 0) AS spend"));
    Path features = dir.resolve("spend-features");
    FeatureJob.fitAndWrite(
        spark,
        DatasetInput.parquet(input),
        columns,
        new SplitSpec(0.8, 0.2, 0, 1),
        features.toUri().toString());
    TrainingResult trained =
        new Trainer(
                ModelSpec.linear()
                    .withEpochs(3)
                    .withBatchSize(32)
                    .withLearningRate(0.1)
                    .withDevice(ModelSpec.DeviceChoice.CPU),
                TrainingTask.regression(
                    FeatureManifest.fromJson(Files.readString(features.resolve("features.json")))
                        .numFeatures()))
            .train(
                features.resolve("train"),
                features.resolve("validation"),
                dir.resolve("spend-checkpoints"),
                EpochListener.NONE);
    // No training-profile.json: the report has no feature drift then. The prediction reference
    // (taken here from the validation split, the only held-out one) gives prediction drift.
    Path folder = dir.resolve("spend-model");
    copyTree(trained.modelDir(), folder.resolve("djl"));
    PredictionReference reference =
        Evaluation.evaluateWithCurves(trained.modelDir(), features.resolve("validation"))
            .reference();
    reference.writeTo(folder.resolve("djl"));
    copyTree(features.resolve("pipeline"), folder.resolve("feature-pipeline"));
    Files.copy(features.resolve("features.json"), folder.resolve("features.json"));
    ScoringRequest request =
        ScoringRequest.builder()
            .setInput(DatasetInput.parquet(input))
            .setModelDir(folder.toUri().toString())
            .setModelName("spend")
            .setModelVersion("1")
            .setScoringRunId("run-spend")
            .optKeyColumns(List.of("id"))
            .setOutputUri(dir.resolve("out-spend").toUri().toString())
            .setQuarantineUri(dir.resolve("quarantine-spend").toUri().toString())
            .optBatchSize(ScoringRequest.DEFAULT_BATCH_SIZE)
            .optMaxQuarantineFraction(0)
            .build();
    ScoringReport report = ScoringJob.score(spark, request);

    Dataset<Row> out = spark.read().parquet(request.outputUri());
    assertThat(out.schema().simpleString())
        .isEqualTo(
            "struct<id:bigint,prediction:double,probabilities:array<double>,model_name:string,"
                + "model_version:string,scoring_run_id:string>");
    assertThat(out.where("probabilities IS NOT NULL").count()).isZero();
    assertThat(report.scored()).isEqualTo(300);
    assertThat(report.predictionDistribution()).containsOnlyKeys("p05", "p50", "p95", "mean");
    Map<String, Double> d = report.predictionDistribution();
    assertThat(d.get("p05")).isLessThan(d.get("p50"));
    assertThat(d.get("p50")).isLessThan(d.get("p95"));
    // As SQL's percentile_approx (same accuracy) and avg over the written predictions.
    Row sql =
        out.selectExpr(
                "percentile_approx(prediction, array(0.05, 0.5, 0.95), 10000)", "avg(prediction)")
            .first();
    List<Double> quantiles = sql.getList(0);
    assertThat(d.get("p05")).isEqualTo(quantiles.get(0));
    assertThat(d.get("p50")).isEqualTo(quantiles.get(1));
    assertThat(d.get("p95")).isEqualTo(quantiles.get(2));
    assertThat(d.get("mean")).isCloseTo(sql.getDouble(1), within(1e-9));
    assertThat(report.psi()).isEmpty();
    // Regression's prediction drift: the written predictions counted in the reference's decile
    // bins by SQL (a value's bin = how many edges lie below it).
    assertThat(reference.edges().length).isBetween(5, 9);
    String bin =
        Arrays.stream(reference.edges())
            .mapToObj(e -> "IF(prediction > " + e + ", 1, 0)")
            .reduce((a, b) -> a + " + " + b)
            .orElseThrow();
    double[] actual = new double[reference.shares().length];
    for (Row r : out.selectExpr(bin + " AS bin").groupBy("bin").count().collectAsList()) {
      actual[r.getInt(0)] = r.getLong(1) / 300.0;
    }
    assertThat(report.predictionPsi())
        .isCloseTo(PopulationStability.psi(reference.shares(), actual), within(1e-12));
    assertThat(report.predictionPsi()).isLessThan(DriftLimits.DEFAULT_MAX_PREDICTION_PSI);
  }

  @Test
  void requestsAreChecked() {
    assertThatThrownBy(
            () ->
                ScoringRequest.builder()
                    .setInput(DatasetInput.parquet("in"))
                    .setModelDir("model")
                    .setModelName("m")
                    .setModelVersion("1")
                    .setScoringRunId("run")
                    .optKeyColumns(List.of("prediction"))
                    .setOutputUri("out")
                    .setQuarantineUri("quarantine")
                    .optBatchSize(10)
                    .optMaxQuarantineFraction(0)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key column 'prediction' clashes with an output column");
    assertThatThrownBy(
            () ->
                ScoringRequest.builder()
                    .setInput(DatasetInput.parquet("in"))
                    .setModelDir("model")
                    .setModelName("m")
                    .setModelVersion("1")
                    .setScoringRunId("run")
                    .optKeyColumns(List.of())
                    .setOutputUri("out")
                    .setQuarantineUri("quarantine")
                    .optBatchSize(0)
                    .optMaxQuarantineFraction(0)
                    .build())
        .hasMessage("batchSize must be positive, got 0");
  }
}
