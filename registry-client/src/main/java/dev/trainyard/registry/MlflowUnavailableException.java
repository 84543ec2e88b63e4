package dev.trainyard.registry;

import java.net.URI;

/**
 * The MLflow tracking server (or the artifact store behind a run) could not be reached, timed out,
 * or said it is temporarily unavailable. Always retryable.
 */
public class MlflowUnavailableException extends MlflowException {
  private final URI endpoint;

  public MlflowUnavailableException(
      URI endpoint,
      String errorCode,
      String message,
      int httpStatus,
      String context,
      Throwable cause) {
    super(errorCode, message, httpStatus, true, context, cause);
    this.endpoint = endpoint;
  }

  /** The server that could not be reached. */
  public URI endpoint() {
    return endpoint;
  }
}
