package dev.trainyard.app.scoring;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.app.demo.ChurnData;
import dev.trainyard.app.pipeline.PipelineStack;
import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.registry.Experiment;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.ModelVersion;
import dev.trainyard.registry.Run;
import dev.trainyard.spark.drift.PopulationStability;
import dev.trainyard.spark.features.FeatureManifest;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.stack.Tools;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.testing.TemporalExtension;
import dev.trainyard.testing.TemporalServer;
import dev.trainyard.training.PredictionReference;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.PipelineResult;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.scoring.BatchScoringWorkflow;
import dev.trainyard.workflows.scoring.ScoringResult;
import dev.trainyard.workflows.scoring.ScoringSpec;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code BatchScoringWorkflow} end to end on the real Temporal dev server, MLflow and S3, with real
 * Spark and DJL: a champion trained by the pipeline scores new rows; the output reads back with an
 * independent Parquet reader (pyarrow); every kind of bad input fails fast with a message that says
 * what is wrong, publishing nothing.
 */
@ExtendWith({TemporalExtension.class, MlflowExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchScoringIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROWS = 3000;

  private StackConfig config;
  private TrainyardWorker worker;
  private MlflowClient mlflow;
  private Path dir;
  private String model;
  private PipelineSpec trainSpec;
  private Path batch;
  private SparkSession spark;

  @BeforeAll
  void trainAChampion(TemporalServer temporal, MlflowServer mlflowServer) throws Exception {
    config = PipelineStack.config(temporal, mlflowServer);
    worker = PipelineStack.worker(config);
    mlflow = PipelineStack.mlflow(mlflowServer);
    spark = SparkSessions.local();
    dir = Files.createDirectories(config.stateDir().resolve("scoring"));
    Champion champion = Champion.train(worker, dir);
    model = champion.model();
    trainSpec = champion.spec();
    batch = dir.resolve("batch.parquet");
    ChurnData.write(batch.toUri().toString(), ROWS, 99);
  }

  @AfterAll
  void stop() {
    worker.close();
    mlflow.close();
  }

  private ScoringResult score(ScoringSpec spec) {
    return worker
        .client()
        .newWorkflowStub(
            BatchScoringWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.CONTROL)
                .setWorkflowId("it-score-" + UUID.randomUUID())
                .build())
        .score(spec);
  }

  /** The failure a user sees: the application failure's type and message. */
  private ApplicationFailure failure(ScoringSpec spec) {
    WorkflowFailedException e = assertThrows(WorkflowFailedException.class, () -> score(spec));
    Throwable c = e;
    while (c != null && !(c instanceof ApplicationFailure)) {
      c = c.getCause();
    }
    assertNotNull(c, "no application failure in " + e);
    return (ApplicationFailure) c;
  }

  private String out(String name) {
    return dir.resolve("out-" + name + "-" + UUID.randomUUID()).toString();
  }

  private String write(String name, Dataset<Row> rows) {
    String uri = dir.resolve(name + "-" + UUID.randomUUID() + ".parquet").toUri().toString();
    rows.write().parquet(uri);
    return uri;
  }

  private Dataset<Row> churn() {
    return spark.read().parquet(batch.toUri().toString());
  }

  @Test
  void scoresWithTheChampionAndAnIndependentReaderSeesEveryRow() throws Exception {
    String output = out("champion");
    ScoringResult r =
        score(
            ScoringSpec.of(model + "@champion", batch.toString(), output)
                .withKeys(List.of("customer_id")));

    assertEquals("scored", r.outcome());
    assertEquals("1", r.version());
    assertEquals(ROWS, r.rowsIn());
    assertEquals(ROWS, r.scored() + r.quarantined());
    assertThat(r.psi()).containsKeys("age", "tenure_months", "plan", "region");
    assertTrue(Files.exists(Path.of(output, "_SUCCESS")));

    JsonNode table = pyarrow(Path.of(output));
    assertEquals(r.scored(), table.get("rows").asLong());
    assertThat(JSON.convertValue(table.get("columns"), List.class))
        .containsExactly(
            "customer_id",
            "prediction",
            "probabilities",
            "model_name",
            "model_version",
            "scoring_run_id");
    assertThat(JSON.convertValue(table.get("model_versions"), List.class)).containsExactly("1");
    assertThat(JSON.convertValue(table.get("model_names"), List.class)).containsExactly(model);
    assertEquals(0, table.get("null_predictions").asLong());
    assertEquals(r.scored(), table.get("distinct_keys").asLong());

    // The scoring run in the model's scoring experiment: metrics, report, lineage to the version.
    Experiment exp = mlflow.tracking().getExperimentByName("trainyard/scoring/" + model);
    Run run = mlflow.tracking().getRun(r.mlflowRunId());
    assertEquals(exp.experimentId(), run.info().experimentId());
    assertEquals((double) ROWS, run.data().metrics().get("rows_in").value());
    assertThat(run.data().params()).containsEntry("model_version", "1");
    assertThat(run.tag("trainyard.lineage.score").orElseThrow())
        .contains("models:/" + model + "/1")
        .contains(output);
    assertThat(run.tag("trainyard.outcome").orElseThrow()).startsWith("scored: ");
  }

  @Test
  void aShadowScoresTheSameRowsAndIsReportedNextToTheChampion() throws Exception {
    String output = out("shadow");
    // The champion's own version as its shadow: the known answer is full agreement, no drift.
    ScoringSpec spec =
        ScoringSpec.builder()
            .setModel(model + "@champion")
            .setInput(batch.toString())
            .setOutput(output)
            .optKeys(List.of("customer_id"))
            .optShadow(model + "/1")
            .build();
    ScoringResult r = score(spec);

    assertEquals("scored", r.outcome());
    assertNotNull(r.shadow());
    assertEquals(model + "/1", r.shadow().model());
    assertEquals(r.scored(), r.shadow().rows());
    assertEquals(1.0, r.shadow().agreement());
    assertEquals(0.0, r.shadow().predictionPsi(), 1e-9);
    // The champion's output is as without a shadow; the side-by-side one is hidden next to it.
    String sideBySide =
        Path.of(output)
            .getParent()
            .resolve("_shadow")
            .resolve(Path.of(output).getFileName())
            .toUri()
            .toString()
            .replaceAll("/+$", "");
    assertEquals(sideBySide, r.shadow().outputUri());
    Dataset<Row> champion = spark.read().parquet(output);
    assertThat(champion.columns())
        .containsExactly(
            "customer_id",
            "prediction",
            "probabilities",
            "model_name",
            "model_version",
            "scoring_run_id");
    Dataset<Row> both = spark.read().parquet(r.shadow().outputUri());
    assertEquals(r.scored(), both.count());
    assertEquals(0, both.where(col("prediction").notEqual(col("shadow_prediction"))).count());
    assertEquals(r.scored(), both.join(champion.select("customer_id"), "customer_id").count());

    Run run = mlflow.tracking().getRun(r.mlflowRunId());
    assertEquals(1.0, run.data().metrics().get("shadow_agreement").value());
    assertEquals(0.0, run.data().metrics().get("shadow_prediction_psi").value(), 1e-9);
    assertThat(run.tag("trainyard.shadow")).contains(model + "/1");
    assertThat(run.tag("trainyard.outcome").orElseThrow())
        .contains("shadow " + model + "/1: agreement 1.0000");
  }

  @Test
  void unseenCategoriesAreScoredNotRejected() throws Exception {
    String input =
        write(
            "unseen",
            churn().withColumn("plan", lit("enterprise")).withColumn("region", lit("mars")));
    String output = out("unseen");

    ScoringResult r = score(ScoringSpec.of(model + "/1", input, output));

    assertEquals(ROWS, r.scored());
    assertEquals(0, r.quarantined());
    assertThat(r.psi().get("plan")).isGreaterThan(1.0);
    // Every plan and region is one training never saw: flagged, on the run and in the result.
    assertThat(r.driftFlags())
        .contains("plan: unseen 1.000 > 0.050", "region: unseen 1.000 > 0.050");
    Run run = mlflow.tracking().getRun(r.mlflowRunId());
    assertEquals(1.0, run.data().metrics().get("unseen_share_plan").value());
    assertEquals(1.0, run.data().metrics().get("unseen_share_region").value());
    assertThat(run.tag("trainyard.drift_flags").orElseThrow()).contains("plan: unseen 1.000");
  }

  @Test
  void aMissingValueJumpIsFlaggedWithItsNumberAndStartsRetrainingLikePsi() throws Exception {
    // Half the ages go missing; the ages left look like training's, so PSI stays small.
    Dataset<Row> broken =
        churn()
            .withColumn(
                "age",
                when(org.apache.spark.sql.functions.rand(5).lt(0.5), lit(null))
                    .otherwise(col("age")));
    String input = write("missing-age", broken);
    Dataset<Row> batchRead = spark.read().parquet(input);
    Dataset<Row> training = spark.read().parquet(dir.resolve("churn-training.parquet").toString());
    double expected =
        (double) batchRead.where("age IS NULL").count() / batchRead.count()
            - (double) training.where("age IS NULL").count() / training.count();
    ScoringSpec spec =
        ScoringSpec.of(model + "@champion", input, out("missing"))
            // A PSI limit no batch reaches: only the missing-value flag can start retraining.
            .withRetrain(new ScoringSpec.Retrain(100, trainSpec));

    ScoringResult r = score(spec);

    assertThat(r.maxPsi()).isLessThan(100);
    assertThat(r.driftFlags())
        .containsExactly(
            String.format(java.util.Locale.ROOT, "age: missing +%.3f > 0.100", expected));
    Run run = mlflow.tracking().getRun(r.mlflowRunId());
    assertThat(run.data().metrics().get("missing_change_age").value())
        .isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-9));
    assertEquals(1.0, run.data().metrics().get("drift_flags").value());
    // The HTML drift report on the run (through MLflow's artifact API): the flagged feature with
    // its number, highlighted, and nothing fetched from elsewhere.
    Path html =
        mlflow
            .artifacts()
            .download(
                run.info().artifactUri(),
                "scoring/drift-report.html",
                dir.resolve("drift-" + UUID.randomUUID() + ".html"));
    String page = Files.readString(html);
    org.w3c.dom.Document doc =
        javax.xml.parsers.DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(html.toFile());
    assertEquals(
        "age",
        javax.xml.xpath.XPathFactory.newInstance()
            .newXPath()
            .evaluate("//tr[@class='flagged']/td[1]", doc));
    assertThat(page)
        .contains(String.format(java.util.Locale.ROOT, "age: missing +%.3f &gt; 0.100", expected))
        .doesNotContainPattern("(?i)(src|href)\\s*=|url\\(|@import");
    assertEquals("scored, retraining started", r.outcome());
    assertNotNull(r.retrainWorkflowId());
    assertThat(run.tag("trainyard.outcome").orElseThrow())
        .contains("drift flagged: age: missing")
        .contains("started retraining " + r.retrainWorkflowId());
    // Started is what this test is about; stop it so it registers no version under the other
    // tests' feet.
    worker.client().newUntypedWorkflowStub(r.retrainWorkflowId()).terminate("test done");
  }

  @Test
  void aShiftedPredictionDistributionIsFlaggedWithItsNumberAndStartsRetraining() throws Exception {
    // Only the customers version 1 predicts to be in its rarer class: their features are the
    // batch's own rows, yet every prediction is one class, unlike the version's test split.
    String all = out("all");
    score(ScoringSpec.of(model + "/1", batch.toString(), all).withKeys(List.of("customer_id")));
    Dataset<Row> predicted = spark.read().parquet(all);
    String rarer =
        predicted.groupBy("prediction").count().orderBy(col("count")).first().getString(0);
    String input =
        write(
            "one-class",
            churn()
                .join(
                    predicted.where(col("prediction").equalTo(rarer)).select("customer_id"),
                    "customer_id"));
    // Independently: the reference as version 1's run holds it (model/djl/), read through
    // MLflow's artifact API, and the PSI of one class against its test shares.
    ModelVersion v1 = mlflow.registry().getModelVersion(model, "1");
    String root = mlflow.tracking().getRun(v1.runId()).info().artifactUri();
    Path version = Files.createDirectories(dir.resolve("v1-" + UUID.randomUUID()));
    mlflow
        .artifacts()
        .download(
            root,
            "model/djl/" + PredictionReference.FILE,
            version.resolve(PredictionReference.FILE));
    mlflow.artifacts().download(root, "model/features.json", version.resolve("features.json"));
    PredictionReference reference = PredictionReference.readFrom(version);
    List<String> labels =
        FeatureManifest.fromJson(Files.readString(version.resolve("features.json"))).labels();
    double[] actual = new double[labels.size()];
    actual[labels.indexOf(rarer)] = 1;
    double expected = PopulationStability.psi(reference.shares(), actual);
    assertThat(expected).isGreaterThan(0.25);
    String flag = String.format(java.util.Locale.ROOT, "predictions: psi %.3f > 0.250", expected);

    ScoringResult r =
        score(
            ScoringSpec.of(model + "/1", input, out("one-class"))
                // A PSI limit no batch reaches: the prediction flag starts retraining.
                .withRetrain(new ScoringSpec.Retrain(100, trainSpec)));

    assertThat(r.predictionPsi()).isCloseTo(expected, within(1e-9));
    assertThat(r.driftFlags()).contains(flag);
    Run run = mlflow.tracking().getRun(r.mlflowRunId());
    assertThat(run.data().metrics().get("prediction_psi").value())
        .isCloseTo(expected, within(1e-9));
    assertThat(run.tag("trainyard.drift_flags").orElseThrow()).contains(flag);
    Path html =
        mlflow
            .artifacts()
            .download(
                run.info().artifactUri(),
                "scoring/drift-report.html",
                dir.resolve("drift-" + UUID.randomUUID() + ".html"));
    org.w3c.dom.Document doc =
        javax.xml.parsers.DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(html.toFile());
    assertThat(
            javax.xml.xpath.XPathFactory.newInstance()
                .newXPath()
                .evaluate("//p[@id='prediction-drift' and @class='bad']", doc))
        .contains(String.format(java.util.Locale.ROOT, "%.4f", expected));
    Path json =
        mlflow
            .artifacts()
            .download(
                run.info().artifactUri(),
                "scoring/report.json",
                dir.resolve("report-" + UUID.randomUUID() + ".json"));
    assertThat(JSON.readTree(json.toFile()).get("predictionPsi").asDouble())
        .isCloseTo(expected, within(1e-9));
    assertEquals("scored, retraining started", r.outcome());
    assertNotNull(r.retrainWorkflowId());
    worker.client().newUntypedWorkflowStub(r.retrainWorkflowId()).terminate("test done");
  }

  @Test
  void aSecondRunWithSkipLeavesAPublishedOutputAlone() throws Exception {
    String output = out("skip");
    ScoringSpec spec = ScoringSpec.of(model + "@champion", batch.toString(), output);
    ScoringResult first = score(spec);
    long published = Files.getLastModifiedTime(Path.of(output, "_SUCCESS")).toMillis();

    ScoringResult second = score(spec.withIfOutputExists(ScoringSpec.SKIP));
    long afterSkip = Files.getLastModifiedTime(Path.of(output, "_SUCCESS")).toMillis();
    ScoringResult third = score(spec);

    assertEquals("scored", first.outcome());
    assertEquals("skipped", second.outcome());
    assertEquals(published, afterSkip);
    assertEquals("scored", third.outcome(), "replace (the default) scores again");
    assertEquals(ROWS, spark.read().parquet(output).count(), "replaced, not appended");
  }

  @Test
  void driftOverTheThresholdStartsRetrainingAndSaysSo() throws Exception {
    String input = write("drifted", churn().withColumn("age", col("age").plus(30)));
    ScoringSpec spec =
        ScoringSpec.of(model + "@champion", input, out("drift"))
            .withRetrain(new ScoringSpec.Retrain(0.2, trainSpec));

    ScoringResult r = score(spec);

    assertEquals("scored, retraining started", r.outcome());
    assertThat(r.maxPsi()).isGreaterThan(0.2);
    assertNotNull(r.retrainWorkflowId());
    PipelineResult retrained =
        worker
            .client()
            .newUntypedWorkflowStub(r.retrainWorkflowId())
            .getResult(3, TimeUnit.MINUTES, PipelineResult.class);
    assertEquals(model, retrained.registeredModel());
    assertEquals("2", retrained.version());
    Run run = mlflow.tracking().getRun(r.mlflowRunId());
    assertThat(run.tag("trainyard.outcome").orElseThrow())
        .contains("started retraining " + r.retrainWorkflowId());
  }

  @Test
  void noDriftNoRetraining() throws Exception {
    ScoringResult r =
        score(
            ScoringSpec.of(model + "@champion", batch.toString(), out("nodrift"))
                .withRetrain(new ScoringSpec.Retrain(0.2, trainSpec)));

    assertEquals("scored", r.outcome());
    assertNull(r.retrainWorkflowId());
    assertThat(r.driftFlags()).isEmpty();
    // Predictions distributed like version 1's test split's: measured, under the limit.
    assertThat(r.predictionPsi()).isNotNull().isLessThan(0.25);
    Run run = mlflow.tracking().getRun(r.mlflowRunId());
    assertEquals(0.0, run.data().metrics().get("drift_flags").value());
    assertThat(run.data().metrics()).containsKeys("missing_change_age", "unseen_share_plan");
  }

  // ---- bad input: each fails fast with what is wrong and publishes nothing

  @Test
  void unknownModel() {
    String output = out("unknown-model");
    ApplicationFailure f =
        failure(ScoringSpec.of("no-such-model@champion", batch.toString(), output));

    assertEquals("UnknownModel", f.getType());
    assertThat(f.getOriginalMessage()).contains("registered model 'no-such-model' does not exist");
    assertFalse(Files.exists(Path.of(output)));
  }

  @Test
  void unknownAlias() {
    String output = out("unknown-alias");
    ApplicationFailure f = failure(ScoringSpec.of(model + "@prod", batch.toString(), output));

    assertEquals("UnknownAlias", f.getType());
    assertThat(f.getOriginalMessage())
        .contains("model '" + model + "' has no alias 'prod'")
        .contains("champion → version 1");
    assertFalse(Files.exists(Path.of(output)));
  }

  @Test
  void unknownVersion() {
    ApplicationFailure f = failure(ScoringSpec.of(model + "/42", batch.toString(), out("v42")));

    assertEquals("UnknownModelVersion", f.getType());
    assertThat(f.getOriginalMessage()).contains("has no version 42");
  }

  @Test
  void inputMissingAFeatureColumn() {
    String input = write("missing", churn().drop("tenure_months"));
    String output = out("missing");

    ApplicationFailure f = failure(ScoringSpec.of(model + "@champion", input, output));

    assertEquals("BadInputData", f.getType());
    assertThat(f.getOriginalMessage()).contains("lacks a column").contains("[tenure_months]");
    assertTrue(f.isNonRetryable());
    assertFalse(Files.exists(Path.of(output)));
  }

  @Test
  void inputPathAbsent() {
    String input = dir.resolve("nowhere.parquet").toString();
    String output = out("absent");

    ApplicationFailure f = failure(ScoringSpec.of(model + "@champion", input, output));

    assertEquals("BadInputData", f.getType());
    assertThat(f.getOriginalMessage()).contains("nowhere.parquet").contains("does not exist");
    assertFalse(Files.exists(Path.of(output)));
  }

  @Test
  void outputPathNotWritable() throws IOException {
    Path blocker = Files.writeString(dir.resolve("a-file-" + UUID.randomUUID()), "not a folder");
    String output = blocker.resolve("scores").toString();

    ApplicationFailure f = failure(ScoringSpec.of(model + "@champion", batch.toString(), output));

    assertEquals("BadInputData", f.getType());
    assertThat(f.getOriginalMessage())
        .contains("cannot write the output " + "file://" + output)
        .contains("is a file, not a folder");
  }

  @Test
  void wrongColumnType() {
    String input = write("wrong-type", churn().withColumn("age", array(col("age"))));
    String output = out("wrong-type");

    ApplicationFailure f = failure(ScoringSpec.of(model + "@champion", input, output));

    assertEquals("BadInputData", f.getType());
    assertThat(f.getOriginalMessage())
        .contains("numeric feature 'age' has type array<double>")
        .contains("expected a number");
    assertFalse(Files.exists(Path.of(output)));
  }

  @Test
  void tooManyUnscoreableRowsFailAndPublishNothing() {
    Dataset<Row> bad =
        churn()
            .withColumn(
                "age",
                when(col("customer_id").endsWith("1").or(col("customer_id").endsWith("2")), "n/a")
                    .otherwise(col("age").cast("string")));
    String input = write("unscoreable", bad);
    String output = out("unscoreable");

    ApplicationFailure f = failure(ScoringSpec.of(model + "@champion", input, output));

    assertEquals("BadInputData", f.getType());
    assertThat(f.getOriginalMessage()).contains("age");
    assertFalse(Files.exists(Path.of(output)), "a failed run publishes no output");
  }

  @Test
  void invalidRequestListsEveryProblem() {
    ApplicationFailure f =
        failure(
            ScoringSpec.builder()
                .setModel("no-ref")
                .setInput("relative/path")
                .optFormat("xlsx")
                .optKeys(List.of())
                .optBatchSize(-1)
                .optMaxQuarantineFraction(2.0)
                .optIfOutputExists("maybe")
                .build());

    assertEquals("InvalidScoringRequest", f.getType());
    assertThat(f.getOriginalMessage())
        .contains("model: model reference 'no-ref' is not valid")
        .contains("input: 'relative/path' is a relative path")
        .contains("output: is required")
        .contains("format: 'xlsx' is not supported")
        .contains("batchSize: must be positive")
        .contains("maxQuarantineFraction: must be within [0, 1]")
        .contains("ifOutputExists: 'maybe' is not one of replace, skip");
  }

  /** Reads the output with pyarrow (from the MLflow venv): nothing of Spark or Java involved. */
  private JsonNode pyarrow(Path output) throws Exception {
    Path python = new Tools(config.home(), config.toolsDir(), s -> {}).mlflowPython();
    String script =
        String.join(
            "\n",
            "import json, sys, pyarrow.parquet as pq, pyarrow.compute as pc",
            "t = pq.read_table(sys.argv[1])",
            "print(json.dumps({",
            "  'rows': t.num_rows,",
            "  'columns': t.column_names,",
            "  'model_versions': sorted(set(t.column('model_version').to_pylist())),",
            "  'model_names': sorted(set(t.column('model_name').to_pylist())),",
            "  'null_predictions': t.column('prediction').null_count,",
            "  'distinct_keys': len(set(t.column('customer_id').to_pylist())),",
            "}))");
    Process p =
        new ProcessBuilder(python.toString(), "-c", script, output.toString())
            .redirectErrorStream(true)
            .start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), text);
    return JSON.readTree(text.lines().reduce((a, b) -> b).orElseThrow());
  }
}
