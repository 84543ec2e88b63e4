package dev.trainyard.app.worker;

import dev.trainyard.activities.check.WorkerCheckActivitiesImpl;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.stack.StackException;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.check.WorkerCheckWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Temporal worker polling some or all of Trainyard's task queues. Shutdown is graceful: polling
 * stops at once, activities already running get {@code grace} to finish; what is still running
 * after that is interrupted and handed back to Temporal, which retries it on another worker.
 */
public final class TrainyardWorker implements AutoCloseable {
  private final WorkflowServiceStubs service;
  private final WorkflowClient client;
  private final WorkerFactory factory;
  private final List<String> queues;
  private final String identity;

  public TrainyardWorker(StackConfig config, List<String> queues) {
    this.queues = List.copyOf(queues);
    this.identity = ManagementFactory.getRuntimeMXBean().getName();
    this.service = connect(config.temporal());
    this.client =
        WorkflowClient.newInstance(
            service,
            WorkflowClientOptions.newBuilder()
                .setNamespace(config.temporal().namespace())
                .setIdentity(identity)
                .build());
    this.factory = WorkerFactory.newInstance(client);
    for (String queue : this.queues) {
      Worker worker = factory.newWorker(queue);
      worker.registerActivitiesImplementations(new WorkerCheckActivitiesImpl(identity));
      if (queue.equals(TaskQueues.CONTROL)) {
        worker.registerWorkflowImplementationTypes(WorkerCheckWorkflowImpl.class);
      }
    }
  }

  /** Connects to the Temporal frontend, failing fast with what to do when it is not there. */
  public static WorkflowServiceStubs connect(StackConfig.TemporalEndpoint temporal) {
    try {
      return WorkflowServiceStubs.newConnectedServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.address()).build(),
          Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      throw new StackException(
          "Temporal at " + temporal.address() + " is not reachable.",
          "Start the local stack with `./trainyard dev up`, or set TEMPORAL_ADDRESS to your server.",
          e);
    }
  }

  public void start() {
    factory.start();
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
    return clean;
  }

  @Override
  public void close() {
    shutdown(Duration.ofSeconds(10));
  }
}
