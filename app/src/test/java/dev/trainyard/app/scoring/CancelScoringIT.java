package dev.trainyard.app.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainyard.app.config.TrainyardConfig;
import dev.trainyard.app.demo.ChurnData;
import dev.trainyard.app.pipeline.PipelineStack;
import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.testing.TemporalExtension;
import dev.trainyard.testing.TemporalServer;
import dev.trainyard.workflows.ActivityTuning;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.scoring.BatchScoringWorkflow;
import dev.trainyard.workflows.scoring.ScoringResult;
import dev.trainyard.workflows.scoring.ScoringSpec;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.CanceledFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.scheduler.JobFailed;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cancelling a batch-scoring run in the Temporal dev server stops its Spark job and publishes
 * nothing: the run ends CANCELED only once the step has stopped (its activity reports the cancel,
 * its Spark jobs have all ended and none starts later), and neither the output nor a staging folder
 * exists.
 */
@ExtendWith({TemporalExtension.class, MlflowExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CancelScoringIT {
  /** Spark jobs by group, and whether each ended failed: what the worker's Spark really did. */
  private final Map<Integer, String> groupOfJob = new ConcurrentHashMap<>();

  private final Map<Integer, Boolean> jobFailed = new ConcurrentHashMap<>();

  private TrainyardWorker worker;
  private Path dir;
  private String model;
  private Path batch;

  @BeforeAll
  void trainAChampion(TemporalServer temporal, MlflowServer mlflow) throws Exception {
    StackConfig config = PipelineStack.config(temporal, mlflow);
    TrainyardConfig d = TrainyardConfig.defaults(config);
    ActivityTuning t = d.activities();
    // A short heartbeat timeout, as a deployment may set: the SDK then sends heartbeats often.
    ActivityTuning quick =
        new ActivityTuning(
            t.registry(),
            t.data(),
            new ActivityTuning.Step(Duration.ofMinutes(30), Duration.ofSeconds(4)),
            t.training(),
            t.retry());
    worker =
        new TrainyardWorker(
            new TrainyardConfig(
                d.stack(), d.worker(), d.mlflowAuth(), d.spark(), quick, d.temporalConnection()),
            TaskQueues.ALL);
    worker.start();
    dir = Files.createDirectories(config.stateDir().resolve("cancel"));
    model = Champion.train(worker, dir).model();
    batch = dir.resolve("big-batch.parquet");
    ChurnData.write(batch.toUri().toString(), 1_500_000, 5);
    SparkSessions.local()
        .sparkContext()
        .addSparkListener(
            new SparkListener() {
              @Override
              public void onJobStart(SparkListenerJobStart e) {
                String group = e.properties().getProperty("spark.jobGroup.id");
                if (group != null) {
                  groupOfJob.put(e.jobId(), group);
                }
              }

              @Override
              public void onJobEnd(SparkListenerJobEnd e) {
                jobFailed.put(e.jobId(), e.jobResult() instanceof JobFailed);
              }
            });
  }

  @AfterAll
  void stop() {
    worker.close();
  }

  @Test
  void aCancelledScoringRunStopsItsSparkJobAndPublishesNothing() throws Exception {
    String id = "it-cancel-" + UUID.randomUUID();
    Path output = dir.resolve("scores-" + id);
    // Many partitions: each loads the model, so the job runs long enough to be cancelled midway.
    ScoringSpec spec =
        ScoringSpec.of(model + "@champion", batch.toString(), output.toString())
            .withOptions(null, null, null, 96, null);
    BatchScoringWorkflow run =
        worker
            .client()
            .newWorkflowStub(
                BatchScoringWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setTaskQueue(TaskQueues.CONTROL)
                    .setWorkflowId(id)
                    .build());
    WorkflowClient.start(run::score, spec);

    String groupPrefix = "trainyard/" + id + "/";
    int job = awaitRunningJob(groupPrefix);
    WorkflowStub stub = worker.client().newUntypedWorkflowStub(id);
    stub.cancel();

    assertThatThrownBy(() -> stub.getResult(3, TimeUnit.MINUTES, ScoringResult.class))
        .isInstanceOf(WorkflowFailedException.class)
        .cause()
        .isInstanceOf(CanceledFailure.class);
    // The run ended only after its running step had ended (it waits for the step to stop), and
    // started no step after the cancel.
    List<EventType> events =
        worker.client().fetchHistory(id).getEvents().stream().map(ev -> ev.getEventType()).toList();
    int cancelAsked = events.indexOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED);
    assertThat(cancelAsked).as("cancel request in " + events).isNotNegative();
    assertThat(events.subList(cancelAsked, events.size()))
        .as("after the cancel: " + events)
        .doesNotContain(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .endsWith(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED);
    Set<EventType> ends =
        Set.of(
            EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
            EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
            EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
            EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED);
    assertThat(events.stream().filter(ends::contains).count())
        .as("every step scheduled has ended before the run did: " + events)
        .isEqualTo(
            events.stream().filter(e -> e == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).count());
    // Nothing of the run is still running in Spark, and nothing of it starts afterwards: the job
    // seen running has ended (cancelled, or finished just before the cancel reached the step,
    // which then stopped before its next job).
    assertThat(jobFailed).as("the job seen running has ended").containsKey(job);
    Thread.sleep(3_000);
    assertThat(groupOfJob.entrySet().stream().filter(e -> e.getValue().startsWith(groupPrefix)))
        .as("Spark jobs of the run, each ended (job id -> failed): " + jobFailed)
        .allSatisfy(e -> assertThat(jobFailed).containsKey(e.getKey()));
    assertThat(output).doesNotExist();
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.contains(".staging-") || n.contains(".replaced-"));
    }
  }

  /**
   * The id of the first Spark job of the run seen running. The cancel goes out at once: it reaches
   * the step at its next heartbeat (a few seconds), well before the step can publish 1.5M scored
   * rows, on an idle machine too (cancelling after the job had run for 2 s let an unloaded run
   * publish first).
   */
  private int awaitRunningJob(String groupPrefix) throws InterruptedException {
    for (int i = 0; i < 1800; i++) {
      for (var e : groupOfJob.entrySet()) {
        if (e.getValue().startsWith(groupPrefix) && !jobFailed.containsKey(e.getKey())) {
          return e.getKey();
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "no Spark job of " + groupPrefix + " started within 3 minutes; jobs seen: " + groupOfJob);
  }
}
