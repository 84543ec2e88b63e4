package dev.trainyard.registry;

/**
 * A failed MLflow call. Carries the server's {@code error_code} and {@code message} when the server
 * answered, and says whether trying again can help ({@link #isRetryable()}), so callers such as
 * Temporal activities can map it to a retryable or non-retryable failure.
 */
public class MlflowException extends RuntimeException {
  private final String errorCode;
  private final String serverMessage;
  private final int httpStatus;
  private final boolean retryable;

  /**
   * @param errorCode MLflow's error code ({@code RESOURCE_DOES_NOT_EXIST}, ...) or one of ours
   * @param serverMessage the server's message, or ours when no server answered
   * @param httpStatus the HTTP status, 0 when there was no response
   * @param retryable whether the same call may succeed later
   * @param context what was being done, for the exception's message; may be null
   */
  public MlflowException(
      String errorCode,
      String serverMessage,
      int httpStatus,
      boolean retryable,
      String context,
      Throwable cause) {
    super(describe(errorCode, serverMessage, httpStatus, context), cause);
    this.errorCode = errorCode;
    this.serverMessage = serverMessage;
    this.httpStatus = httpStatus;
    this.retryable = retryable;
  }

  /** MLflow's {@code error_code}, e.g. {@code RESOURCE_DOES_NOT_EXIST}. */
  public String errorCode() {
    return errorCode;
  }

  /** The server's {@code message} as sent (or the client's own when no server answered). */
  public String serverMessage() {
    return serverMessage;
  }

  /** The HTTP status of the failed response, or 0 when no response came back. */
  public int httpStatus() {
    return httpStatus;
  }

  /** Whether the same call may succeed if tried again later (server down, overloaded, 5xx). */
  public boolean isRetryable() {
    return retryable;
  }

  private static String describe(String code, String message, int status, String context) {
    StringBuilder s = new StringBuilder().append(code).append(": ").append(message);
    if (context != null || status > 0) {
      s.append(" [");
      if (context != null) {
        s.append(context);
      }
      if (status > 0) {
        s.append(context != null ? ", " : "").append("HTTP ").append(status);
      }
      s.append(']');
    }
    return s.toString();
  }
}
