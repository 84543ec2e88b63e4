package dev.trainyard.bench;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.trainyard.app.config.TemporalClients;
import dev.trainyard.app.config.TrainyardConfig;
import dev.trainyard.app.demo.ChurnData;
import dev.trainyard.app.spec.PipelineSpecFile;
import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.PipelineResult;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.RegisterNamespaceRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Benchmark 2: orchestration overhead of a full {@code TrainingPipelineWorkflow} run on the local
 * stack. A worker runs in this JVM; the workflow's history gives the workflow's wall time
 * (WorkflowExecutionStarted → WorkflowExecutionCompleted) and each activity's own time
 * (ActivityTaskStarted → ActivityTaskCompleted); overhead = wall − Σ activity time.
 *
 * <p>Isolation: the worker uses its own Temporal namespace ({@code trainyard-bench}, created when
 * missing) so no other worker on the dev stack can take its tasks, and its own state folder ({@code
 * .trainyard/bench/state}: lake and work dirs), so the feature cache starts cold. Each run
 * registers a fresh MLflow model name, so there is never a champion to evaluate.
 */
public final class PipelineOverheadBench {
  private PipelineOverheadBench() {}

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv);
    long rows = Long.parseLong(args.get("rows", "1000000"));
    String namespace = args.get("namespace", "trainyard-bench");
    Path out = Path.of(args.get("out", "bench/target/parts/pipeline.json"));
    Path home = Path.of(args.get("home", ".")).toAbsolutePath().normalize();
    List<Double> loadBefore = Machine.loadAverage();

    Map<String, String> env = System.getenv();
    StackConfig loaded =
        TrainyardConfig.load(home, TrainyardConfig.locate(home, null, env), env).stack();
    Path benchDir = loaded.stateDir().resolve("bench");
    Path state = benchDir.resolve("state");
    StackConfig.TemporalEndpoint t = loaded.temporal();
    StackConfig config =
        new StackConfig(
            loaded.home(),
            state,
            loaded.toolsDir(),
            new StackConfig.TemporalEndpoint(t.host(), t.port(), namespace, t.uiUri()),
            loaded.mlflowTrackingUri(),
            loaded.s3());
    ensureNamespace(config.temporal());

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("benchmark", "pipeline_overhead");
    result.put("rows", rows);
    result.put("spec", "examples/churn/pipeline.yaml (dataset and registeredModel replaced)");
    result.put("temporal_namespace", namespace);
    result.put("torch_threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
    result.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);

    long t0 = System.nanoTime();
    SparkSessions.local();
    result.put("spark_session_start_s", Stats.round3((System.nanoTime() - t0) / 1e9));
    Path data = benchDir.resolve("data").resolve("churn-" + rows + ".parquet");
    if (!Files.exists(data.resolve("_SUCCESS"))) {
      System.out.println("generating " + rows + " churn rows at " + data);
      t0 = System.nanoTime();
      ChurnData.write(data.toUri().toString(), rows, 42);
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("  %.1f s%n", s);
      result.put("data_generation_s", Stats.round3(s));
    } else {
      System.out.println("using cached dataset " + data);
    }
    // A cold feature cache, and no leftovers from earlier bench runs.
    deleteTree(state.resolve("lake"));
    deleteTree(state.resolve("work"));

    PipelineSpec loadedSpec = PipelineSpecFile.load(home.resolve("examples/churn/pipeline.yaml"));
    List<Map<String, Object>> runs = new ArrayList<>();
    try (TrainyardWorker worker = new TrainyardWorker(config, TaskQueues.ALL)) {
      worker.start();
      for (String mode : List.of("cold", "warm")) {
        String stamp = Long.toString(System.currentTimeMillis());
        PipelineSpec spec =
            PipelineSpec.builder()
                .setName(loadedSpec.name() + "-bench")
                .setDataset(new PipelineSpec.Dataset(data.toUri().toString(), "parquet"))
                .setLabel(loadedSpec.label())
                .setTask(loadedSpec.task())
                .setFeatures(loadedSpec.features())
                .optValidation(loadedSpec.validation())
                .optSplit(loadedSpec.split())
                .optModel(loadedSpec.model())
                .optTrials(loadedSpec.trials())
                .optGate(loadedSpec.gate())
                .setRegisteredModel("bench-churn-" + stamp + "-" + mode)
                .build();
        String workflowId = "bench-pipeline-" + mode + "-" + stamp;
        System.out.println("running " + workflowId + " (" + mode + " feature cache)");
        TrainingPipelineWorkflow workflow =
            worker
                .client()
                .newWorkflowStub(
                    TrainingPipelineWorkflow.class,
                    WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CONTROL)
                        .setWorkflowId(workflowId)
                        .setWorkflowExecutionTimeout(java.time.Duration.ofHours(2))
                        .build());
        List<Double> load = Machine.loadAverage();
        long c0 = System.nanoTime();
        WorkflowClient.start(workflow::run, spec);
        PipelineResult outcome = WorkflowStub.fromTyped(workflow).getResult(PipelineResult.class);
        double clientWall = (System.nanoTime() - c0) / 1e9;
        WorkflowExecutionHistory history = worker.client().fetchHistory(workflowId);
        Map<String, Object> run = analyse(history.getEvents());
        run.put("mode", mode);
        run.put("workflow_id", workflowId);
        run.put("outcome", outcome.outcome() + " " + outcome.registeredModel());
        run.put("feature_cache_hit", outcome.featureCacheHit());
        run.put("test_roc_auc", outcome.testMetrics().get("roc_auc"));
        run.put("client_wall_s", Stats.round3(clientWall));
        run.put("load_average_at_start", load);
        runs.add(run);
        print(run);
      }
    }
    result.put("runs", runs);
    result.put("target_overhead_pct", 5.0);
    result.put("load_average_before", loadBefore);
    result.put("load_average_after", Machine.loadAverage());
    JsonFiles.write(out, result);
    System.out.println("wrote " + out);
    // Spark and the Temporal SDK leave non-daemon threads behind.
    System.exit(0);
  }

  /** Wall, per-activity times and overhead from a closed workflow's history. */
  static Map<String, Object> analyse(List<HistoryEvent> events) {
    Map<Long, HistoryEvent> scheduled = new LinkedHashMap<>();
    Map<Long, HistoryEvent> started = new LinkedHashMap<>();
    List<long[]> intervals = new ArrayList<>(); // [startMs, endMs]
    List<Map<String, Object>> steps = new ArrayList<>();
    long wfStart = -1;
    long wfEnd = -1;
    double queueWait = 0;
    double workflowTasks = 0;
    int workflowTaskCount = 0;
    Map<Long, Long> wfTaskStarted = new LinkedHashMap<>();
    for (HistoryEvent e : events) {
      long ms = millis(e.getEventTime());
      switch (e.getEventType()) {
        case EVENT_TYPE_WORKFLOW_EXECUTION_STARTED -> wfStart = ms;
        case EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
            EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
            EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
            EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED ->
            wfEnd = ms;
        case EVENT_TYPE_WORKFLOW_TASK_STARTED -> wfTaskStarted.put(e.getEventId(), ms);
        case EVENT_TYPE_WORKFLOW_TASK_COMPLETED -> {
          Long s =
              wfTaskStarted.get(e.getWorkflowTaskCompletedEventAttributes().getStartedEventId());
          if (s != null) {
            workflowTasks += (ms - s) / 1000.0;
            workflowTaskCount++;
          }
        }
        case EVENT_TYPE_ACTIVITY_TASK_SCHEDULED -> scheduled.put(e.getEventId(), e);
        case EVENT_TYPE_ACTIVITY_TASK_STARTED ->
            started.put(e.getActivityTaskStartedEventAttributes().getScheduledEventId(), e);
        case EVENT_TYPE_ACTIVITY_TASK_COMPLETED, EVENT_TYPE_ACTIVITY_TASK_FAILED -> {
          long schedId =
              e.getEventType()
                      == io.temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
                  ? e.getActivityTaskCompletedEventAttributes().getScheduledEventId()
                  : e.getActivityTaskFailedEventAttributes().getScheduledEventId();
          HistoryEvent sch = scheduled.get(schedId);
          HistoryEvent st = started.get(schedId);
          if (sch == null || st == null) {
            continue;
          }
          long s = millis(st.getEventTime());
          intervals.add(new long[] {s, ms});
          queueWait += (s - millis(sch.getEventTime())) / 1000.0;
          Map<String, Object> step = new LinkedHashMap<>();
          step.put(
              "activity",
              sch.getActivityTaskScheduledEventAttributes().getActivityType().getName());
          step.put(
              "task_queue", sch.getActivityTaskScheduledEventAttributes().getTaskQueue().getName());
          step.put("seconds", Stats.round3((ms - s) / 1000.0));
          step.put("queue_wait_ms", s - millis(sch.getEventTime()));
          step.put("attempt", st.getActivityTaskStartedEventAttributes().getAttempt());
          if (e.getEventType()
              == io.temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED) {
            step.put("failed", true);
          }
          steps.add(step);
        }
        default -> {}
      }
    }
    intervals.sort(Comparator.comparingLong(a -> a[0]));
    double sum = 0;
    long overlapMs = 0;
    long lastEnd = Long.MIN_VALUE;
    for (long[] iv : intervals) {
      sum += (iv[1] - iv[0]) / 1000.0;
      if (iv[0] < lastEnd) {
        overlapMs += Math.min(lastEnd, iv[1]) - iv[0];
      }
      lastEnd = Math.max(lastEnd, iv[1]);
    }
    double wall = (wfEnd - wfStart) / 1000.0;
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("workflow_wall_s", Stats.round3(wall));
    r.put("sum_of_steps_s", Stats.round3(sum));
    r.put("overhead_s", Stats.round3(wall - sum));
    r.put("overhead_pct", Math.round((wall - sum) / wall * 10000) / 100.0);
    r.put("activities", steps.size());
    r.put("activity_overlap_ms", overlapMs);
    r.put("activity_queue_wait_s", Stats.round3(queueWait));
    r.put("workflow_tasks", workflowTaskCount);
    r.put("workflow_task_time_s", Stats.round3(workflowTasks));
    r.put("steps", steps);
    return r;
  }

  private static void print(Map<String, Object> run) {
    System.out.printf(
        "  %s: wall %.3f s, steps %.3f s, overhead %.3f s = %.2f%% (activity queue wait %.3f s,"
            + " %d workflow tasks %.3f s, overlap %d ms; client-side wall %.3f s)%n",
        run.get("mode"),
        (Double) run.get("workflow_wall_s"),
        (Double) run.get("sum_of_steps_s"),
        (Double) run.get("overhead_s"),
        (Double) run.get("overhead_pct"),
        (Double) run.get("activity_queue_wait_s"),
        (Integer) run.get("workflow_tasks"),
        (Double) run.get("workflow_task_time_s"),
        (Long) run.get("activity_overlap_ms"),
        (Double) run.get("client_wall_s"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> steps = (List<Map<String, Object>>) run.get("steps");
    for (Map<String, Object> s : steps) {
      System.out.printf(
          "    %-18s %-18s %9.3f s  (queue wait %d ms, attempt %s)%n",
          s.get("activity"),
          s.get("task_queue"),
          (Double) s.get("seconds"),
          (Long) s.get("queue_wait_ms"),
          s.get("attempt"));
    }
  }

  private static long millis(Timestamp ts) {
    return ts.getSeconds() * 1000 + ts.getNanos() / 1_000_000;
  }

  /** Creates the namespace when the server does not know it, and waits until it answers. */
  private static void ensureNamespace(StackConfig.TemporalEndpoint temporal)
      throws InterruptedException {
    WorkflowServiceStubs service = TemporalClients.connect(temporal);
    try {
      DescribeNamespaceRequest describe =
          DescribeNamespaceRequest.newBuilder().setNamespace(temporal.namespace()).build();
      try {
        service.blockingStub().describeNamespace(describe);
        return;
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
          throw e;
        }
      }
      System.out.println("creating Temporal namespace " + temporal.namespace());
      service
          .blockingStub()
          .registerNamespace(
              RegisterNamespaceRequest.newBuilder()
                  .setNamespace(temporal.namespace())
                  .setDescription("Trainyard benchmarks")
                  .setWorkflowExecutionRetentionPeriod(Duration.newBuilder().setSeconds(86_400))
                  .build());
      for (int i = 0; ; i++) {
        try {
          service.blockingStub().describeNamespace(describe);
          break;
        } catch (StatusRuntimeException e) {
          if (i > 60) {
            throw e;
          }
          Thread.sleep(500);
        }
      }
      // The frontend's namespace cache refreshes on its own schedule.
      Thread.sleep(11_000);
    } finally {
      service.shutdown();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
