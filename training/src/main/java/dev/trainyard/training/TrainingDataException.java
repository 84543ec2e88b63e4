package dev.trainyard.training;

/**
 * The feature data cannot be trained on or evaluated as it is: a missing directory or column, a row
 * of the wrong width, a label that is not a finite number or a valid class. The message names the
 * file and column and says what to change. Retrying does not help.
 */
public class TrainingDataException extends RuntimeException {
  public TrainingDataException(String message) {
    super(message);
  }

  public TrainingDataException(String message, Throwable cause) {
    super(message, cause);
  }
}
