package dev.trainyard.registry;

/** The registration status of a model version. */
public enum ModelVersionStatus {
  PENDING_REGISTRATION,
  FAILED_REGISTRATION,
  READY
}
