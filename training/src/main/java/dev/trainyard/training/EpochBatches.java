package dev.trainyard.training;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * One epoch's training batches as device arrays: {@code (features, labels)} per call, created in
 * the caller's scope. Streamed from Parquet ({@link #streamed}) or gathered from a split already on
 * the device ({@link ResidentData#epoch}); both give the same batches for the same (seed, epoch).
 */
interface EpochBatches extends AutoCloseable {
  /** The next batch's features and labels, attached to {@code scope}; null at the end. */
  NDList next(NDManager scope);

  /** Seconds the trainer waited for data in this epoch. */
  double waitedSeconds();

  @Override
  void close();

  /**
   * Batches read ahead from Parquet and copied to the device one at a time (the large-data path).
   */
  static EpochBatches streamed(Prefetched batches, TrainingTask task) {
    return new EpochBatches() {
      @Override
      public NDList next(NDManager scope) {
        FeatureBatch batch = batches.next();
        if (batch == null) {
          return null;
        }
        return new NDList(
            TabularNetwork.features(scope, batch), TabularNetwork.labels(scope, batch, task));
      }

      @Override
      public double waitedSeconds() {
        return batches.waitedSeconds();
      }

      @Override
      public void close() {
        batches.close();
      }
    };
  }
}
