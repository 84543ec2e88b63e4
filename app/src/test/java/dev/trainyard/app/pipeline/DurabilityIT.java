package dev.trainyard.app.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.app.demo.ChurnData;
import dev.trainyard.app.spec.PipelineSpecFile;
import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.registry.Metric;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.ModelVersion;
import dev.trainyard.registry.Run;
import dev.trainyard.stack.LocalStack;
import dev.trainyard.stack.ManagedProcess;
import dev.trainyard.stack.Probe;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.testing.S3Server;
import dev.trainyard.testing.TemporalExtension;
import dev.trainyard.testing.TemporalServer;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.PipelineProgress;
import dev.trainyard.workflows.pipeline.PipelineResult;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The pipeline survives the failures it is built for, on the real Temporal dev server, MLflow and
 * S3 with real Spark and DJL: a worker killed with SIGKILL in the middle of training, and MLflow
 * going away for a while in the middle of a run.
 */
@ExtendWith({TemporalExtension.class, MlflowExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DurabilityIT {
  /** Enough epochs that training is still running when the test reacts to epoch 2. */
  private static final int EPOCHS = 12;

  private Path target;
  private String churn;

  @BeforeAll
  void data() throws Exception {
    target = Files.createDirectories(Path.of("target").toAbsolutePath());
    Path data = Files.createTempDirectory(target, "durability-data-");
    churn = data.resolve("churn.parquet").toUri().toString();
    ChurnData.write(churn, 20_000, 5);
  }

  /** The demo spec on the generated data, with training long enough to interrupt. */
  private PipelineSpec spec(String model) throws Exception {
    PipelineSpec s =
        PipelineSpecFile.load(PipelineStack.home().resolve("examples/churn/pipeline.yaml"));
    return s.withDataset(new PipelineSpec.Dataset(churn, "parquet"))
        .withRegisteredModel(model)
        .withTrials(null)
        // Patience = epochs: never stops early, so every epoch runs and is logged once.
        .withModel(
            PipelineSpec.Model.builder()
                .optType("mlp")
                .optHiddenLayers(List.of(32, 16))
                .optEpochs(EPOCHS)
                .optBatchSize(64)
                .optLearningRate(0.005)
                .optEarlyStoppingPatience(EPOCHS)
                .optDevice("cpu")
                .optSeed(7L)
                .build());
  }

  // ---------------------------------------------------------------------------------------------
  // 1. SIGKILL during training

  @Test
  void aWorkerKilledDuringTrainingIsResumedFromItsLastCheckpointByAnother(
      TemporalServer temporal, MlflowServer mlflowServer) throws Exception {
    Path state = Files.createTempDirectory(target, "durability-kill-");
    S3Server s3 = mlflowServer.s3();
    Map<String, String> env = new HashMap<>();
    env.put("TEMPORAL_ADDRESS", temporal.address());
    env.put("TEMPORAL_NAMESPACE", temporal.namespace());
    env.put("MLFLOW_TRACKING_URI", mlflowServer.trackingUri().toString());
    env.put("AWS_ENDPOINT_URL_S3", s3.endpoint().toString());
    env.put("AWS_REGION", s3.region());
    env.put("AWS_ACCESS_KEY_ID", s3.accessKeyId());
    env.put("AWS_SECRET_ACCESS_KEY", s3.secretAccessKey());
    env.put("TRAINYARD_LAKE_BUCKET", s3.lakeBucket());
    env.put("TRAINYARD_ARTIFACT_BUCKET", s3.artifactBucket());
    // Both workers share the state folder: the checkpoints live under <state>/work/<workflow>.
    env.put("TRAINYARD_STATE_DIR", state.toString());

    WorkflowServiceStubs service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.address()).build());
    MlflowClient mlflow = new MlflowClient(mlflowServer.trackingUri());
    Path log1 = state.resolve("worker-1.log");
    Path log2 = state.resolve("worker-2.log");
    Process first = startWorker(env, log1);
    Process second = null;
    try {
      awaitLog(log1, "polling trainyard-control, trainyard-spark, trainyard-train");
      WorkflowClient client =
          WorkflowClient.newInstance(
              service,
              WorkflowClientOptions.newBuilder().setNamespace(temporal.namespace()).build());
      String model = "durable-kill-" + UUID.randomUUID();
      String id = "it-kill-" + UUID.randomUUID();
      TrainingPipelineWorkflow pipeline =
          client.newWorkflowStub(
              TrainingPipelineWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setTaskQueue(TaskQueues.CONTROL)
                  .setWorkflowId(id)
                  .build());
      WorkflowClient.start(pipeline::run, spec(model));

      PipelineProgress before =
          awaitProgress(
              pipeline,
              p -> p.latestMetrics().getOrDefault("epoch", 0.0) >= 2,
              Duration.ofMinutes(3));
      int seenEpoch = before.latestMetrics().get("epoch").intValue();
      assertThat(seenEpoch).as("killed before training ended").isLessThan(EPOCHS);

      first.destroyForcibly(); // SIGKILL: no shutdown hook, no graceful hand-back
      assertTrue(first.waitFor(30, TimeUnit.SECONDS), "the first worker did not die");
      second = startWorker(env, log2);

      // The heartbeat timeout (30 s) must pass before Temporal gives training to the new worker.
      PipelineResult result =
          WorkflowStub.fromTyped(pipeline).getResult(4, TimeUnit.MINUTES, PipelineResult.class);

      assertEquals("promoted", result.outcome(), result.toString());
      assertEquals("1", result.version());
      Run run = mlflow.tracking().getRun(result.mlflowRunId());
      int resumedFrom = Integer.parseInt(run.data().tags().get("trainyard.resumed_from_epoch"));
      assertThat(resumedFrom)
          .as("resumed from the checkpoint of an epoch at least as late as the one seen")
          .isGreaterThanOrEqualTo(seenEpoch)
          .isLessThan(EPOCHS);

      // Temporal retried training after the heartbeat timeout, on the second worker.
      HistoryEvent trainStarted = activityStarted(client, id, "TrainModel");
      var started = trainStarted.getActivityTaskStartedEventAttributes();
      assertEquals(2, started.getAttempt(), "training attempts");
      assertTrue(
          started.hasLastFailure() && started.getLastFailure().hasTimeoutFailureInfo(),
          "the first attempt should have ended in a timeout: " + started.getLastFailure());
      assertEquals(
          TimeoutType.TIMEOUT_TYPE_HEARTBEAT,
          started.getLastFailure().getTimeoutFailureInfo().getTimeoutType());
      assertThat(started.getIdentity()).startsWith(second.pid() + "@");
      assertThat(Files.readString(log2, StandardCharsets.UTF_8))
          .contains("resuming after epoch " + resumedFrom);

      // Each epoch's metrics were logged exactly once across both attempts.
      List<Long> steps =
          mlflow.tracking().getMetricHistory(run.runId(), "val_roc_auc").stream()
              .map(Metric::step)
              .sorted()
              .toList();
      assertEquals(everyEpochOnce(), steps, "val_roc_auc steps in MLflow");
    } finally {
      first.destroyForcibly();
      if (second != null) {
        second.destroyForcibly();
        second.waitFor(30, TimeUnit.SECONDS);
      }
      first.waitFor(30, TimeUnit.SECONDS);
      mlflow.close();
      service.shutdownNow();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 2. MLflow down for a while in the middle of a run

  @Test
  void mlflowGoingAwayMidRunDelaysTheRunButRegistersExactlyOneVersion(
      TemporalServer temporal, MlflowServer shared) throws Exception {
    // Its own MLflow, so stopping it leaves the JVM's shared one (other tests') alone.
    S3Server s3 = shared.s3();
    Path state = Files.createTempDirectory(target, "durability-mlflow-");
    URI trackingUri = URI.create("http://127.0.0.1:" + Probe.freePort());
    String address = temporal.address();
    StackConfig config =
        new StackConfig(
            PipelineStack.home(),
            state,
            PipelineStack.home().resolve(".trainyard/tools"),
            new StackConfig.TemporalEndpoint(
                address.substring(0, address.lastIndexOf(':')),
                Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)),
                temporal.namespace(),
                temporal.uiUri()),
            trackingUri,
            new StackConfig.S3Endpoint(
                s3.endpoint(),
                s3.region(),
                s3.accessKeyId(),
                s3.secretAccessKey(),
                s3.lakeBucket(),
                s3.artifactBucket()));
    LocalStack stack = new LocalStack(config, line -> System.err.println("[mlflow-it] " + line));
    TrainyardWorker worker = null;
    MlflowClient mlflow = new MlflowClient(trackingUri);
    try {
      stack.ensureRunning(stack.service("mlflow"), false);
      worker = PipelineStack.worker(config);
      String model = "durable-mlflow-" + UUID.randomUUID();
      String id = "it-mlflow-" + UUID.randomUUID();
      TrainingPipelineWorkflow pipeline =
          worker
              .client()
              .newWorkflowStub(
                  TrainingPipelineWorkflow.class,
                  WorkflowOptions.newBuilder()
                      .setTaskQueue(TaskQueues.CONTROL)
                      .setWorkflowId(id)
                      .build());
      WorkflowClient.start(pipeline::run, spec(model));
      awaitProgress(
          pipeline,
          p -> p.step().equals("train") && p.latestMetrics().getOrDefault("epoch", 0.0) >= 1,
          Duration.ofMinutes(3));

      ManagedProcess server =
          ManagedProcess.fromPidFile("mlflow", config.pidFile("mlflow"))
              .orElseThrow(() -> new AssertionError("no MLflow pid file"));
      long down = System.nanoTime();
      server.stop(Duration.ofSeconds(10));
      assertTrue(!server.isAlive(), "MLflow still running");
      assertTrue(!stack.service("mlflow").probe().healthy(), "MLflow still answers");
      // Down for at least 12 s (plus MLflow's own restart): long enough that training, metrics
      // logging and the registry all meet the outage, on a fast machine too.
      Thread.sleep(12_000);
      stack.ensureRunning(stack.service("mlflow"), false);
      Duration outage = Duration.ofNanos(System.nanoTime() - down);
      System.err.println("[mlflow-it] MLflow was unreachable for " + outage);
      assertThat(outage).isGreaterThan(Duration.ofSeconds(10));

      PipelineResult result =
          WorkflowStub.fromTyped(pipeline).getResult(4, TimeUnit.MINUTES, PipelineResult.class);

      assertEquals("promoted", result.outcome(), result.toString());
      List<ModelVersion> versions = mlflow.registry().listModelVersions(model);
      assertThat(versions).extracting(ModelVersion::version).containsExactly("1");
      assertEquals("1", mlflow.registry().getModelVersionByAlias(model, "champion").version());
      // The retries are in the history, with a failure that says why (not Temporal's "Failure
      // exceeds size limit.", which replaces a failure of more than a few KB).
      List<String> retried =
          worker.client().fetchHistory(id).getHistory().getEventsList().stream()
              .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
              .map(HistoryEvent::getActivityTaskStartedEventAttributes)
              .filter(a -> a.getAttempt() > 1)
              .map(a -> "attempt " + a.getAttempt() + ": " + a.getLastFailure().getMessage())
              .toList();
      assertThat(retried)
          .as("activities retried while MLflow was away")
          .isNotEmpty()
          .anyMatch(
              m -> m.contains("MLflow tracking server at " + trackingUri + " is not reachable"));
      // No epoch's metrics were lost to the outage, and none was logged twice.
      List<Long> steps =
          mlflow.tracking().getMetricHistory(result.mlflowRunId(), "val_roc_auc").stream()
              .map(Metric::step)
              .sorted()
              .toList();
      assertEquals(everyEpochOnce(), steps, "val_roc_auc steps in MLflow");
    } finally {
      if (worker != null) {
        worker.close();
      }
      mlflow.close();
      stack.down();
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static List<Long> everyEpochOnce() {
    List<Long> steps = new ArrayList<>();
    for (long e = 1; e <= EPOCHS; e++) {
      steps.add(e);
    }
    return steps;
  }

  private static PipelineProgress awaitProgress(
      TrainingPipelineWorkflow pipeline, Predicate<PipelineProgress> done, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    PipelineProgress last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = pipeline.progress();
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

  /** The (single) ActivityTaskStarted event of the activity type, with its final attempt. */
  private static HistoryEvent activityStarted(WorkflowClient client, String id, String type) {
    List<HistoryEvent> events = client.fetchHistory(id).getHistory().getEventsList();
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

  /** `trainyard worker` in its own JVM, as the launcher runs it. */
  private static Process startWorker(Map<String, String> env, Path log) throws Exception {
    return PipelineStack.workerJvm(env, log).start();
  }

  private static void awaitLog(Path log, String text) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(text)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("worker never logged '" + text + "': " + Files.readString(log));
  }
}
