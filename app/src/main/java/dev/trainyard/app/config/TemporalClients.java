package dev.trainyard.app.config;

import dev.trainyard.stack.StackConfig;
import dev.trainyard.stack.StackException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;

/** Connections to Temporal, failing fast with what to do when it is not there. */
public final class TemporalClients {
  private TemporalClients() {}

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

  public static WorkflowClient client(
      WorkflowServiceStubs service, StackConfig.TemporalEndpoint t, String identity) {
    WorkflowClientOptions.Builder b =
        WorkflowClientOptions.newBuilder().setNamespace(t.namespace());
    if (identity != null) {
      b.setIdentity(identity);
    }
    return WorkflowClient.newInstance(service, b.build());
  }
}
