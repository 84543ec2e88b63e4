package dev.trainyard.app.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.trainyard.app.cli.Cli;
import dev.trainyard.app.demo.ChurnData;
import dev.trainyard.app.pipeline.PipelineStack;
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
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.scoring.BatchScoringWorkflow;
import dev.trainyard.workflows.scoring.EvaluateScoresResult;
import dev.trainyard.workflows.scoring.EvaluateScoresSpec;
import dev.trainyard.workflows.scoring.EvaluateScoresWorkflow;
import dev.trainyard.workflows.scoring.ScoringResult;
import dev.trainyard.workflows.scoring.ScoringSpec;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Realized performance on the real Temporal dev server, MLflow, Spark and DJL: a champion scores
 * three days; their labels arrive; {@code EvaluateScoresWorkflow} logs each day's realized accuracy
 * to that day's scoring run (a metric history by day, read back over MLflow's REST API), and the
 * day whose labels say the model got worse starts a retraining pipeline. A realized-performance
 * schedule made with {@code trainyard schedule create --evaluate-scores} (in its own JVM) and
 * triggered evaluates the day scored {@code --label-delay-days} before its run.
 */
@ExtendWith({TemporalExtension.class, MlflowExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealizedPerformanceIT {
  private static final List<String> DAYS = List.of("2026-11-01", "2026-11-02", "2026-11-03");
  private static final int ROWS = 800;

  private TrainyardWorker worker;
  private MlflowClient mlflow;
  private SparkSession spark;
  private Path dir;
  private String model;
  private PipelineSpec trainSpec;
  private final Map<String, ScoringResult> scored = new HashMap<>();
  private Map<String, String> env;

  @BeforeAll
  void scoreThreeDays(TemporalServer temporal, MlflowServer mlflowServer) throws Exception {
    StackConfig config = PipelineStack.config(temporal, mlflowServer);
    worker = PipelineStack.worker(config);
    mlflow = PipelineStack.mlflow(mlflowServer);
    spark = SparkSessions.local();
    dir = Files.createDirectories(config.stateDir().resolve("realized"));
    env =
        Map.of(
            "TEMPORAL_ADDRESS", temporal.address(),
            "TEMPORAL_NAMESPACE", temporal.namespace(),
            "TRAINYARD_TEMPORAL_UI_URL", temporal.uiUri().toString(),
            "MLFLOW_TRACKING_URI", mlflowServer.trackingUri().toString(),
            "TRAINYARD_STATE_DIR", config.stateDir().toString());
    Champion champion = Champion.train(worker, dir);
    model = champion.model();
    trainSpec = champion.spec();
    for (int i = 0; i < DAYS.size(); i++) {
      // The third day's world changed: every label is the other class.
      scoreDayWithLabels(DAYS.get(i), 100 + i, i == 2);
    }
  }

  /** Scores {@code day}'s batch with the champion and writes its labels (flipped: all wrong). */
  private void scoreDayWithLabels(String day, long seed, boolean flipped) {
    String batch = dir.resolve("batch/" + day).toUri().toString();
    ChurnData.write(batch, ROWS, seed);
    Dataset<Row> truth = spark.read().parquet(batch).select("customer_id", "churned");
    if (flipped) {
      truth =
          truth.withColumn("churned", when(col("churned").equalTo("yes"), "no").otherwise("yes"));
    }
    truth.write().parquet(dir.resolve("labels/" + day).toUri().toString());
    ScoringResult r =
        worker
            .client()
            .newWorkflowStub(
                BatchScoringWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setTaskQueue(TaskQueues.CONTROL)
                    .setWorkflowId("it-score-" + day + "-" + UUID.randomUUID())
                    .build())
            .score(
                ScoringSpec.builder()
                    .setModel(model + "@champion")
                    .setInput(dir.resolve("batch/{date}").toString())
                    .setOutput(dir.resolve("scores/{date}").toString())
                    .optKeys(List.of("customer_id"))
                    .optDate(day)
                    .build());
    scored.put(day, r);
  }

  @AfterAll
  void stop() {
    worker.close();
    mlflow.close();
  }

  private EvaluateScoresResult evaluate(EvaluateScoresSpec spec) {
    return worker
        .client()
        .newWorkflowStub(
            EvaluateScoresWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.CONTROL)
                .setWorkflowId("it-realized-" + UUID.randomUUID())
                .build())
        .evaluate(spec);
  }

  private EvaluateScoresSpec spec(String labels, EvaluateScoresSpec.Retrain retrain) {
    return EvaluateScoresSpec.of(
        dir.resolve("scores/{date}").toString(),
        labels,
        List.of("customer_id"),
        "churned",
        DAYS,
        retrain);
  }

  /** The day's accuracy, computed here: the published predictions against the labels. */
  private double accuracy(String day) {
    Map<String, String> truth = new HashMap<>();
    for (Row r : spark.read().parquet(dir.resolve("labels/" + day).toString()).collectAsList()) {
      truth.put(r.getString(0), r.getString(1));
    }
    long right = 0;
    long n = 0;
    for (Row r :
        spark
            .read()
            .parquet(dir.resolve("scores/" + day).toString())
            .select("customer_id", "prediction")
            .collectAsList()) {
      if (truth.containsKey(r.getString(0))) {
        n++;
        right += truth.get(r.getString(0)).equals(r.getString(1)) ? 1 : 0;
      }
    }
    return (double) right / n;
  }

  @Test
  void threeLabelledDaysBecomeAMetricHistoryAndTheDropStartsRetraining() throws Exception {
    EvaluateScoresResult result =
        evaluate(
            spec(
                dir.resolve("labels/{date}").toString(),
                new EvaluateScoresSpec.Retrain("accuracy", 0.5, null, trainSpec)));

    assertEquals(3, result.days().size());
    List<long[]> history = new ArrayList<>();
    for (int i = 0; i < DAYS.size(); i++) {
      String day = DAYS.get(i);
      EvaluateScoresResult.EvaluatedDay d = result.days().get(i);
      assertEquals(day, d.date());
      assertEquals(model + "/1", d.model());
      assertEquals(scored.get(day).mlflowRunId(), d.mlflowRunId());
      assertEquals(scored.get(day).scored(), d.labelled());
      assertEquals(accuracy(day), d.metrics().get("accuracy"), 1e-12);
      // The day's scoring run holds the realized accuracy at step = the day.
      List<Metric> points =
          mlflow.tracking().getMetricHistory(d.mlflowRunId(), "realized_accuracy");
      assertEquals(1, points.size());
      long epochDay = LocalDate.parse(day).toEpochDay();
      assertEquals(epochDay, points.get(0).step());
      assertEquals(accuracy(day), points.get(0).value(), 1e-9);
      assertEquals(
          LocalDate.parse(day).atStartOfDay(java.time.ZoneOffset.UTC).toInstant(),
          points.get(0).timestamp());
      history.add(new long[] {points.get(0).step()});
    }
    assertThat(history.stream().map(h -> h[0]).toList())
        .containsExactly(
            LocalDate.parse(DAYS.get(0)).toEpochDay(),
            LocalDate.parse(DAYS.get(1)).toEpochDay(),
            LocalDate.parse(DAYS.get(2)).toEpochDay());
    assertThat(result.days().get(0).metrics().get("accuracy")).isGreaterThan(0.5);
    assertThat(result.days().get(2).metrics().get("accuracy")).isLessThan(0.5);

    // The drop started the retraining pipeline, visible to Temporal.
    assertNotNull(result.retrainWorkflowId());
    var described = worker.client().newUntypedWorkflowStub(result.retrainWorkflowId()).describe();
    assertEquals("TrainingPipelineWorkflow", described.getWorkflowType());
    assertThat(described.getStatus())
        .isIn(
            WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
            WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    assertThat(result.summary())
        .contains("accuracy")
        .contains("on " + DAYS.get(2))
        .contains("started retraining " + result.retrainWorkflowId());
    // Not needed further: spare the machine a training run.
    worker.client().newUntypedWorkflowStub(result.retrainWorkflowId()).terminate("test done");
  }

  @Test
  void noDropNoRetraining() {
    EvaluateScoresResult result =
        evaluate(
            EvaluateScoresSpec.of(
                dir.resolve("scores/{date}").toString(),
                dir.resolve("labels/{date}").toString(),
                List.of("customer_id"),
                "churned",
                DAYS.subList(0, 2),
                new EvaluateScoresSpec.Retrain("accuracy", 0.5, null, trainSpec)));
    assertNull(result.retrainWorkflowId());
    assertEquals(2, result.days().size());
  }

  @Test
  void aScheduleEvaluatesTheDayScoredLabelDelayDaysBeforeItsRun() throws Exception {
    // A day of its own, so no other test logs realized metrics to its scoring run.
    int delay = 30;
    String day = LocalDate.now(java.time.ZoneOffset.UTC).minusDays(delay).toString();
    scoreDayWithLabels(day, 500, false);
    String id = "realized-" + UUID.randomUUID().toString().substring(0, 8);

    Cli.Result created =
        Cli.run(
            env,
            "schedule",
            "create",
            id,
            "--every",
            "1d",
            "--evaluate-scores",
            dir.resolve("scores/{date}").toString(),
            "--labels",
            dir.resolve("labels/{date}").toString(),
            "--keys",
            "customer_id",
            "--label",
            "churned",
            "--label-delay-days",
            String.valueOf(delay));
    assertEquals(0, created.exitCode(), created.stderr());
    assertThat(created.stdout())
        .contains("schedule:    " + id + " (realized performance, every 1d)");
    Cli.Result described = Cli.run(env, "schedule", "describe", id);
    assertEquals(0, described.exitCode(), described.stderr());
    assertThat(described.stdout())
        .contains("EvaluateScoresWorkflow")
        .contains("scores:      " + dir.resolve("scores/{date}"))
        .contains("labels:      " + dir.resolve("labels/{date}") + " (column churned)")
        .contains("minus " + delay + " (labels arrive late)");

    // Triggered (nominal time: now), it evaluates the day scored `delay` days ago.
    assertEquals(0, Cli.run(env, "schedule", "trigger", id).exitCode());
    ScheduleClient schedules =
        ScheduleClient.newInstance(
            worker.client().getWorkflowServiceStubs(),
            ScheduleClientOptions.newBuilder()
                .setNamespace(worker.client().getOptions().getNamespace())
                .build());
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (schedules.getHandle(id).describe().getInfo().getRecentActions().isEmpty()) {
      assertThat(System.nanoTime()).as("the schedule started no run").isLessThan(deadline);
      Thread.sleep(500);
    }
    var started =
        (ScheduleActionExecutionStartWorkflow)
            schedules.getHandle(id).describe().getInfo().getRecentActions().get(0).getAction();
    assertThat(started.getWorkflowId()).startsWith("evaluate-" + id);
    EvaluateScoresResult result =
        worker
            .client()
            .newUntypedWorkflowStub(
                started.getWorkflowId(),
                java.util.Optional.of(started.getFirstExecutionRunId()),
                java.util.Optional.empty())
            .getResult(4, java.util.concurrent.TimeUnit.MINUTES, EvaluateScoresResult.class);

    assertEquals(1, result.days().size());
    EvaluateScoresResult.EvaluatedDay d = result.days().get(0);
    assertEquals(day, d.date());
    assertEquals(scored.get(day).mlflowRunId(), d.mlflowRunId());
    assertEquals(ROWS, d.labelled());
    assertEquals(accuracy(day), d.metrics().get("accuracy"), 1e-12);
    List<Metric> points = mlflow.tracking().getMetricHistory(d.mlflowRunId(), "realized_accuracy");
    assertEquals(1, points.size());
    assertEquals(LocalDate.parse(day).toEpochDay(), points.get(0).step());
    assertEquals(accuracy(day), points.get(0).value(), 1e-9);
    assertNull(result.retrainWorkflowId());

    assertEquals(0, Cli.run(env, "schedule", "delete", id).exitCode());
  }

  private ApplicationFailure failure(EvaluateScoresSpec spec) {
    WorkflowFailedException e = assertThrows(WorkflowFailedException.class, () -> evaluate(spec));
    Throwable c = e;
    ApplicationFailure found = null;
    while (c != null) {
      if (c instanceof ApplicationFailure a) {
        found = a;
      }
      c = c.getCause();
    }
    assertNotNull(found, "no application failure in " + e);
    return found;
  }

  @Test
  void labelsWithoutTheKeyFailAtOnceSayingSo() {
    String labels = dir.resolve("labels-nokey").toUri().toString();
    spark
        .read()
        .parquet(dir.resolve("labels/" + DAYS.get(0)).toString())
        .withColumnRenamed("customer_id", "id")
        .write()
        .parquet(labels);
    ApplicationFailure f = failure(spec(labels, null));
    assertEquals("BadLabels", f.getType());
    assertThat(f.getOriginalMessage()).contains("the labels have no key column 'customer_id'");
    assertThat(f.isNonRetryable()).isTrue();
  }

  @Test
  void labelsForOtherRowsFailAtOnceSayingSo() {
    String labels = dir.resolve("labels-other").toUri().toString();
    spark
        .read()
        .parquet(dir.resolve("labels/" + DAYS.get(0)).toString())
        .withColumn(
            "customer_id",
            org.apache.spark.sql.functions.concat(
                col("customer_id"), org.apache.spark.sql.functions.lit("-x")))
        .write()
        .parquet(labels);
    ApplicationFailure f = failure(spec(labels, null));
    assertEquals("BadLabels", f.getType());
    assertThat(f.getOriginalMessage())
        .contains("has a label in")
        .contains("joined on [customer_id]");
    assertFalse(f.getOriginalMessage().isBlank());
  }
}
