package dev.trainyard.activities.pipeline;

import dev.trainyard.registry.MlflowException;
import io.temporal.failure.ApplicationFailure;

/**
 * One place that decides what Temporal retries: bad input fails fast (non-retryable, with the
 * engine's message); an unavailable service is retried by the workflow's retry policy.
 */
final class Failures {
  private Failures() {}

  static ApplicationFailure badInput(String type, String message) {
    return ApplicationFailure.newNonRetryableFailure(message, type);
  }

  /** MLflow errors keep their retryability: 5xx and connection problems retry, 4xx do not. */
  static RuntimeException fromMlflow(MlflowException e) {
    if (e.isRetryable()) {
      return e;
    }
    return ApplicationFailure.newNonRetryableFailureWithCause(e.getMessage(), "MlflowRejected", e);
  }
}
