package dev.trainyard.app.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trainyard.app.Json;
import dev.trainyard.app.demo.ChurnData;
import dev.trainyard.app.pipeline.PipelineStack;
import dev.trainyard.app.spec.PipelineSpecFile;
import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.registry.Metric;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.ModelVersion;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.stack.LocalStack;
import dev.trainyard.stack.ManagedProcess;
import dev.trainyard.stack.Probe;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.testing.FaultProxy;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.testing.S3Server;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.PipelineProgress;
import dev.trainyard.workflows.pipeline.PipelineResult;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import dev.trainyard.workflows.scoring.BatchScoringWorkflow;
import dev.trainyard.workflows.scoring.ScoringResult;
import dev.trainyard.workflows.scoring.ScoringSpec;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Faults injected into the real services while runs are in flight, on loopback only:
 *
 * <ul>
 *   <li>the Temporal dev server stopped and started again (same SQLite file) in the middle of
 *       training and in the middle of scoring;
 *   <li>S3 unreachable (a real Toxiproxy between a worker and S3Proxy) while scoring writes its
 *       output over an earlier one;
 *   <li>two scoring runs racing for one output.
 * </ul>
 *
 * <p>This class runs its own Temporal dev server (restarting the JVM's shared one would disturb
 * other tests) and uses the JVM's shared MLflow and S3. Only this class's workers poll its server:
 * an in-process one for the control and train queues, and for the Spark queue either an in-process
 * one or, while S3 goes through the proxy, a worker JVM of its own (Spark's S3 settings are
 * per-JVM).
 */
