package dev.trainyard.registry;

/**
 * The credentials were missing or not allowed (`PERMISSION_DENIED`, `UNAUTHENTICATED`, HTTP
 * 401/403). Never retryable: fix the token or user and password.
 */
public class PermissionDeniedException extends MlflowException {
  public PermissionDeniedException(
      String errorCode, String serverMessage, int httpStatus, String context, Throwable cause) {
    super(errorCode, serverMessage, httpStatus, false, context, cause);
  }
}
