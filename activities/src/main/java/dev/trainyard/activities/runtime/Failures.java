package dev.trainyard.activities.runtime;

import dev.trainyard.registry.MlflowException;
import io.temporal.failure.ApplicationFailure;

/**
 * One place that decides what Temporal retries: bad input fails fast (non-retryable, with the
 * engine's message); an unavailable service is retried by the workflow's retry policy.
 */
public final class Failures {
  private Failures() {}

  public static ApplicationFailure badInput(String type, String message) {
    return ApplicationFailure.newNonRetryableFailure(message, type);
  }

  /** MLflow errors keep their retryability: 5xx and connection problems retry, 4xx do not. */
  public static RuntimeException fromMlflow(MlflowException e) {
    if (e.isRetryable()) {
      // Message only, no stack traces or causes: Temporal keeps an activity's last failure only up
      // to a few KB and shows a bigger one as "Failure exceeds size limit.", hiding why it retries.
      ApplicationFailure f =
          ApplicationFailure.newFailure(e.getMessage(), e.getClass().getSimpleName());
      f.setStackTrace(new StackTraceElement[0]);
      return f;
    }
    return ApplicationFailure.newNonRetryableFailureWithCause(e.getMessage(), "MlflowRejected", e);
  }
}
