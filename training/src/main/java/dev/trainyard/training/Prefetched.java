package dev.trainyard.training;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads the next batches on a second thread while the current one trains: Parquet decoding and the
 * optimizer step overlap instead of taking turns. The order of batches is unchanged, so training
 * stays deterministic; memory grows by at most {@code depth} batches.
 *
 * <p>The queue is deep (see {@link #depth}) because reading is bursty: opening the next part file
 * and decompressing a row group take milliseconds, while a training step takes a fraction of one; a
 * queue of a few batches ran dry at every file boundary.
 */
final class Prefetched implements AutoCloseable {
  private static final Object END = new Object();

  /** Batches waiting in the queue take at most this many bytes (and a 16th of the heap). */
  static final long QUEUE_BYTES = 32L << 20;

  static final int MAX_DEPTH = 256;

  private final ParquetBatches source;
  private final BlockingQueue<Object> queue;
  private final Thread reader;
  private volatile boolean closed;
  private long waitedNanos;

  Prefetched(ParquetBatches source, int depth) {
    this.source = source;
    this.queue = new ArrayBlockingQueue<>(depth);
    this.reader = new Thread(this::read, "parquet-prefetch");
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    Object item;
    try {
      for (FeatureBatch b = source.next(); b != null && !closed; b = source.next()) {
        queue.put(b);
      }
      item = END;
    } catch (InterruptedException e) {
      return;
    } catch (RuntimeException e) {
      item = e; // handed to the training thread, which rethrows it as if it had read the batch
    }
    try {
      queue.put(item);
    } catch (InterruptedException ignored) {
      // closed while handing over the end: nobody is waiting for it
    }
  }

  /**
   * How many batches to read ahead: as many as fit in {@link #QUEUE_BYTES} (and a 16th of the
   * heap), between 2 and {@link #MAX_DEPTH}.
   */
  static int depth(int batchSize, int numFeatures) {
    long batchBytes = (long) batchSize * (4L * numFeatures + 8);
    long bytes = Math.min(QUEUE_BYTES, Runtime.getRuntime().maxMemory() / 16);
    return (int) Math.max(2, Math.min(MAX_DEPTH, bytes / batchBytes));
  }

  /** The next batch, or null at the end; rethrows what reading failed with. */
  FeatureBatch next() {
    Object item;
    long start = System.nanoTime();
    try {
      item = queue.take();
      waitedNanos += System.nanoTime() - start;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for training data", e);
    }
    if (item == END) {
      queue.offer(END); // later calls see the end too
      return null;
    }
    if (item instanceof RuntimeException e) {
      throw e;
    }
    return (FeatureBatch) item;
  }

  /** Time the caller spent waiting for batches: when large, training is bound by reading. */
  double waitedSeconds() {
    return waitedNanos / 1e9;
  }

  @Override
  public void close() {
    closed = true;
    reader.interrupt();
    try {
      reader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    source.close();
  }
}
