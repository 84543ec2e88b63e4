package dev.trainyard.app.worker;

import dev.trainyard.activities.check.WorkerCheckActivitiesImpl;
import dev.trainyard.activities.pipeline.DataActivitiesImpl;
import dev.trainyard.activities.pipeline.RegistryActivitiesImpl;
import dev.trainyard.activities.pipeline.TrainingActivitiesImpl;
import dev.trainyard.activities.runtime.ActivityEnvironment;
import dev.trainyard.activities.runtime.OpenLineageEvents;
import dev.trainyard.activities.runtime.OpenLineageInterceptor;
import dev.trainyard.activities.runtime.SparkJobs;
import dev.trainyard.activities.runtime.StepMetricsInterceptor;
import dev.trainyard.activities.runtime.TrainyardMetrics;
import dev.trainyard.activities.scoring.RealizedActivitiesImpl;
import dev.trainyard.activities.scoring.ScoringDataActivitiesImpl;
import dev.trainyard.activities.scoring.ScoringRegistryActivitiesImpl;
import dev.trainyard.app.config.Clients;
import dev.trainyard.app.config.SparkPlacement;
import dev.trainyard.app.config.TemporalClients;
import dev.trainyard.app.config.TrainyardConfig;
import dev.trainyard.app.config.TrainyardConfig.WorkerConcurrency;
import dev.trainyard.app.config.Version;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.spark.io.S3Access;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.stack.TemporalSearchAttributes;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.check.WorkerCheckWorkflowImpl;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflowImpl;
import dev.trainyard.workflows.scoring.BatchScoringWorkflow;
import dev.trainyard.workflows.scoring.BatchScoringWorkflowImpl;
import dev.trainyard.workflows.scoring.EvaluateScoresWorkflow;
import dev.trainyard.workflows.scoring.EvaluateScoresWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Temporal worker polling some or all of Trainyard's task queues, each with its own limit on
 * concurrent activities ({@link WorkerConcurrency}). Its identity ({@code pid@host}) is what
 * Temporal shows on the activity events and what each lineage record names. Shutdown is graceful:
 * polling stops at once, activities already running get {@code grace} to finish; what is still
 * running after that is interrupted and handed back to Temporal, which retries it on another
 * worker.
 */
public final class TrainyardWorker implements AutoCloseable {
  private final WorkflowServiceStubs service;
  private static final Duration HEARTBEAT_THROTTLE = Duration.ofSeconds(5);

  private final WorkflowClient client;
  private final WorkerFactory factory;
  private final List<String> queues;
  private final String identity;
  private final MlflowClient mlflow;
  private final WorkerConcurrency concurrency;
  private final String searchAttributeWarning;
  private final WorkerMetrics metrics;
  private final OpenLineageEvents lineageEvents;

  /** A worker on {@code stack} with the built-in defaults for everything else. */
  public TrainyardWorker(StackConfig stack, List<String> queues) {
    this(TrainyardConfig.defaults(stack), queues);
  }

  public TrainyardWorker(TrainyardConfig settings, List<String> queues) {
    // OpenLineage's own settings (OPENLINEAGE_URL, OPENLINEAGE_CONFIG, openlineage.yml), as every
    // integration reads them, from the configuration; off when none is set.
    this(
        settings,
        queues,
        OpenLineageEvents.fromEnvironment(settings.openLineage(), Version.current()));
  }

  /** A worker that sends its steps' OpenLineage events to {@code lineageEvents}. */
  public TrainyardWorker(
      TrainyardConfig settings, List<String> queues, OpenLineageEvents lineageEvents) {
    // Bound before connecting, so a port in use stops the worker at once with its message.
    this(
        settings,
        queues,
        settings.metrics().enabled() ? WorkerMetrics.open(settings.metrics()) : null,
        lineageEvents);
  }

