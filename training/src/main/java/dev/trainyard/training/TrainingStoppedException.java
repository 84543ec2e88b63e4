package dev.trainyard.training;

/**
 * Training stopped between two batches because whoever started it asked ({@link Trainer#stopWhen}).
 * The checkpoints of finished epochs stay, so a later attempt resumes after the last one; no model
 * is exported.
 */
public final class TrainingStoppedException extends RuntimeException {
  public TrainingStoppedException(String message) {
    super(message);
  }
}
