package dev.trainyard.spark.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.trainyard.spark.TestData;
import dev.trainyard.spark.drift.PopulationStability;
import dev.trainyard.spark.features.FeatureColumns;
import dev.trainyard.spark.features.FeatureJob;
import dev.trainyard.spark.features.FeatureManifest;
import dev.trainyard.spark.features.FeatureTransform;
import dev.trainyard.spark.features.SplitSpec;
import dev.trainyard.spark.io.DataInputException;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.training.EpochListener;
import dev.trainyard.training.ModelSpec;
import dev.trainyard.training.Trainer;
import dev.trainyard.training.TrainingResult;
import dev.trainyard.training.TrainingTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shadow scoring on real models: two versions trained on the same features (one well, one barely),
 * and one on other features, scored in one pass; the champion's output is what a run without a
 * shadow publishes, the side-by-side output holds the shadow's own predictions, and the agreement
 * and prediction PSI are checked against a computation over the published rows.
 */
class ShadowScoringTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static String input;
  static Path good;
  static Path weak;
  static Path otherFeatures;
  static Path hashed;

  @BeforeAll
  static void trainModels() throws IOException {
    spark = TestData.spark();
    input = TestData.parquet(dir, "customers", ScoringJobTest.customers(600));
    Path features = fit("features", ScoringJobTest.COLUMNS);
    good = model("good", features, 15, 0.05);
    // One short epoch at a small rate: the same inputs, visibly different predictions.
    weak = model("weak", features, 1, 0.002);
    otherFeatures =
        model(
            "other",
            fit(
                "features-x",
                new FeatureColumns("churn", "binary", List.of("x"), List.of(), List.of("id"))),
            3,
            0.05);
    // The champion's columns, its color hashed into buckets instead of one-hot.
    hashed =
        model(
            "hashed",
            fit(
                "features-hashed",
                new FeatureColumns(
                    "churn",
                    "binary",
                    List.of("x", "n"),
                    List.of("color"),
                    List.of("id"),
                    new FeatureTransform(
                        List.of(),
                        null,
                        null,
                        Map.of("color", new FeatureTransform.Encoding(8, null))))),
            1,
            0.05);
  }

  static Path fit(String name, FeatureColumns columns) {
    Path features = dir.resolve(name);
    FeatureJob.fitAndWrite(
        spark,
        DatasetInput.parquet(input),
        columns,
        new SplitSpec(0.7, 0.15, 0.15, 7),
        features.toUri().toString());
    return features;
  }

  static Path model(String name, Path features, int epochs, double rate) throws IOException {
    FeatureManifest manifest =
        FeatureManifest.fromJson(Files.readString(features.resolve("features.json")));
    TrainingResult trained =
        new Trainer(
                ModelSpec.linear()
                    .withEpochs(epochs)
                    .withBatchSize(32)
                    .withLearningRate(rate)
                    .withEarlyStoppingPatience(0)
                    .withDevice(ModelSpec.DeviceChoice.CPU)
                    .withSeed(3),
                TrainingTask.binary(manifest.numFeatures()))
            .train(
                features.resolve("train"),
                features.resolve("validation"),
                dir.resolve("checkpoints-" + name),
                EpochListener.NONE);
    Path model = dir.resolve("model-" + name);
    ScoringJobTest.copyTree(trained.modelDir(), model.resolve("djl"));
    ScoringJobTest.copyTree(features.resolve("pipeline"), model.resolve("feature-pipeline"));
    Files.copy(features.resolve("features.json"), model.resolve("features.json"));
    return model;
  }

  static ScoringRequest.Builder request(String name, Path model, ShadowModel shadow) {
    return ScoringRequest.builder()
        .setInput(DatasetInput.parquet(input))
        .setModelDir(model.toString())
        .setModelName("churn")
        .setModelVersion("1")
        .setScoringRunId("run-" + name)
        .optKeyColumns(List.of("id"))
        .setOutputUri(dir.resolve("out-" + name).toUri().toString())
        .setQuarantineUri(dir.resolve("quarantine-" + name).toUri().toString())
        .optBatchSize(50)
        .optPartitions(3)
        .optShadow(shadow);
  }

  static ShadowModel shadow(String name, Path model) {
    return new ShadowModel(
        model.toString(), "churn", "2", dir.resolve("shadow-" + name).toUri().toString());
  }

  static Map<Long, String> predictions(String uri, String column) {
    Map<Long, String> byId = new HashMap<>();
    for (Row r : spark.read().parquet(uri).select("id", column).collectAsList()) {
      byId.put(r.getLong(0), r.getString(1));
    }
    return byId;
  }

  @Test
  void theSameModelAsShadowAgreesEverywhere() {
    ScoringRequest request = request("same", good, shadow("same", good)).build();
    ScoringReport report = ScoringJob.score(spark, request);

    ShadowComparison c = report.shadow();
    assertThat(c.rows()).isEqualTo(600);
    assertThat(c.agreement()).isEqualTo(1.0);
    assertThat(c.meanAbsDifference()).isNull();
    assertThat(c.predictionPsi()).isCloseTo(0.0, within(1e-9));
    assertThat(c.modelVersion()).isEqualTo("2");
    assertThat(spark.read().parquet(request.outputUri()).schema().simpleString())
        .as("the champion's output is exactly as without a shadow")
        .isEqualTo(
            "struct<id:bigint,prediction:string,probabilities:array<double>,model_name:string,"
                + "model_version:string,scoring_run_id:string>");
    assertThat(spark.read().parquet(request.shadow().outputUri()).schema().simpleString())
        .isEqualTo(
            "struct<id:bigint,prediction:string,probabilities:array<double>,model_name:string,"
                + "model_version:string,scoring_run_id:string,shadow_prediction:string,"
                + "shadow_probabilities:array<double>,shadow_model_name:string,"
                + "shadow_model_version:string>");
    assertThat(ScoringReport.fromJson(report.toJson())).isEqualTo(report);
  }

  @Test
  void aDifferentShadowIsComparedRowByRow() {
    ScoringRequest request = request("weak", good, shadow("weak", weak)).build();
    ScoringReport report = ScoringJob.score(spark, request);

    // The champion's output: what scoring without a shadow publishes, row for row.
    ScoringRequest alone = request("good-alone", good, null).build();
    ScoringJob.score(spark, alone);
    Map<Long, String> champion = predictions(request.outputUri(), "prediction");
    assertThat(champion).isEqualTo(predictions(alone.outputUri(), "prediction"));
    // The shadow's predictions: what the weak model publishes when it scores alone.
    ScoringRequest weakAlone = request("weak-alone", weak, null).build();
    ScoringJob.score(spark, weakAlone);
    Map<Long, String> shadow = predictions(request.shadow().outputUri(), "shadow_prediction");
    assertThat(shadow).isEqualTo(predictions(weakAlone.outputUri(), "prediction"));
    assertThat(predictions(request.shadow().outputUri(), "prediction")).isEqualTo(champion);

    // Agreement and prediction PSI, computed here from the two models' own outputs.
    long same =
        champion.keySet().stream().filter(id -> champion.get(id).equals(shadow.get(id))).count();
    double[] expected = new double[2];
    double[] actual = new double[2];
    for (long id : champion.keySet()) {
      expected[champion.get(id).equals("no") ? 0 : 1] += 1.0 / 600;
      actual[shadow.get(id).equals("no") ? 0 : 1] += 1.0 / 600;
    }
    ShadowComparison c = report.shadow();
    assertThat(same).as("the two models disagree somewhere").isLessThan(600);
    assertThat(c.agreement()).isCloseTo(same / 600.0, within(1e-12));
    assertThat(c.predictionPsi())
        .isCloseTo(PopulationStability.psi(expected, actual), within(1e-9));
  }

  /**
   * Champion and shadow trained on different feature sets, both ways round (the shadow's features a
   * subset of the champion's, and a superset): each model scores with its own fitted pipeline,
   * exactly as when it scores alone.
   */
  @Test
  void aShadowTrainedOnOtherFeaturesScoresWithItsOwn() {
    ScoringRequest fewer = request("fewer", good, shadow("fewer", otherFeatures)).build();
    ScoringJob.score(spark, fewer);
    ScoringRequest more = request("more", otherFeatures, shadow("more", good)).build();
    ScoringReport report = ScoringJob.score(spark, more);

    ScoringRequest goodAlone = request("good-alone-2", good, null).build();
    ScoringJob.score(spark, goodAlone);
    ScoringRequest otherAlone = request("other-alone", otherFeatures, null).build();
    ScoringJob.score(spark, otherAlone);
    Map<Long, String> good = predictions(goodAlone.outputUri(), "prediction");
    Map<Long, String> other = predictions(otherAlone.outputUri(), "prediction");
    assertThat(good).hasSize(600).isNotEqualTo(other);

    assertThat(predictions(fewer.outputUri(), "prediction")).isEqualTo(good);
    assertThat(predictions(fewer.shadow().outputUri(), "shadow_prediction")).isEqualTo(other);
    assertThat(predictions(more.outputUri(), "prediction")).isEqualTo(other);
    assertThat(predictions(more.shadow().outputUri(), "shadow_prediction")).isEqualTo(good);
    long same = good.keySet().stream().filter(id -> good.get(id).equals(other.get(id))).count();
    assertThat(report.shadow().agreement()).isCloseTo(same / 600.0, within(1e-12));
    // The champion's output has the champion's columns only, as without a shadow.
    assertThat(spark.read().parquet(more.outputUri()).columns())
        .containsExactly(
            "id", "prediction", "probabilities", "model_name", "model_version", "scoring_run_id");
  }

  @Test
  void aShadowWithHashedCategoriesIsRefusedNamingBothBeforeAnythingIsPublished() {
    ScoringRequest request = request("hashed", good, shadow("hashed", hashed)).build();
    assertThatThrownBy(() -> ScoringJob.score(spark, request))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("cannot score 'churn' version 2 as a shadow of 'churn' version 1")
        .hasMessageContaining("its categories are encoded {color=")
        .hasMessageContaining("need one-hot (default) encodings");
    assertThat(Files.exists(dir.resolve("out-hashed/_SUCCESS"))).isFalse();
    assertThat(Files.exists(dir.resolve("shadow-hashed/_SUCCESS"))).isFalse();
  }
}
