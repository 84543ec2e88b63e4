package dev.trainyard.registry;

/** The resource to create already exists (`RESOURCE_ALREADY_EXISTS`). Never retryable. */
public class ResourceAlreadyExistsException extends MlflowException {
  public ResourceAlreadyExistsException(
      String errorCode, String serverMessage, int httpStatus, String context, Throwable cause) {
    super(errorCode, serverMessage, httpStatus, false, context, cause);
  }
}
