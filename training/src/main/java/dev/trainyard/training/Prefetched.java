package dev.trainyard.training;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads the next batches on a second thread while the current one trains: Parquet decoding and the
 * optimizer step overlap instead of taking turns. The order of batches is unchanged, so training
 * stays deterministic; memory grows by at most {@code depth} batches.
 */
final class Prefetched implements AutoCloseable {
  private static final Object END = new Object();

  private final ParquetBatches source;
  private final BlockingQueue<Object> queue;
  private final Thread reader;
  private volatile boolean closed;

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

  /** The next batch, or null at the end; rethrows what reading failed with. */
  FeatureBatch next() {
    Object item;
    try {
      item = queue.take();
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
