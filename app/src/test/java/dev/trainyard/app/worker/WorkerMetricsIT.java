package dev.trainyard.app.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.activities.runtime.OpenLineageEvents;
import dev.trainyard.app.config.TrainyardConfig;
import dev.trainyard.app.config.TrainyardConfig.MetricsEndpoint;
import dev.trainyard.app.demo.ChurnData;
import dev.trainyard.app.pipeline.PipelineStack;
import dev.trainyard.app.spec.PipelineSpecFile;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.testing.TemporalExtension;
import dev.trainyard.testing.TemporalServer;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.PipelineResult;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import dev.trainyard.workflows.scoring.BatchScoringWorkflow;
import dev.trainyard.workflows.scoring.ScoringResult;
import dev.trainyard.workflows.scoring.ScoringSpec;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker with its metrics port on runs a small training pipeline and then a scoring run on the
 * real Temporal dev server and MLflow, while this test scrapes {@code /metrics} over HTTP as
 * Prometheus would: during the run, and after it for Trainyard's series (rows validated equal to
 * the dataset's rows, a duration per step, training throughput, rows scored) and the Temporal
 * SDK's. The same run's OpenLineage events (file transport) validate against the OpenLineage schema
 * and chain dataset → features → model → scores; a scoring run of a missing batch reports FAIL.
 */
