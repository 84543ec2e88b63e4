package dev.trainyard.registry;

/** The status of an MLflow run. */
public enum RunStatus {
  RUNNING,
  SCHEDULED,
  FINISHED,
  FAILED,
  KILLED;

  /** Whether the run has ended (an end time is recorded with these). */
  public boolean isTerminal() {
    return this == FINISHED || this == FAILED || this == KILLED;
  }
}
