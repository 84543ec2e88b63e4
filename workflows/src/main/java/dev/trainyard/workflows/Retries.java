package dev.trainyard.workflows;

import io.temporal.common.RetryOptions;
import java.time.Duration;

/**
 * The one retry policy of Trainyard's activities: bad input is marked non-retryable by the
 * activities themselves and fails at once; everything else (a service down, a lost worker) is
 * retried with backoff up to a minute apart.
 */
public final class Retries {
  public static final RetryOptions ACTIVITIES =
      RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(1))
          .setBackoffCoefficient(2)
          .setMaximumInterval(Duration.ofMinutes(1))
          .setMaximumAttempts(20)
          .build();

  private Retries() {}
}
