package dev.trainyard.app.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.app.demo.ChurnData;
import dev.trainyard.app.spec.PipelineSpecFile;
import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.registry.Metric;
import dev.trainyard.registry.MlflowClient;
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
import io.temporal.client.WorkflowOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The confidence-aware gate through the real pipeline (Temporal dev server, MLflow, Spark, DJL), on
 * data built to have a known answer. In regions north, south and east the label follows {@code x1};
 * in the west it follows {@code x3}; everywhere {@code x2} nudges it a little. So a model on {@code
 * x1} is clearly better overall than one on {@code x3} but far worse in the west, and adding {@code
 * x2} to {@code x1} is better only by a hair, well inside the noise of the test split.
 */
@ExtendWith({TemporalExtension.class, MlflowExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GateIT {
  private StackConfig config;
  private TrainyardWorker worker;
  private MlflowClient mlflow;
  private String table;

  @BeforeAll
  void start(TemporalServer temporal, MlflowServer mlflowServer) throws Exception {
    config = PipelineStack.config(temporal, mlflowServer);
    worker = PipelineStack.worker(config);
    mlflow = PipelineStack.mlflow(mlflowServer);
    Path data = Files.createDirectories(config.stateDir().resolve("data"));
    table = data.resolve("regions.parquet").toUri().toString();
    writeRegions(table, 8000);
  }

  @AfterAll
  void stop() {
    worker.close();
    mlflow.close();
  }

  /** The known-answer table: seeded, the same rows on every run. */
  private static void writeRegions(String uri, int n) {
    SplittableRandom r = new SplittableRandom(2026);
    String[] regions = {"north", "south", "east", "west"};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String region = regions[i % 4];
      double x1 = gaussian(r);
      double x2 = gaussian(r);
      double x3 = gaussian(r);
      double logit = (region.equals("west") ? 3 * x3 : 3 * x1) + 0.3 * x2;
      boolean churned = r.nextDouble() < 1 / (1 + Math.exp(-logit));
      rows.add(RowFactory.create((long) i, region, x1, x2, x3, churned ? "yes" : "no"));
    }
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType)
            .add("region", DataTypes.StringType)
            .add("x1", DataTypes.DoubleType)
            .add("x2", DataTypes.DoubleType)
            .add("x3", DataTypes.DoubleType)
            .add("churned", DataTypes.StringType);
    SparkSessions.local()
        .createDataFrame(rows, schema)
        .coalesce(1)
        .write()
        .mode("overwrite")
        .parquet(uri);
  }

  private static double gaussian(SplittableRandom r) {
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  /** Every spec keys rows by id and region, so all of them split the table the same way. */
  private PipelineSpec spec(String model, List<String> numeric, PipelineSpec.Gate gate) {
    return PipelineSpec.builder()
        .setName("regions")
        .setDataset(new PipelineSpec.Dataset(table, "parquet"))
        .setLabel("churned")
        .setTask("binary")
        .setFeatures(new PipelineSpec.Features(numeric, List.of(), List.of("id", "region")))
        .optModel(
            PipelineSpec.Model.builder()
                .optType("mlp")
                .optHiddenLayers(List.of(16))
                .optEpochs(4)
                .optBatchSize(128)
                .optLearningRate(0.01)
                .optEarlyStoppingPatience(2)
                .optDevice("cpu")
                .optSeed(7L)
                .build())
        .optGate(gate)
        .setRegisteredModel(model)
        .build();
  }

  private static PipelineSpec.Gate.Builder gate() {
    return PipelineSpec.Gate.builder().optConfidence(0.95).optResamples(1000);
  }

  private PipelineResult run(PipelineSpec spec) {
    return worker
        .client()
        .newWorkflowStub(
            TrainingPipelineWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.CONTROL)
                .setWorkflowId("it-gate-" + UUID.randomUUID())
                .build())
        .run(spec);
  }

  private double metric(PipelineResult r, String name) {
    List<Metric> m = mlflow.tracking().getMetricHistory(r.mlflowRunId(), name);
    assertThat(m).as(name).isNotEmpty();
    return m.get(m.size() - 1).value();
  }

  private JsonNode report(PipelineResult r, Path into) throws Exception {
    String artifacts = mlflow.tracking().getRun(r.mlflowRunId()).info().artifactUri();
    Path file =
        mlflow.artifacts().download(artifacts, "evaluation/report.json", into.resolve("r.json"));
    return new ObjectMapper().readTree(file.toFile());
  }

  @Test
  void aClearlyBetterChallengerIsPromotedButNotOneThatIsWorseOnASegment() throws Exception {
    String model = "regions-" + UUID.randomUUID();
    PipelineSpec.Gate plain = gate().build();
    assertEquals("promoted", run(spec(model, List.of("x3"), plain)).outcome());

    PipelineSpec.Gate bySegment =
        gate().optSegments(List.of("region")).optMinRows(100).optMaxRegression(0.02).build();
    PipelineResult segmented = run(spec(model, List.of("x1"), bySegment));

    assertEquals("registered", segmented.outcome(), segmented.gateReasons().toString());
    assertThat(segmented.gateReasons())
        .anyMatch(s -> s.startsWith("roc_auc +") && s.contains("beyond noise"))
        .anyMatch(s -> s.startsWith("segments region: 1 of 4 compared worse"))
        .anyMatch(s -> s.startsWith("segment region=west (") && s.endsWith(": not promoted"));
    assertEquals("1", mlflow.registry().getModelVersionByAlias(model, "champion").version());
    assertThat(mlflow.registry().getModelVersion(model, segmented.version()).tags())
        .hasEntrySatisfying("trainyard.gate", tag -> assertThat(tag).contains("region=west"));
    JsonNode report = report(segmented, Files.createTempDirectory("gate-report"));
    assertEquals(1000, report.get("resamples").asInt());
    assertThat(report.get("segments").get("values")).hasSize(4);
    assertThat(report.get("metrics").get(0).get("bootstrap").get("quantiles")).isNotNull();
    System.out.printf(
        "GateIT: bootstrap on %d paired test rows (4 segments): %.3f s%n",
        report.get("rows").asInt(), metric(segmented, "gate_bootstrap_seconds"));

    PipelineResult clear = run(spec(model, List.of("x1"), plain));

    assertEquals("promoted", clear.outcome(), clear.gateReasons().toString());
    assertThat(clear.gateReasons())
        .anyMatch(
            s ->
                s.matches(
                    "roc_auc \\+0\\.\\d{4} \\[\\+0\\.\\d{4}, \\+0\\.\\d{4}] at 95 %:"
                        + " better than champion 0\\.\\d{4} beyond noise .*"));
    assertEquals(
        clear.version(), mlflow.registry().getModelVersionByAlias(model, "champion").version());
  }

  /**
   * A spec with transform steps (a derived label, a derived segment key, a fitted bucketize),
   * trained twice: the second run compares with the first's model, whose pipeline applies its own
   * steps to the raw test rows. It used to get rows the steps had already run on, and failed.
   */
  @Test
  void aSecondTrainingOfASpecWithTransformStepsComparesWithTheFirst() throws Exception {
    String model = "regions-transform-" + UUID.randomUUID();
    PipelineSpec spec =
        spec(
                model,
                List.of("x1_scaled", "x3"),
                gate().optSegments(List.of("band")).optMinRows(100).optMaxRegression(0.5).build())
            .toBuilder()
            .setLabel("churn_flag")
            .setFeatures(
                new PipelineSpec.Features(
                    List.of("x1_scaled", "x3"), List.of("x3_bucket"), List.of("id", "band")))
            .optTransform(
                List.of(
                    PipelineSpec.TransformStep.sql(
                        "SELECT *, IF(churned = 'yes', 'churn', 'stay') AS churn_flag,"
                            + " x1 * 10 AS x1_scaled, IF(x2 > 0, 'high', 'low') AS band"
                            + " FROM __THIS__"),
                    PipelineSpec.TransformStep.of(new PipelineSpec.Bucketize("x3", 4, null, null))))
            .build();
    assertEquals("promoted", run(spec).outcome());

    PipelineResult second = run(spec);

    assertThat(second.outcome()).isIn("promoted", "registered");
    JsonNode report = report(second, Files.createTempDirectory("gate-transform"));
    assertThat(report.get("rows").asInt()).isGreaterThan(1000);
    assertThat(report.get("segments").get("values"))
        .extracting(v -> v.get("value").asText())
        .containsExactlyInAnyOrder("high", "low");
    // Same data, same spec: the same model, so the paired gain is nothing.
    assertThat(metric(second, "gate_gain_roc_auc"))
        .isCloseTo(0.0, org.assertj.core.api.Assertions.within(1e-6));
  }

  @Test
  void aChallengerBetterOnlyByNoiseIsNotPromotedAndARerunDecidesTheSame() {
    String model = "regions-noise-" + UUID.randomUUID();
    PipelineSpec.Gate plain = gate().build();
    assertEquals("promoted", run(spec(model, List.of("x1"), plain)).outcome());

    PipelineSpec nudged = spec(model, List.of("x1", "x2"), plain);
    PipelineResult first = run(nudged);

    assertEquals("registered", first.outcome(), first.gateReasons().toString());
    // Better on the test rows (the point rule would have promoted it), but within noise.
    assertThat(metric(first, "gate_gain_roc_auc")).isGreaterThan(0);
    assertThat(first.gateReasons())
        .anyMatch(s -> s.startsWith("roc_auc +") && s.contains("within noise of champion"));

    PipelineResult again = run(nudged);
    assertEquals(first.outcome(), again.outcome());
    assertEquals(first.gateReasons(), again.gateReasons(), "seeded: the same decision");
  }

  /**
   * The cost on the demo: `./trainyard demo`'s data (100k rows, 15 % test) and spec, trained twice
   * so the second run compares with the first. Prints the seconds; asserts only a loose bound.
   */
  @Test
  void bootstrapCostOnTheDemosTestSplit() throws Exception {
    Path data = Files.createDirectories(config.stateDir().resolve("data"));
    String churn = data.resolve("demo-churn.parquet").toUri().toString();
    ChurnData.write(churn, 100_000, 11);
    String model = "churn-cost-" + UUID.randomUUID();
    PipelineSpec demo =
        PipelineSpecFile.load(PipelineStack.home().resolve("examples/churn/pipeline.yaml"))
            .withDataset(new PipelineSpec.Dataset(churn, "parquet"))
            .withRegisteredModel(model);
    PipelineSpec spec =
        demo.withModel(
            PipelineSpec.Model.builder()
                .optType("mlp")
                .optHiddenLayers(List.of(32, 16))
                .optEpochs(2)
                .optBatchSize(512)
                .optLearningRate(0.005)
                .optEarlyStoppingPatience(2)
                .optDevice("cpu")
                .optSeed(7L)
                .build());
    long t0 = System.nanoTime();
    run(spec);
    long t1 = System.nanoTime();
    PipelineResult second =
        run(
            spec.withGate(
                demo.gate().toBuilder()
                    .optSegments(List.of("region", "plan"))
                    .optMaxRegression(0.01)
                    .build()));
    long t2 = System.nanoTime();
    double bootstrap = metric(second, "gate_bootstrap_seconds");
    Path tmp = Files.createTempDirectory("gate-cost");
    JsonNode report = report(second, tmp);
    String artifacts = mlflow.tracking().getRun(second.mlflowRunId()).info().artifactUri();
    JsonNode compare =
        new ObjectMapper()
            .readTree(
                mlflow
                    .artifacts()
                    .download(artifacts, "lineage/compare.json", tmp.resolve("c.json"))
                    .toFile());
    double compareSeconds =
        java.time.Duration.between(
                    java.time.Instant.parse(compare.get("start").asText()),
                    java.time.Instant.parse(compare.get("end").asText()))
                .toMillis()
            / 1000.0;
    System.out.printf(
        "GateIT demo cost: %d paired test rows, %d resamples, segments region+plan: bootstrap %.3f"
            + " s; whole compare step (re-scoring both models + bootstrap + report) %.1f s; first"
            + " pipeline %.1f s, second (with the comparison) %.1f s%n",
        report.get("rows").asInt(),
        report.get("resamples").asInt(),
        bootstrap,
        compareSeconds,
        (t1 - t0) / 1e9,
        (t2 - t1) / 1e9);
    assertThat(report.get("rows").asInt()).isGreaterThan(10_000);
    assertThat(bootstrap).isLessThan(120);
  }
}
