package dev.trainyard.spark.io;

/**
 * The input data (or the spec that describes it) cannot be used as it is: a missing path, a file
 * that is not Parquet, a column that is absent or has the wrong type, an empty dataset. Retrying
 * will not help; the message says what is wrong, where, and how to fix it. Callers that run this
 * code as a Temporal activity map it to a non-retryable failure.
 */
public class DataInputException extends RuntimeException {
  public DataInputException(String message) {
    super(message);
  }

  public DataInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