@ExtendWith(MlflowExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultsIT {
  /** Long enough that training is still running when the test reacts to the first epoch. */
  private static final int EPOCHS = 10;

  private LocalStack stack;
  private StackConfig config;
  private S3Server s3;
  private MlflowClient mlflow;
  private TrainyardWorker control;
  private TrainyardWorker sparkWorker;
  private SparkSession spark;
  private SparkJobWatch jobs;
  private Path dir;
  private String champion;

  @BeforeAll
  void startStack(MlflowServer mlflowServer) throws Exception {
    s3 = mlflowServer.s3();
    Path home = PipelineStack.home();
    Path state =
        Files.createTempDirectory(
            Files.createDirectories(Path.of("target").toAbsolutePath()), "faults-");
    config =
        new StackConfig(
            home,
            state,
            home.resolve(".trainyard/tools"),
            new StackConfig.TemporalEndpoint(
                "127.0.0.1",
                Probe.freePort(),
                "default",
                URI.create("http://127.0.0.1:" + Probe.freePort())),
            mlflowServer.trackingUri(),
            new StackConfig.S3Endpoint(
                s3.endpoint(),
                s3.region(),
                s3.accessKeyId(),
                s3.secretAccessKey(),
                s3.lakeBucket(),
                s3.artifactBucket()));
    stack = new LocalStack(config, line -> System.err.println("[faults-it] " + line));
    // Only Temporal is ours (its pid file is in our state folder); MLflow and S3 are shared.
    stack.ensureRunning(stack.service("temporal"), false);
    mlflow = new MlflowClient(mlflowServer.trackingUri());
    control = new TrainyardWorker(config, List.of(TaskQueues.CONTROL, TaskQueues.TRAIN));
    control.start();
    startSparkWorker();
    spark = SparkSessions.local();
    jobs = SparkJobWatch.on(spark);
    dir = Files.createDirectories(state.resolve("faults"));

    Path training = dir.resolve("champion-training.parquet");
    ChurnData.write(training.toUri().toString(), 4000, 11);
    champion = "faults-" + UUID.randomUUID();
    PipelineResult trained =
        pipeline("it-faults-champion-" + UUID.randomUUID())
            .run(trainingSpec(training.toUri().toString(), champion, 2, 256));
    assertEquals("promoted", trained.outcome(), trained.toString());
  }

  @AfterAll
  void stopStack() {
    for (AutoCloseable c : new AutoCloseable[] {sparkWorker, control, mlflow}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        System.err.println("[faults-it] closing: " + e);
      }
    }
    if (stack != null) {
      stack.down();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 1. The Temporal server restarted while an activity runs

  @Test
  void temporalRestartedDuringTrainingTheRunCompletesWithExactlyOneVersion() throws Exception {
    Path data = dir.resolve("restart-training.parquet");
    ChurnData.write(data.toUri().toString(), 10_000, 5);
    String model = "faults-restart-" + UUID.randomUUID();
    String id = "it-faults-train-" + UUID.randomUUID();
    TrainingPipelineWorkflow run = pipeline(id);
    WorkflowClient.start(run::run, trainingSpec(data.toUri().toString(), model, EPOCHS, 64));

    PipelineProgress before =
        awaitProgress(
            run::progress,
            p -> p.step().equals("train") && p.latestMetrics().getOrDefault("epoch", 0.0) >= 1,
            Duration.ofMinutes(3));
    int seenEpoch = before.latestMetrics().get("epoch").intValue();
    assertThat(seenEpoch).as("stopped before training ended").isLessThan(EPOCHS);

    long stoppedAt = restartTemporal();

    PipelineResult result =
        WorkflowStub.fromTyped(run).getResult(4, TimeUnit.MINUTES, PipelineResult.class);
    assertEquals("promoted", result.outcome(), result.toString());
    List<ModelVersion> versions = mlflow.registry().listModelVersions(model);
    assertThat(versions).extracting(ModelVersion::version).containsExactly("1");
    assertEquals("1", mlflow.registry().getModelVersionByAlias(model, "champion").version());
    // Every epoch logged once: neither lost to the restart nor repeated by a retry.
    List<Metric> history = mlflow.tracking().getMetricHistory(result.mlflowRunId(), "val_roc_auc");
    assertThat(history.stream().map(Metric::step).sorted().toList())
        .as("val_roc_auc steps")
        .isEqualTo(Stream.iterate(1L, e -> e + 1).limit(EPOCHS).toList());
    // Training went on while the server was away: a later epoch ended after the stop.
    assertThat(history.stream().mapToLong(m -> m.timestamp().toEpochMilli()).max().orElseThrow())
        .as("last epoch logged after the server was stopped")
        .isGreaterThan(stoppedAt);
    HistoryEvent train = activityStarted(id, "TrainModel");
    System.err.println(
        "[faults-it] training across a Temporal restart: seen epoch "
            + seenEpoch
            + " at the stop, TrainModel attempts "
            + train.getActivityTaskStartedEventAttributes().getAttempt());
  }

  @Test
  void temporalRestartedDuringScoringTheRunCompletesAndPublishesOnce() throws Exception {
    Path input = dir.resolve("restart-scoring.parquet");
    writeChurn(input.toUri().toString(), 0, 60_000, 21);
    Path output = dir.resolve("restart-scores");
    String id = "it-faults-score-" + UUID.randomUUID();
    BatchScoringWorkflow run = scoring(id);
    // Many partitions: each loads the model, so the job runs long enough to restart Temporal in.
    WorkflowClient.start(
        run::score, scoringSpec(champion + "@champion", input.toString(), output.toString(), 32));

    SparkJobWatch.Job running = jobs.awaitRunning(id, 10, 1800);
    long stoppedAt = restartTemporal();

    ScoringResult r =
        WorkflowStub.fromTyped(run).getResult(4, TimeUnit.MINUTES, ScoringResult.class);
    assertEquals("scored", r.outcome(), r.toString());
    assertEquals(60_000, r.rowsIn());
    assertEquals(r.rowsIn(), r.scored() + r.quarantined());
    // The Spark job seen running was still running when the server went down.
    assertThat(jobs.get(running.id()).endedAt()).as("job end").isGreaterThan(stoppedAt);
    // One attempt: the restart lost neither the running step nor its result, so nothing was
    // scored or published twice.
    HistoryEvent score = activityStarted(id, "ScoreBatch");
    assertEquals(1, score.getActivityTaskStartedEventAttributes().getAttempt(), "attempts");
    assertThat(jobs.of(id))
        .extracting(SparkJobWatch.Job::group)
        .allMatch(g -> g.endsWith("/attempt-1"));
    // Exactly one published output: this run's, whole.
    JsonNode marker = Json.MAPPER.readTree(output.resolve("_trainyard.json").toFile());
    assertEquals(id, marker.get("workflowId").asText());
    assertEquals(listed(marker), localFiles(output), "files in the output vs its marker");
    Dataset<Row> rows = spark.read().parquet(output.toUri().toString());
    assertEquals(r.scored(), rows.count());
    assertEquals(r.scored(), rows.select("customer_id").distinct().count());
    assertThat(siblings(output))
        .noneMatch(n -> n.contains(".staging-") || n.contains(".replaced-"));
  }

  // ---------------------------------------------------------------------------------------------
  // 2. S3 unreachable while scoring replaces an output

  @Test
  void s3UnreachableWhileScoringWritesTheRunRetriesAndTheEarlierOutputStaysWhole()
      throws Exception {
    String prefix = "faults-s3-" + UUID.randomUUID();
    String base = "s3a://" + s3.lakeBucket() + "/" + prefix;
    String first = base + "/batch-1.parquet";
    String second = base + "/batch-2.parquet";
    String output = base + "/scores";
    writeChurn(first, 100_000, 3_000, 31);
    writeChurn(second, 200_000, 20_000, 32);

    Process worker = null;
    Path log = config.stateDir().resolve("s3-worker-" + prefix + ".log");
    try (FaultProxy faults = FaultProxy.start();
        S3Client direct = s3Client()) {
      FaultProxy.Proxy link =
          faults.proxy("s3-" + prefix, s3.endpoint().getHost(), s3.endpoint().getPort());
      // The Spark steps move to a worker of their own whose S3 is the proxy.
      stopSparkWorker();
      worker = startSparkWorkerJvm(URI.create("http://" + link.address()), log);

      ScoringResult earlier =
          scoring("it-faults-s3-1-" + UUID.randomUUID())
              .score(scoringSpec(champion + "@champion", first, output, null));
      assertEquals("scored", earlier.outcome(), earlier.toString());
      JsonNode earlierMarker = marker(direct, prefix + "/scores");
      Set<String> earlierIds = ids(listedUris(output, earlierMarker));
      assertEquals(earlier.scored(), earlierIds.size());

      String id = "it-faults-s3-2-" + UUID.randomUUID();
      BatchScoringWorkflow run = scoring(id);
      WorkflowClient.start(run::score, scoringSpec(champion + "@champion", second, output, 16));
      // Cut once the run's Spark write has stored its first data file in the hidden staging
      // folder: from then on a failure has something to clean up.
      awaitKey(direct, prefix + "/.scores.staging-", ".parquet", Duration.ofMinutes(3));
      link.down();
      long down = System.nanoTime();
      int checks = 0;
      // Down for at least 10 s: long enough that the write, its clean-up and the first retries
      // all meet the outage. Meanwhile a reader going straight to S3 sees the earlier output.
      while (System.nanoTime() - down < Duration.ofSeconds(10).toNanos()) {
        JsonNode now = marker(direct, prefix + "/scores");
        assertEquals(
            earlierMarker.get("publishId").asText(),
            now.get("publishId").asText(),
            "_trainyard.json while S3 was unreachable for the worker");
        assertTrue(exists(direct, prefix + "/scores/_SUCCESS"));
        assertEquals(earlierIds, ids(listedUris(output, now)), "the earlier output's rows");
        checks++;
        Thread.sleep(500);
      }
      link.up();
      System.err.println(
          "[faults-it] S3 unreachable for "
              + Duration.ofNanos(System.nanoTime() - down)
              + "; the earlier output read whole "
              + checks
              + " times meanwhile");

      ScoringResult r =
          WorkflowStub.fromTyped(run).getResult(4, TimeUnit.MINUTES, ScoringResult.class);
      assertEquals("scored", r.outcome(), r.toString());
      assertEquals(20_000, r.rowsIn());
      HistoryEvent score = activityStarted(id, "ScoreBatch");
      var started = score.getActivityTaskStartedEventAttributes();
      System.err.println(
          "[faults-it] ScoreBatch attempts: "
              + started.getAttempt()
              + "; last failure: "
              + started.getLastFailure().getMessage());
      assertThat(started.getAttempt()).as("attempts of the scoring step").isGreaterThan(1);
      // Why it retried is in the history (not "Failure exceeds size limit.", what Temporal keeps
      // of a failure of more than a few KB, such as a Spark job's with all its causes).
      assertThat(started.getLastFailure().getMessage()).contains("Connection refused");

      // The new output, whole, and nothing else: no staging, no pending record, no earlier file.
      JsonNode marker = marker(direct, prefix + "/scores");
      assertEquals(id, marker.get("workflowId").asText());
      Set<String> expected = new TreeSet<>(listed(marker));
      expected.add("_SUCCESS");
      expected.add("_trainyard.json");
      assertEquals(expected, keysUnder(direct, prefix + "/scores/"), "objects of the output");
      Set<String> now = ids(List.of(output));
      assertEquals(r.scored(), now.size());
      assertThat(now)
          .allMatch(k -> k.compareTo(id(200_000)) >= 0)
          .doesNotContainAnyElementsOf(earlierIds);
      assertThat(keysUnder(direct, ""))
          .as("every object of the test")
          .noneMatch(
              k ->
                  k.contains(".staging-")
                      || k.contains("_temporary")
                      || k.contains("_trainyard.pending-"));
    } finally {
      if (worker != null) {
        worker.destroy();
        if (!worker.waitFor(40, TimeUnit.SECONDS)) {
          worker.destroyForcibly();
        }
        System.err.println("[faults-it] S3 worker log: " + log);
      }
      startSparkWorker();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 3. Two runs racing for one output

  @Test
  void twoRunsRacingForOneOutputLeaveExactlyOneRunsWholeOutput() throws Exception {
    String a = dir.resolve("race-a.parquet").toUri().toString();
    String b = dir.resolve("race-b.parquet").toUri().toString();
    writeChurn(a, 300_000, 8_000, 41);
    writeChurn(b, 400_000, 9_000, 42);
    Path output = dir.resolve("race-scores");
    String idA = "it-faults-race-a-" + UUID.randomUUID();
    String idB = "it-faults-race-b-" + UUID.randomUUID();
    BatchScoringWorkflow runA = scoring(idA);
    BatchScoringWorkflow runB = scoring(idB);
    // Both replace (the default); started together, each scores in its own Spark job.
    WorkflowClient.start(
        runA::score,
        scoringSpec(champion + "@champion", a, output.toString(), 8)
            .withIfOutputExists(ScoringSpec.REPLACE));
    WorkflowClient.start(
        runB::score,
        scoringSpec(champion + "@champion", b, output.toString(), 8)
            .withIfOutputExists(ScoringSpec.REPLACE));

    ScoringResult ra =
        WorkflowStub.fromTyped(runA).getResult(4, TimeUnit.MINUTES, ScoringResult.class);
    ScoringResult rb =
        WorkflowStub.fromTyped(runB).getResult(4, TimeUnit.MINUTES, ScoringResult.class);
    // docs/guarantees.md: on file: two publishes of one output are serialized by its lock, and
    // the later one's output wins whole. So both runs succeed.
    assertEquals("scored", ra.outcome(), ra.toString());
    assertEquals("scored", rb.outcome(), rb.toString());
    // They did race: their Spark jobs ran at the same time.
    assertThat(jobs.of(idA))
        .as("a Spark job of A running while one of B was")
        .anyMatch(
            ja ->
                jobs.of(idB).stream()
                    .anyMatch(
                        jb -> ja.startedAt() < jb.endedAt() && jb.startedAt() < ja.endedAt()));

    JsonNode marker = Json.MAPPER.readTree(output.resolve("_trainyard.json").toFile());
    String winner = marker.get("workflowId").asText();
    assertThat(winner).isIn(idA, idB);
    ScoringResult won = winner.equals(idA) ? ra : rb;
    long from = winner.equals(idA) ? 300_000 : 400_000;
    long rowsIn = winner.equals(idA) ? 8_000 : 9_000;
    assertEquals(rowsIn, won.rowsIn());
    assertEquals(listed(marker), localFiles(output), "files in the output vs its marker");
    Dataset<Row> rows = spark.read().parquet(output.toUri().toString());
    assertEquals(won.scored(), rows.count(), "rows of " + winner);
    assertThat(
            rows.select("scoring_run_id").distinct().collectAsList().stream()
                .map(row -> row.getString(0))
                .toList())
        .containsExactly(winner);
    Set<String> ids = idsOf(rows);
    assertEquals(won.scored(), ids.size());
    assertThat(ids).allMatch(k -> k.compareTo(id(from)) >= 0 && k.compareTo(id(from + rowsIn)) < 0);
    assertThat(siblings(output))
        .noneMatch(n -> n.contains(".staging-") || n.contains(".replaced-"));
    System.err.println("[faults-it] race: " + winner + " published last, whole");
  }

  // ---------------------------------------------------------------------------------------------
  // Temporal

  /**
   * Stops this class's Temporal server (SIGTERM, SIGKILL after 5 s), keeps it down 5 s, starts it
   * again on the same SQLite file and ports; returns when it was stopped (epoch ms).
   */
  private long restartTemporal() throws InterruptedException {
    ManagedProcess server =
        ManagedProcess.fromPidFile("temporal", config.pidFile("temporal"))
            .orElseThrow(() -> new AssertionError("no Temporal pid file"));
    long stoppedAt = System.currentTimeMillis();
    long down = System.nanoTime();
    server.stop(Duration.ofSeconds(5));
    assertFalse(server.isAlive(), "Temporal still running");
    assertFalse(stack.service("temporal").probe().healthy(), "Temporal still answers");
    Duration stopping = Duration.ofNanos(System.nanoTime() - down);
    Thread.sleep(5_000);
    long starting = System.nanoTime();
    stack.ensureRunning(stack.service("temporal"), false);
    System.err.println(
        "[faults-it] Temporal was down for "
            + Duration.ofNanos(System.nanoTime() - down)
            + " (stopping "
            + stopping
            + ", starting again "
            + Duration.ofNanos(System.nanoTime() - starting)
            + ")");
    return stoppedAt;
  }

  private TrainingPipelineWorkflow pipeline(String id) {
    return control
        .client()
        .newWorkflowStub(
            TrainingPipelineWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.CONTROL)
                .setWorkflowId(id)
                .build());
  }

  private BatchScoringWorkflow scoring(String id) {
    return control
        .client()
        .newWorkflowStub(
            BatchScoringWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.CONTROL)
                .setWorkflowId(id)
                .build());
  }

  /** The (single) ActivityTaskStarted event of the activity type: it carries the last attempt. */
  private HistoryEvent activityStarted(String id, String type) {
    List<HistoryEvent> events = control.client().fetchHistory(id).getHistory().getEventsList();
    Map<Long, String> scheduled =
        events.stream()
            .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
            .collect(
                Collectors.toMap(
                    HistoryEvent::getEventId,
                    e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName()));
    List<HistoryEvent> started =
        events.stream()
            .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
            .filter(
                e ->
                    type.equals(
                        scheduled.get(
                            e.getActivityTaskStartedEventAttributes().getScheduledEventId())))
            .toList();
    assertEquals(1, started.size(), type + " started events: " + started);
    return started.get(0);
  }

  private static PipelineProgress awaitProgress(
      java.util.function.Supplier<PipelineProgress> query,
      Predicate<PipelineProgress> done,
      Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    PipelineProgress last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = query.get();
        if (done.test(last)) {
          return last;
        }
      } catch (RuntimeException notYet) {
        // the first workflow task may not have run yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("progress never got there; last seen: " + last);
  }

  // ---------------------------------------------------------------------------------------------
  // Specs, written as a user writes them (YAML and JSON), not through record constructors

  private PipelineSpec trainingSpec(String dataset, String model, int epochs, int batchSize)
      throws Exception {
    String yaml =
        String.join(
            "\n",
            "name: faults",
            "dataset: {uri: '" + dataset + "', format: parquet}",
            "label: churned",
            "task: binary",
            "features:",
            "  numeric: [age, tenure_months, monthly_charges, support_calls]",
            "  categorical: [plan, region, payment_method]",
            "  keys: [customer_id]",
            "validation: {minRows: 1000, maxNullFraction: 0.2}",
            "split: {train: 0.7, validation: 0.15, test: 0.15, seed: 42}",
            "model:",
            "  type: mlp",
            "  hiddenLayers: [16]",
            "  epochs: " + epochs,
            "  batchSize: " + batchSize,
            "  learningRate: 0.01",
            // Patience = epochs: never stops early, so every epoch runs and is logged once.
            "  earlyStoppingPatience: " + epochs,
            "  device: cpu",
            "  seed: 7",
            "gate:",
            "  thresholds: {roc_auc: {min: 0.70}}",
            "registeredModel: " + model,
            "");
    Path file = Files.writeString(dir.resolve("pipeline-" + UUID.randomUUID() + ".yaml"), yaml);
    return PipelineSpecFile.load(file);
  }

  private static ScoringSpec scoringSpec(
      String model, String input, String output, Integer partitions) throws Exception {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("model", model);
    json.put("input", input);
    json.put("output", output);
    json.put("keys", List.of("customer_id"));
    if (partitions != null) {
      json.put("partitions", partitions);
    }
    return Json.MAPPER.readValue(Json.MAPPER.writeValueAsString(json), ScoringSpec.class);
  }

  // ---------------------------------------------------------------------------------------------
  // Data and outputs

  /** Churn rows with customer ids {@code C<from>} ... {@code C<from + rows - 1>}. */
  private void writeChurn(String uri, long from, long rows, long seed) {
    ChurnData.columns(spark.range(from, from + rows).toDF(), 8, seed)
        .coalesce(2)
        .write()
        .parquet(uri);
  }

  private static String id(long n) {
    return "C" + String.format("%08d", n);
  }

  private Set<String> ids(List<String> uris) {
    return idsOf(spark.read().parquet(uris.toArray(String[]::new)));
  }

  private static Set<String> idsOf(Dataset<Row> rows) {
    return rows.select("customer_id").collectAsList().stream()
        .map(r -> r.getString(0))
        .collect(Collectors.toCollection(HashSet::new));
  }

  private static List<String> listed(JsonNode marker) {
    List<String> files = new ArrayList<>();
    marker.get("files").forEach(f -> files.add(f.get("path").asText()));
    files.sort(null);
    return files;
  }

  private static List<String> listedUris(String output, JsonNode marker) {
    return listed(marker).stream().map(f -> output + "/" + f).toList();
  }

  /** The data files of a local output: what a marker lists (no markers, no checksums). */
  private static List<String> localFiles(Path output) throws Exception {
    try (Stream<Path> walk = Files.walk(output)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> output.relativize(p).toString())
          .filter(n -> !n.equals("_SUCCESS") && !n.startsWith("_trainyard"))
          // the local file system's checksums (.NAME.crc) are not part of an output
          .filter(n -> !(Path.of(n).getFileName().toString().startsWith(".") && n.endsWith(".crc")))
          .sorted()
          .toList();
    }
  }

  private static List<String> siblings(Path output) throws Exception {
    try (Stream<Path> s = Files.list(output.getParent())) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // S3, read directly (never through the proxy)

  private S3Client s3Client() {
    return S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .endpointOverride(s3.endpoint())
        .region(Region.of(s3.region()))
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(s3.accessKeyId(), s3.secretAccessKey())))
        .build();
  }

  private JsonNode marker(S3Client direct, String folder) throws Exception {
    byte[] bytes =
        direct
            .getObjectAsBytes(b -> b.bucket(s3.lakeBucket()).key(folder + "/_trainyard.json"))
            .asByteArray();
    return Json.MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
  }

  private boolean exists(S3Client direct, String key) {
    return direct.listObjectsV2(b -> b.bucket(s3.lakeBucket()).prefix(key)).contents().stream()
        .anyMatch(o -> o.key().equals(key));
  }

  /** Every object key under {@code prefix}, relative to it ("" = this test's whole folder). */
  private Set<String> keysUnder(S3Client direct, String prefix) {
    String root = prefix.isEmpty() ? "" : prefix;
    Set<String> keys = new TreeSet<>();
    direct.listObjectsV2Paginator(b -> b.bucket(s3.lakeBucket()).prefix(root)).contents().stream()
        .map(S3Object::key)
        .forEach(k -> keys.add(k.substring(root.length())));
    return keys;
  }

  private void awaitKey(S3Client direct, String keyPrefix, String suffix, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (direct.listObjectsV2(b -> b.bucket(s3.lakeBucket()).prefix(keyPrefix)).contents().stream()
          .anyMatch(o -> o.key().endsWith(suffix))) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no object *" + suffix + " under " + keyPrefix + " within " + timeout);
  }

  // ---------------------------------------------------------------------------------------------
  // Workers

  private void startSparkWorker() {
    if (sparkWorker == null) {
      sparkWorker = new TrainyardWorker(config, List.of(TaskQueues.SPARK));
      sparkWorker.start();
    }
  }

  private void stopSparkWorker() {
    if (sparkWorker != null) {
      sparkWorker.close();
      sparkWorker = null;
    }
  }

  /** `trainyard worker --queues spark` in its own JVM, its S3 endpoint {@code s3Endpoint}. */
  private Process startSparkWorkerJvm(URI s3Endpoint, Path log) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("TEMPORAL_ADDRESS", config.temporal().address());
    env.put("TEMPORAL_NAMESPACE", config.temporal().namespace());
    env.put("MLFLOW_TRACKING_URI", config.mlflowTrackingUri().toString());
    env.put("AWS_ENDPOINT_URL_S3", s3Endpoint.toString());
    env.put("AWS_REGION", s3.region());
    env.put("AWS_ACCESS_KEY_ID", s3.accessKeyId());
    env.put("AWS_SECRET_ACCESS_KEY", s3.secretAccessKey());
    env.put("TRAINYARD_LAKE_BUCKET", s3.lakeBucket());
    env.put("TRAINYARD_ARTIFACT_BUCKET", s3.artifactBucket());
    env.put("TRAINYARD_STATE_DIR", config.stateDir().resolve("s3-worker").toString());
    Process p = PipelineStack.workerJvm(env, log, "--queues", "spark").start();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log)
          && Files.readString(log, StandardCharsets.UTF_8).contains("polling trainyard-spark")) {
        return p;
      }
      if (!p.isAlive()) {
        break;
      }
      Thread.sleep(200);
    }
    p.destroyForcibly();
    throw new AssertionError("the worker JVM did not start polling: " + Files.readString(log));
  }
}
