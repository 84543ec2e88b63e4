package dev.trainyard.registry;

/**
 * The named experiment, run, model, version, alias or artifact does not exist
 * (`RESOURCE_DOES_NOT_EXIST`). Never retryable.
 */
public class ResourceNotFoundException extends MlflowException {
  public ResourceNotFoundException(
      String errorCode, String serverMessage, int httpStatus, String context, Throwable cause) {
    super(errorCode, serverMessage, httpStatus, false, context, cause);
  }
}
