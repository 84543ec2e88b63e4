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

  /** The most of a message Temporal is sure to keep as an activity's last failure. */
  static final int MAX_MESSAGE = 1500;

  /**
   * Any other failure of a step (a Spark job that lost S3, say), retried, said in one short
   * message: the exception's first line and its root cause, no stack traces or causes. Sent whole,
   * a Spark job failure's nested causes and task stack traces exceed what Temporal keeps, so the
   * history and the UI would show only "Failure exceeds size limit." for each retry. Temporal's own
   * failures (an {@link ApplicationFailure}, a cancel learned from a heartbeat) pass unchanged.
   * Spark's {@code SparkException} is a checked exception that Scala code throws undeclared, so
   * callers catch {@link Exception}.
   */
  public static RuntimeException retryable(Exception e) {
    if (e instanceof io.temporal.failure.TemporalException t) {
      return t;
    }
    String first =
        e.getMessage() == null ? "" : e.getMessage().strip().lines().findFirst().orElse("");
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String rootText =
        root == e
            ? ""
            : " (root cause: "
                + root.getClass().getSimpleName()
                + (root.getMessage() == null
                    ? ""
                    : ": " + root.getMessage().strip().lines().findFirst().orElse(""))
                + ")";
    String message = e.getClass().getSimpleName() + ": " + first;
    if (message.length() + rootText.length() > MAX_MESSAGE) {
      message = message.substring(0, Math.max(0, MAX_MESSAGE - rootText.length() - 3)) + "...";
    }
    ApplicationFailure f =
        ApplicationFailure.newFailure(message + rootText, e.getClass().getSimpleName());
    f.setStackTrace(new StackTraceElement[0]);
    return f;
  }
}
