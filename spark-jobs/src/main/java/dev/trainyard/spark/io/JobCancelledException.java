package dev.trainyard.spark.io;

/**
 * A job stopped because whoever started it no longer wants its result: it was cancelled, it timed
 * out, or a later attempt of the same step has started. Nothing of it was published.
 */
public final class JobCancelledException extends RuntimeException {
  public JobCancelledException(String message) {
    super(message);
  }
}
