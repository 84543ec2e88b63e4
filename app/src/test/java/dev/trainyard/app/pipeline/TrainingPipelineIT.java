package dev.trainyard.app.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.app.demo.ChurnData;
import dev.trainyard.app.spec.PipelineSpecFile;
import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.registry.ArtifactFile;
import dev.trainyard.registry.Metric;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.ModelVersion;
import dev.trainyard.registry.ResourceNotFoundException;
import dev.trainyard.registry.Run;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.testing.TemporalExtension;
import dev.trainyard.testing.TemporalServer;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.PipelineResult;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The training pipeline end to end on the real Temporal dev server, MLflow and S3, with real Spark
 * and DJL: from a Parquet file to a champion model version, and every kind of bad input failing
 * fast with a message that says what is wrong.
 */
@ExtendWith({TemporalExtension.class, MlflowExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainingPipelineIT {
  private StackConfig config;
  private TrainyardWorker worker;
  private MlflowClient mlflow;
  private Path data;
  private String churn;

  @BeforeAll
  void start(TemporalServer temporal, MlflowServer mlflowServer) throws Exception {
    config = PipelineStack.config(temporal, mlflowServer);
    worker = PipelineStack.worker(config);
    mlflow = PipelineStack.mlflow(mlflowServer);
    data = Files.createDirectories(config.stateDir().resolve("data"));
    churn = data.resolve("churn.parquet").toUri().toString();
    ChurnData.write(churn, 4000, 11);
  }

  @AfterAll
  void stop() {
    worker.close();
    mlflow.close();
  }

  private PipelineSpec spec(String model) throws Exception {
    PipelineSpec demo =
        PipelineSpecFile.load(PipelineStack.home().resolve("examples/churn/pipeline.yaml"));
    return demo.withDataset(new PipelineSpec.Dataset(churn, "parquet"))
        .withRegisteredModel(model)
        .withModel(
            PipelineSpec.Model.builder()
                .optType("mlp")
                .optHiddenLayers(List.of(16))
                .optEpochs(3)
                .optBatchSize(256)
                .optLearningRate(0.01)
                .optEarlyStoppingPatience(2)
                .optDevice("auto")
                .optSeed(7L)
                .build());
  }

  private PipelineResult run(PipelineSpec spec) {
    return worker
        .client()
        .newWorkflowStub(
            TrainingPipelineWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.CONTROL)
                .setWorkflowId("it-" + UUID.randomUUID())
                .build())
        .run(spec);
  }

  @Test
  void trainsToAChampionThenAnEqualModelStaysChallenger() throws Exception {
    String model = "churn-" + UUID.randomUUID();
    PipelineSpec spec = spec(model);

    PipelineResult first = run(spec);

    assertEquals("promoted", first.outcome());
    assertEquals("1", first.version());
    assertThat(first.testMetrics()).containsKeys("roc_auc", "pr_auc", "accuracy", "f1", "log_loss");
    assertThat(first.testMetrics().get("roc_auc")).isGreaterThan(0.7);
    ModelVersion champion = mlflow.registry().getModelVersionByAlias(model, "champion");
    assertEquals("1", champion.version());
    Run run = mlflow.tracking().getRun(first.mlflowRunId());
    List<Metric> curve = mlflow.tracking().getMetricHistory(run.runId(), "val_roc_auc");
    assertThat(curve).extracting(Metric::step).startsWith(1L, 2L);
    assertThat(run.data().params())
        .containsEntry("model.type", "mlp")
        .containsEntry("task", "binary");
    List<String> files =
        mlflow.artifacts().listFiles(run.info().artifactUri(), "").stream()
            .map(ArtifactFile::path)
            .toList();
    assertThat(files)
        .contains(
            "model/MLmodel",
            "model/features.json",
            "model/training-profile.json",
            "model/djl/model-spec.json",
            "validation/report.json",
            "lineage/validate.json",
            "lineage/features.json",
            "lineage/train.json",
            "lineage/evaluate.json",
            "lineage/register.json",
            "plots/roc.png",
            "plots/pr.png",
            "plots/calibration.png",
            "plots/score_histogram.png");
    assertThat(files).anyMatch(f -> f.startsWith("model/feature-pipeline/"));
    // The champion version's run is the pipeline's run: its plots are the version's plots.
    assertEquals(run.runId(), champion.runId());
    // On the champion's run through MLflow's REST API: the validation report as one self-contained
    // HTML page that parses, and the datasets of each split.
    assertThat(files).contains("validation/report.html");
    Path html =
        mlflow
            .artifacts()
            .download(
                run.info().artifactUri(),
                "validation/report.html",
                Files.createTempDirectory("report").resolve("report.html"));
    String page = Files.readString(html);
    org.w3c.dom.Document doc =
        javax.xml.parsers.DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(html.toFile());
    assertEquals(
        "passed",
        javax.xml.xpath.XPathFactory.newInstance().newXPath().evaluate("//span[@class='ok']", doc));
    assertThat(page)
        .contains("monthly_charges")
        .doesNotContainPattern("(?i)(src|href)\\s*=|url\\(|@import");
    assertThat(mlflow.tracking().getDatasetInputs(run.runId()))
        .extracting(d -> d.context().orElseThrow())
        .containsExactlyInAnyOrder("training", "validation", "test");
    assertThat(run.data().tags()).containsKey("trainyard.lineage.train");

    PipelineResult second = run(spec);

    assertTrue(second.featureCacheHit(), "unchanged data and spec reuse the features");
    assertEquals("registered", second.outcome());
    assertEquals("2", second.version());
    // Same data, same seed: the same model, so it cannot beat the champion.
    assertEquals(first.testMetrics(), second.testMetrics());
    assertEquals("1", mlflow.registry().getModelVersionByAlias(model, "champion").version());
    assertEquals("2", mlflow.registry().getModelVersionByAlias(model, "challenger").version());
  }

  @Test
  void dataThatDriftedFromTheChampionsTrainingDataIsStoppedAtValidation() throws Exception {
    String model = "churn-drift-" + UUID.randomUUID();
    assertEquals("promoted", run(spec(model)).outcome());
    // Customers suddenly stay three times longer: same columns, same rules, other distribution.
    String drifted = data.resolve("drifted.parquet").toUri().toString();
    SparkSessions.local()
        .read()
        .parquet(churn)
        .withColumn(
            "tenure_months", org.apache.spark.sql.functions.col("tenure_months").multiply(3))
        .write()
        .parquet(drifted);

    WorkflowFailedException e =
        assertThrows(
            WorkflowFailedException.class,
            () -> run(spec(model).withDataset(new PipelineSpec.Dataset(drifted, "parquet"))));

    ApplicationFailure failure = rootApplicationFailure(e);
    assertEquals("DataValidationFailed", failure.getType());
    assertThat(failure.getOriginalMessage())
        .contains("feature 'tenure_months' drifted from the champion's training data: PSI")
        .doesNotContain("feature 'age'");
    assertThat(mlflow.registry().listModelVersions(model)).hasSize(1);
  }

  @Test
  void trialsAreChildRunsOfThePipelineRunAndTheBestIsRegistered() throws Exception {
    String model = "churn-trials-" + UUID.randomUUID();
    PipelineSpec base = spec(model);
    PipelineSpec spec =
        base.withTrials(
            new PipelineSpec.Trials("grid", null, 2, Map.of("learningRate", List.of(0.001, 0.02))));

    PipelineResult r = run(spec);

    Run parent = mlflow.tracking().getRun(r.mlflowRunId());
    List<Run> children =
        mlflow
            .tracking()
            .searchRunsByTag(
                List.of(parent.info().experimentId()), "mlflow.parentRunId", parent.runId());
    assertThat(children).hasSize(2);
    assertThat(children)
        .allSatisfy(
            c ->
                assertThat(mlflow.tracking().getMetricHistory(c.runId(), "val_roc_auc"))
                    .isNotEmpty());
    String best = parent.data().tags().get("trainyard.best_trial");
    assertThat(best).isIn("learningRate=0.001", "learningRate=0.02");
    Run winner =
        children.stream()
            .filter(c -> c.tag("trainyard.trial").orElse("").equals(best))
            .findFirst()
            .orElseThrow();
    double winnerAuc = bestOf(mlflow.tracking().getMetricHistory(winner.runId(), "val_roc_auc"));
    for (Run c : children) {
      assertThat(winnerAuc)
          .isGreaterThanOrEqualTo(
              bestOf(mlflow.tracking().getMetricHistory(c.runId(), "val_roc_auc")) - 1e-9);
    }
    assertEquals("promoted", r.outcome());
  }

  private static double bestOf(List<Metric> history) {
    return history.stream().mapToDouble(Metric::value).max().orElseThrow();
  }

  @Test
  void trainsAMulticlassModelWithManyCategories() throws Exception {
    String uri = data.resolve("segments.parquet").toUri().toString();
    // 4 classes decided by two numbers and which of 40 cities a row is in.
    SparkSessions.local()
        .sql(
            "SELECT id, rand(1) * 10 AS x1, rand(2) * 10 AS x2, concat('city-', CAST(floor(rand(3) * 40) AS INT)) AS city"
                + " FROM range(3000)")
        .selectExpr(
            "id",
            "x1",
            "x2",
            "city",
            "CASE WHEN x1 + (CAST(substring(city, 6) AS INT) % 4) > 9 THEN 'gold' WHEN x2 > 6 THEN 'silver'"
                + " WHEN x1 > 4 THEN 'bronze' ELSE 'none' END AS tier")
        .write()
        .parquet(uri);
    String model = "tiers-" + UUID.randomUUID();
    PipelineSpec spec =
        PipelineSpec.builder()
            .setName("tiers")
            .setDataset(new PipelineSpec.Dataset(uri, "parquet"))
            .setLabel("tier")
            .setTask("multiclass")
            .setFeatures(
                new PipelineSpec.Features(List.of("x1", "x2"), List.of("city"), List.of("id")))
            .optModel(
                PipelineSpec.Model.builder()
                    .optType("mlp")
                    .optHiddenLayers(List.of(32))
                    .optEpochs(8)
                    .optBatchSize(128)
                    .optLearningRate(0.02)
                    .optEarlyStoppingPatience(3)
                    .optDevice("cpu")
                    .optSeed(3L)
                    .build())
            .optGate(
                PipelineSpec.Gate.builder()
                    .optThresholds(Map.of("accuracy", new PipelineSpec.Bound(0.6, null)))
                    .build())
            .setRegisteredModel(model)
            .build();

    PipelineResult r = run(spec);

    assertEquals("promoted", r.outcome(), r.gateReasons().toString());
    assertThat(r.testMetrics()).containsOnlyKeys("accuracy", "macro_f1", "log_loss");
    assertThat(plots(r))
        .containsExactlyInAnyOrder(
            "plots/confusion_matrix.png", "plots/confusion_matrix_normalized.png");
  }

  @Test
  void trainsARegressionModelOnDataWithNulls() throws Exception {
    String uri = data.resolve("prices.parquet").toUri().toString();
    // y = 3 x1 - 2 x2 + segment effect + noise; x1 missing in ~10% of rows.
    SparkSessions.local()
        .sql(
            "SELECT id, rand(4) * 10 AS x1, rand(5) * 10 AS x2, IF(rand(6) < 0.5, 'a', 'b') AS segment, randn(7) AS e FROM range(3000)")
        .selectExpr(
            "id",
            "IF(rand(8) < 0.1, NULL, x1) AS x1",
            "x2",
            "segment",
            "3 * x1 - 2 * x2 + IF(segment = 'a', 5, 0) + e AS price")
        .write()
        .parquet(uri);
    String model = "prices-" + UUID.randomUUID();
    PipelineSpec spec =
        PipelineSpec.builder()
            .setName("prices")
            .setDataset(new PipelineSpec.Dataset(uri, null))
            .setLabel("price")
            .setTask("regression")
            .setFeatures(
                new PipelineSpec.Features(List.of("x1", "x2"), List.of("segment"), List.of("id")))
            .optValidation(PipelineSpec.Validation.builder().optMaxNullFraction(0.2).build())
            .optModel(
                PipelineSpec.Model.builder()
                    .optType("mlp")
                    .optHiddenLayers(List.of(32))
                    .optEpochs(10)
                    .optBatchSize(64)
                    .optLearningRate(0.01)
                    .optEarlyStoppingPatience(3)
                    .optDevice("cpu")
                    .optSeed(5L)
                    .build())
            .optGate(
                PipelineSpec.Gate.builder()
                    .optThresholds(Map.of("r2", new PipelineSpec.Bound(0.5, null)))
                    .build())
            .setRegisteredModel(model)
            .build();

    PipelineResult r = run(spec);

    assertEquals("promoted", r.outcome(), r.gateReasons().toString());
    assertThat(r.testMetrics()).containsOnlyKeys("rmse", "mae", "r2");
    assertThat(plots(r))
        .containsExactlyInAnyOrder("plots/predicted_vs_actual.png", "plots/residuals.png");
  }

  /** The evaluation plots on a pipeline's MLflow run. */
  private List<String> plots(PipelineResult r) {
    Run run = mlflow.tracking().getRun(r.mlflowRunId());
    return mlflow.artifacts().listFiles(run.info().artifactUri(), "plots").stream()
        .map(ArtifactFile::path)
        .toList();
  }

  static Stream<Arguments> badInputs() {
    return Stream.of(
        Arguments.of("missing file", "BadInputData", "dataset not found"),
        Arguments.of("corrupt parquet", "BadInputData", "corrupt"),
        Arguments.of(
            "column absent", "BadInputData", "lacks a column named in the spec: [loyalty]"),
        Arguments.of(
            "wrong type",
            "BadInputData",
            "numeric column 'plan' has type string, expected a number"),
        Arguments.of("empty dataset", "BadInputData", "has 0 rows"),
        Arguments.of(
            "all-null feature",
            "DataValidationFailed",
            "feature 'tenure_months' is null in 100% of rows"),
        Arguments.of("NaN labels", "DataValidationFailed", "label 'churned' is NaN or infinite in"),
        Arguments.of("single class", "DataValidationFailed", "a single class ('no')"),
        Arguments.of(
            "gate metric for another task",
            "InvalidPipelineSpec",
            "gate.thresholds.rmse: no such metric for task 'binary'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void badInputFailsFastWithAClearMessageAndRegistersNothing(
      String kind, String type, String message) throws Exception {
    String model = "bad-" + UUID.randomUUID();
    PipelineSpec spec = badSpec(kind, model);
    String id = "it-bad-" + UUID.randomUUID();

    WorkflowFailedException e =
        assertThrows(
            WorkflowFailedException.class,
            () ->
                worker
                    .client()
                    .newWorkflowStub(
                        TrainingPipelineWorkflow.class,
                        WorkflowOptions.newBuilder()
                            .setTaskQueue(TaskQueues.CONTROL)
                            .setWorkflowId(id)
                            .build())
                    .run(spec));

    ApplicationFailure failure = rootApplicationFailure(e);
    assertEquals(type, failure.getType(), failure.getOriginalMessage());
    assertThat(failure.getOriginalMessage()).contains(message);
    assertTrue(failure.isNonRetryable());
    // Failing fast: no activity was tried twice.
    long retried =
        worker.client().fetchHistory(id).getHistory().getEventsList().stream()
            .filter(ev -> ev.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
            .filter(ev -> ev.getActivityTaskStartedEventAttributes().getAttempt() > 1)
            .count();
    assertEquals(0, retried, "retries burned on bad input");
    assertThrows(
        ResourceNotFoundException.class, () -> mlflow.registry().getRegisteredModel(model));
  }

  private PipelineSpec badSpec(String kind, String model) throws Exception {
    SparkSession spark = SparkSessions.local();
    PipelineSpec base = spec(model);
    Path dir = Files.createDirectories(data.resolve(kind.replace(' ', '-')));
    String uri = dir.resolve("data.parquet").toUri().toString();
    var rows = spark.read().parquet(churn);
    switch (kind) {
      case "missing file":
        return base.withDataset(
            new PipelineSpec.Dataset(dir.resolve("nope.parquet").toUri().toString(), "parquet"));
      case "corrupt parquet":
        Files.writeString(dir.resolve("data.parquet"), "this is not parquet");
        return base.withDataset(new PipelineSpec.Dataset(uri, "parquet"));
      case "column absent":
        return base.withFeatures(
            new PipelineSpec.Features(
                List.of("age", "tenure_months", "monthly_charges", "support_calls", "loyalty"),
                List.of("plan", "region", "payment_method"),
                base.features().keys()));
      case "wrong type":
        return base.withFeatures(
            new PipelineSpec.Features(
                List.of("age", "plan"), List.of("region"), base.features().keys()));
      case "empty dataset":
        rows.limit(0).write().parquet(uri);
        return base.withDataset(new PipelineSpec.Dataset(uri, "parquet"));
      case "all-null feature":
        rows.withColumn("tenure_months", org.apache.spark.sql.functions.lit(null).cast("double"))
            .write()
            .parquet(uri);
        return base.withDataset(new PipelineSpec.Dataset(uri, "parquet"));
      case "NaN labels":
        rows.withColumn(
                "churned",
                org.apache
                    .spark
                    .sql
                    .functions
                    .when(
                        org.apache.spark.sql.functions.rand(1).lt(0.1),
                        org.apache.spark.sql.functions.lit(Double.NaN))
                    .otherwise(
                        org.apache
                            .spark
                            .sql
                            .functions
                            .when(org.apache.spark.sql.functions.col("churned").equalTo("yes"), 1.0)
                            .otherwise(0.0)))
            .write()
            .parquet(uri);
        return base.withDataset(new PipelineSpec.Dataset(uri, "parquet"));
      case "single class":
        rows.withColumn("churned", org.apache.spark.sql.functions.lit("no")).write().parquet(uri);
        return base.withDataset(new PipelineSpec.Dataset(uri, "parquet"));
      case "gate metric for another task":
        return base.withGate(
            PipelineSpec.Gate.builder()
                .optThresholds(Map.of("rmse", new PipelineSpec.Bound(null, 1.0)))
                .build());
      default:
        throw new IllegalArgumentException(kind);
    }
  }

  private static ApplicationFailure rootApplicationFailure(Throwable e) {
    ApplicationFailure found = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure af) {
        found = af;
      }
    }
    assertFalse(found == null, "no ApplicationFailure in " + e);
    return found;
  }
}