  private TrainyardWorker(
      TrainyardConfig settings,
      List<String> queues,
      WorkerMetrics metrics,
      OpenLineageEvents lineageEvents) {
    this.metrics = metrics;
    this.lineageEvents = lineageEvents;
    try {
      StackConfig config = settings.stack();
      this.queues = List.copyOf(queues);
      this.concurrency = settings.worker();
      this.identity = ManagementFactory.getRuntimeMXBean().getName();
      this.service =
          metrics == null
              ? TemporalClients.connect(settings)
              : TemporalClients.connect(settings, metrics.temporalScope());
      this.client = TemporalClients.client(service, config.temporal(), identity);
      this.mlflow = Clients.mlflow(settings);
      // Spark reads and writes s3:// datasets with the same endpoint and keys (the local stack's
      // are
      // generated, not in the environment); no keys: the standard AWS chain.
      StackConfig.S3Endpoint s3 = config.s3();
      SparkSessions.useS3(
          S3Access.of(s3.endpoint(), s3.region(), s3.accessKeyId(), s3.secretAccessKey()));
      ActivityEnvironment env =
          new ActivityEnvironment(
              mlflow,
              config.stateDir().resolve("lake"),
              config.stateDir().resolve("work"),
              Version.current(),
              identity,
              metrics == null ? TrainyardMetrics.NONE : metrics.trainyard());
      // Read before any queue is served: a bad Spark setting stops the worker with its message.
      SparkJobs spark = SparkPlacement.from(settings.spark(), config.home(), env.workDir());
      // Workflows upsert Trainyard's search attributes only if the namespace has them (else every
      // workflow task would fail); checked once here, recorded by each run when it starts.
      this.searchAttributeWarning =
          this.queues.contains(TaskQueues.CONTROL)
              ? checkSearchAttributes(service, config.temporal().namespace())
              : null;
      boolean searchable = searchAttributeWarning == null;
      // Every step's duration and outcome, timed around the activity (workflows record nothing),
      // and its OpenLineage START / COMPLETE / FAIL events.
      this.factory =
          WorkerFactory.newInstance(
              client,
              WorkerFactoryOptions.newBuilder()
                  .setWorkerInterceptors(
                      new StepMetricsInterceptor(env.metrics()),
                      new OpenLineageInterceptor(lineageEvents))
                  .build());
      for (String queue : this.queues) {
        Worker worker =
            factory.newWorker(
                queue,
                WorkerOptions.newBuilder()
                    .setMaxConcurrentActivityExecutionSize(concurrency(queue))
                    // A heartbeat reaches the server at least this often (not the SDK's up to 60
                    // s),
                    // so a cancelled or timed-out step learns it, and stops, within seconds.
                    .setMaxHeartbeatThrottleInterval(HEARTBEAT_THROTTLE)
                    .build());
        worker.registerActivitiesImplementations(new WorkerCheckActivitiesImpl(identity));
        switch (queue) {
          case TaskQueues.CONTROL -> {
            worker.registerWorkflowImplementationTypes(WorkerCheckWorkflowImpl.class);
            // The steps' timeouts and retries, per activity type, from the configuration.
            worker.registerWorkflowImplementationFactory(
                TrainingPipelineWorkflow.class,
                () -> new TrainingPipelineWorkflowImpl(searchable),
                settings.activities().implementationOptions());
            worker.registerWorkflowImplementationFactory(
                BatchScoringWorkflow.class,
                () -> new BatchScoringWorkflowImpl(searchable),
                settings.activities().implementationOptions());
            worker.registerWorkflowImplementationFactory(
                EvaluateScoresWorkflow.class,
                EvaluateScoresWorkflowImpl::new,
                settings.activities().implementationOptions());
            worker.registerActivitiesImplementations(
                new RegistryActivitiesImpl(env), new ScoringRegistryActivitiesImpl(mlflow));
          }
          case TaskQueues.SPARK ->
              worker.registerActivitiesImplementations(
                  new DataActivitiesImpl(env, spark),
                  new ScoringDataActivitiesImpl(env, spark),
                  new RealizedActivitiesImpl(env));
          case TaskQueues.TRAIN ->
              worker.registerActivitiesImplementations(new TrainingActivitiesImpl(env, client));
          default -> throw new IllegalArgumentException("unknown task queue " + queue);
        }
      }
    } catch (RuntimeException | Error e) {
      if (metrics != null) {
        metrics.close();
      }
      throw e;
    }
  }

  /**
   * Null when Trainyard's search attributes are registered in the namespace; else what is wrong and
   * how to register them (runs are then not searchable by them, and work otherwise).
   */
  static String checkSearchAttributes(WorkflowServiceStubs service, String namespace) {
    OperatorServiceStubs operator = null;
    try {
      operator = TemporalSearchAttributes.operator(service.getOptions());
      List<String> problems = TemporalSearchAttributes.problems(operator, namespace);
      if (problems.isEmpty()) {
        return null;
      }
      return "Runs will not be searchable by Trainyard's search attributes in namespace "
          + namespace
          + " ("
          + String.join("; ", problems)
          + "). "
          + TemporalSearchAttributes.howToRegister(namespace);
    } catch (RuntimeException e) {
      return "Could not list the search attributes of namespace "
          + namespace
          + " ("
          + e.getMessage()
          + "), so runs will not upsert Trainyard's. "
          + TemporalSearchAttributes.howToRegister(namespace);
    } finally {
      if (operator != null) {
        operator.shutdownNow();
      }
    }
  }

  /**
   * Null when the workflows this worker runs upsert Trainyard's search attributes; else why not and
   * how to fix it (printed by {@code trainyard worker} at start).
   */
  public String searchAttributeWarning() {
    return searchAttributeWarning;
  }

  public void start() {
    factory.start();
    if (metrics != null) {
      metrics.start();
    }
  }

  /** Where Prometheus scrapes this worker ({@code http://HOST:PORT/metrics}); null when off. */
  public String metricsUrl() {
    return metrics == null ? null : metrics.url();
  }

  /** Whether the worker has started and not been told to stop: what its health file reports. */
  public boolean polling() {
    return factory.isStarted() && !factory.isShutdown();
  }

  public WorkflowClient client() {
    return client;
  }

  public String identity() {
    return identity;
  }

  public List<String> queues() {
    return queues;
  }

  /** How many activities this worker runs at once on {@code queue}. */
  public int concurrency(String queue) {
    return concurrency.forQueue(shortName(queue));
  }

  /** control, spark or train for one of Trainyard's task queues. */
  public static String shortName(String queue) {
    return switch (queue) {
      case TaskQueues.CONTROL -> "control";
      case TaskQueues.SPARK -> "spark";
      case TaskQueues.TRAIN -> "train";
      default -> throw new IllegalArgumentException("unknown task queue " + queue);
    };
  }

  /**
   * Stops polling, lets in-flight work finish for up to {@code grace}, then interrupts the rest.
   */
  public boolean shutdown(Duration grace) {
    factory.shutdown();
    factory.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
    boolean clean = factory.isTerminated();
    if (!clean) {
      factory.shutdownNow();
      factory.awaitTermination(5, TimeUnit.SECONDS);
    }
    service.shutdown();
    mlflow.close();
    if (metrics != null) {
      metrics.close();
    }
    lineageEvents.close();
    return clean;
  }

  @Override
  public void close() {
    shutdown(Duration.ofSeconds(10));
  }
}
