package dev.trainyard.training;

/**
 * Told about every finished epoch, after its checkpoint is on disk: where the caller heartbeats
 * (with {@link EpochMetrics#checkpoint()}) and logs metrics. An exception thrown here stops
 * training and propagates out of {@link Trainer#train}; the checkpoint stays, so a retry resumes.
 */
@FunctionalInterface
public interface EpochListener {
  EpochListener NONE = metrics -> {};

  void onEpoch(EpochMetrics metrics);
}
