package dev.trainyard.registry;

/**
 * The request was rejected as invalid (`INVALID_PARAMETER_VALUE`, `BAD_REQUEST`, ...). Never
 * retryable.
 */
public class InvalidParameterException extends MlflowException {
  public InvalidParameterException(
      String errorCode, String serverMessage, int httpStatus, String context, Throwable cause) {
    super(errorCode, serverMessage, httpStatus, false, context, cause);
  }
}
