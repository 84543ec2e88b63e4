package dev.trainyard.workflows.check;

import java.util.List;

/**
 * @param queues the task queues to check
 * @param holdMillis how long each answer takes (heartbeating), to observe in-flight work
 * @param noWorkerTimeoutSeconds how long a queue may go unanswered before it counts as unserved
 */
public record WorkerCheckRequest(
    List<String> queues, long holdMillis, int noWorkerTimeoutSeconds) {}