@ExtendWith({TemporalExtension.class, MlflowExtension.class})
class WorkerMetricsIT {
  private static final int ROWS = 1000;
  private static final int BATCH_ROWS = 500;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES) // a hang guard, not a speed check
  void aRealRunShowsUpOnTheMetricsEndpoint(TemporalServer temporal, MlflowServer mlflowServer)
      throws Exception {
    StackConfig stack = PipelineStack.config(temporal, mlflowServer);
    TrainyardConfig config =
        TrainyardConfig.defaults(stack).withMetrics(MetricsEndpoint.loopback(0));
    Path dir = Files.createDirectories(stack.stateDir().resolve("metrics"));
    String model = "metrics-" + UUID.randomUUID().toString().substring(0, 8);

    // The steps' OpenLineage events, through the client's file transport (one JSON per line).
    Path lineageEvents = dir.resolve("openlineage/events.jsonl");
    Files.createDirectories(lineageEvents.getParent());
    try (TrainyardWorker worker =
        new TrainyardWorker(
            config, TaskQueues.ALL, OpenLineageEvents.toFile(lineageEvents, "it-version"))) {
      worker.start();
      String url = worker.metricsUrl();
      assertThat(url).startsWith("http://127.0.0.1:").endsWith("/metrics");

      // After the worker: it sets up the process's Spark session for the lake.
      Path training = dir.resolve("churn.parquet");
      ChurnData.write(training.toUri().toString(), ROWS, 11);
      PipelineSpec spec =
          PipelineSpecFile.load(PipelineStack.home().resolve("examples/churn/pipeline.yaml"))
              .withDataset(new PipelineSpec.Dataset(training.toUri().toString(), "parquet"))
              .withRegisteredModel(model)
              .withModel(
                  PipelineSpec.Model.builder()
                      .optType("mlp")
                      .optHiddenLayers(List.of(8))
                      .optEpochs(2)
                      .optBatchSize(256)
                      .optLearningRate(0.01)
                      .optEarlyStoppingPatience(1)
                      .optDevice("auto")
                      .optSeed(7L)
                      .build());

      TrainingPipelineWorkflow pipeline =
          worker
              .client()
              .newWorkflowStub(
                  TrainingPipelineWorkflow.class,
                  WorkflowOptions.newBuilder()
                      .setTaskQueue(TaskQueues.CONTROL)
                      .setWorkflowId("it-metrics-" + UUID.randomUUID())
                      .build());
      WorkflowClient.start(pipeline::run, spec);
      CompletableFuture<PipelineResult> done =
          WorkflowStub.fromTyped(pipeline).getResultAsync(PipelineResult.class);

      // Scrape as Prometheus does while the pipeline runs.
      List<String> duringRun = new ArrayList<>();
      while (!done.isDone()) {
        duringRun.add(scrape(url));
        Thread.sleep(250);
      }
      PipelineResult result = done.get();
      assertThat(result.outcome()).isIn("promoted", "registered");
      assertEquals("1", result.version());

      assertThat(duringRun).isNotEmpty();
      assertTrue(
          duringRun.stream()
              .anyMatch(
                  text ->
                      sum(
                              text,
                              "trainyard_rows_validated_total",
                              Map.of("model", model, "pipeline", spec.name()))
                          == ROWS),
          "no scrape during the run saw the validated rows (" + duringRun.size() + " scrapes)");

      String after = scrape(url);
      // Rows validated: the dataset's row count, tagged with the pipeline and the model.
      assertEquals(
          ROWS,
          sum(
              after,
              "trainyard_rows_validated_total",
              Map.of("model", model, "pipeline", spec.name())));

      // A duration series per step, each a success, tagged with the workflow and the model.
      List<String> steps =
          new ArrayList<>(
              List.of(
                  "StartPipelineRun",
                  "FindChampion",
                  "ValidateData",
                  "BuildFeatures",
                  "TrainModel",
                  "EvaluateModel",
                  "RegisterModel",
                  "FinishPipelineRun"));
      if (result.outcome().equals("promoted")) {
        steps.add("Promote");
      }
      for (String step : steps) {
        Map<String, String> tags =
            Map.of(
                "step",
                step,
                "model",
                model,
                "pipeline",
                spec.name(),
                "workflow",
                "TrainingPipelineWorkflow",
                "outcome",
                "success");
        assertThat(sum(after, "trainyard_step_duration_seconds_count", tags))
            .as(
                "attempts of %s in\n%s",
                step, lines(after, "trainyard_step_duration_seconds_count"))
            .isGreaterThanOrEqualTo(1);
        assertThat(sum(after, "trainyard_step_duration_seconds_sum", tags))
            .as("seconds of %s", step)
            .isGreaterThan(0);
      }
      assertEquals(
          0,
          sum(
              after,
              "trainyard_step_duration_seconds_count",
              Map.of("model", model, "outcome", "failure")));

      // Training: epochs timed, samples counted, throughput of the last epoch.
      Map<String, String> trainTags = Map.of("model", model, "pipeline", spec.name());
      double epochs = sum(after, "trainyard_training_epoch_seconds_count", trainTags);
      double samples = sum(after, "trainyard_training_samples_total", trainTags);
      assertThat(epochs).isBetween(1.0, 2.0);
      double expectedPerEpoch = ROWS * spec.split().train();
      assertThat(samples / epochs).isBetween(expectedPerEpoch * 0.85, expectedPerEpoch * 1.15);
      assertThat(sum(after, "trainyard_training_epoch_seconds_sum", trainTags)).isGreaterThan(0);
      assertThat(sum(after, "trainyard_training_samples_per_second", trainTags)).isGreaterThan(0);
      assertThat(sum(after, "trainyard_training_data_wait_seconds_total", trainTags))
          .isGreaterThanOrEqualTo(0);

      // A scoring run with the new version: its rows, all accounted for.
      Path batch = dir.resolve("batch.parquet");
      ChurnData.write(batch.toUri().toString(), BATCH_ROWS, 99);
      ScoringResult scored =
          worker
              .client()
              .newWorkflowStub(
                  BatchScoringWorkflow.class,
                  WorkflowOptions.newBuilder()
                      .setTaskQueue(TaskQueues.CONTROL)
                      .setWorkflowId("it-metrics-score-" + UUID.randomUUID())
                      .build())
              .score(
                  ScoringSpec.of(model + "/1", batch.toString(), dir.resolve("scored").toString()));
      assertEquals(BATCH_ROWS, scored.rowsIn());
      String afterScoring = scrape(url);
      Map<String, String> byModel = Map.of("model", model);
      assertEquals(BATCH_ROWS, sum(afterScoring, "trainyard_rows_scoring_input_total", byModel));
      assertEquals(scored.scored(), sum(afterScoring, "trainyard_rows_scored_total", byModel));
      assertEquals(
          scored.quarantined(), sum(afterScoring, "trainyard_rows_quarantined_total", byModel));
      assertEquals(
          BATCH_ROWS,
          sum(afterScoring, "trainyard_rows_scored_total", byModel)
              + sum(afterScoring, "trainyard_rows_quarantined_total", byModel));
      assertThat(
              sum(
                  afterScoring,
                  "trainyard_step_duration_seconds_count",
                  Map.of(
                      "step",
                      "ScoreBatch",
                      "model",
                      model,
                      "workflow",
                      "BatchScoringWorkflow",
                      "outcome",
                      "success")))
          .isGreaterThanOrEqualTo(1);

      // The Temporal SDK's own series (reported every few seconds) and the JVM's.
      String withSdk = afterScoring;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!(names(withSdk).stream().anyMatch(n -> n.startsWith("temporal_activity_"))
              && names(withSdk).stream().anyMatch(n -> n.startsWith("temporal_workflow_")))
          && System.nanoTime() < deadline) {
        Thread.sleep(500);
        withSdk = scrape(url);
      }
      TreeSet<String> temporalNames = new TreeSet<>();
      for (String n : names(withSdk)) {
        if (n.startsWith("temporal_")) {
          temporalNames.add(n);
        }
      }
      System.out.println("Temporal SDK series on " + url + ": " + temporalNames);
      assertThat(temporalNames).anyMatch(n -> n.startsWith("temporal_activity_"));
      assertThat(temporalNames).anyMatch(n -> n.startsWith("temporal_workflow_"));
      assertThat(temporalNames).anyMatch(n -> n.startsWith("temporal_request"));
      assertThat(names(withSdk)).anyMatch(n -> n.startsWith("jvm_memory_used"));

      // A scoring run of a batch that is not there: its failing step reports FAIL.
      String failingId = "it-metrics-bad-score-" + UUID.randomUUID();
      assertThrows(
          WorkflowFailedException.class,
          () ->
              worker
                  .client()
                  .newWorkflowStub(
                      BatchScoringWorkflow.class,
                      WorkflowOptions.newBuilder()
                          .setTaskQueue(TaskQueues.CONTROL)
                          .setWorkflowId(failingId)
                          .build())
                  .score(
                      ScoringSpec.of(
                          model + "/1",
                          dir.resolve("no-such-batch.parquet").toString(),
                          dir.resolve("scored-bad").toString())));

      OpenLineageChecks.assertEvents(
          Files.readAllLines(lineageEvents),
          new OpenLineageChecks.Expect(
              WorkflowStub.fromTyped(pipeline).getExecution().getWorkflowId(),
              training.toString(),
              model + "/1",
              dir.resolve("scored").toString(),
              failingId));
    }
  }

  /** {@code GET url}: a 200 in Prometheus's text format. */
  private static String scrape(String url) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    return r.body();
  }

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\d+)?$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** The sum of every sample of {@code name} whose labels include {@code labels}. */
  static double sum(String text, String name, Map<String, String> labels) {
    double total = 0;
    for (String line : text.split("\n")) {
      Matcher m = SAMPLE.matcher(line.trim());
      if (line.startsWith("#") || !m.matches() || !m.group(1).equals(name)) {
        continue;
      }
      Map<String, String> have = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          have.put(l.group(1), l.group(2));
        }
      }
      if (have.entrySet().containsAll(labels.entrySet())) {
        total += Double.parseDouble(m.group(3));
      }
    }
    return total;
  }

  /** The samples of {@code name}, for a failure message. */
  static String lines(String text, String name) {
    return String.join(
        "\n",
        text.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " ")).toList());
  }

  /** The series names in a scrape. */
  static TreeSet<String> names(String text) {
    TreeSet<String> names = new TreeSet<>();
    for (String line : text.split("\n")) {
      Matcher m = SAMPLE.matcher(line.trim());
      if (!line.startsWith("#") && m.matches()) {
        names.add(m.group(1));
      }
    }
    return names;
  }
}
