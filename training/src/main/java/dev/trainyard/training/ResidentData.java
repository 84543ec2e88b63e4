package dev.trainyard.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * A training split held on the training device: read from Parquet once, copied to the device once,
 * and each epoch's batches gathered there by row index, so that a step copies nothing from the
 * host. Each epoch's order is {@link ParquetBatches#shuffledOrder}: the very batches the streamed
 * pass of the same (seed, epoch) returns, so resume and determinism hold on either path.
 */
final class ResidentData implements AutoCloseable {
  private final NDManager manager;
  private final NDArray features;
  private final NDArray labels;
  private final long[] rowsPerFile;
  private final int rows;

  private ResidentData(
      NDManager manager, NDArray features, NDArray labels, long[] rowsPerFile, int rows) {
    this.manager = manager;
    this.features = features;
    this.labels = labels;
    this.rowsPerFile = rowsPerFile;
    this.rows = rows;
  }

  /** Bytes a split of {@code rows} rows takes on the device: features plus labels. */
  static long deviceBytes(long rows, TrainingTask task) {
    return rows * (4L * task.numFeatures() + 8L);
  }

  /** The rows of a Parquet directory, from the files' footers (no data read). */
  static long footerRows(java.nio.file.Path dir) {
    Configuration conf = FeatureRows.hadoopConf();
    long total = 0;
    for (Path file : ParquetBatches.dataFiles(dir)) {
      try (ParquetFileReader reader =
          ParquetFileReader.open(
              HadoopInputFile.fromPath(file, conf), FeatureRows.readOptions(conf))) {
        total += reader.getRecordCount();
      } catch (IOException | RuntimeException e) {
        throw new TrainingDataException(
            file + ": cannot read as Parquet (" + e.getMessage() + "); is it a Parquet part file?",
            e);
      }
    }
    return total;
  }

  /**
   * The bytes a split may take on {@code device}: {@code share} of the GPU's memory, or of the
   * JVM's heap on the CPU (the split passes through the heap on its way to the device, and native
   * CPU memory is not the limit that bites first). 0 when {@code share} is 0.
   */
  static long budget(Device device, double share) {
    long heap = Runtime.getRuntime().maxMemory();
    if (share <= 0) {
      return 0;
    }
    long staging = heap / 3; // the float[] copy built on the heap before the device copy
    if (device.isGpu()) {
      long total = CudaUtils.getGpuMemory(device).getMax();
      return Math.min(staging, (long) (share * total));
    }
    return Math.min(staging, (long) (share * heap));
  }

  /** Reads the whole split in file-name order onto {@code parent}'s device. */
  static ResidentData load(java.nio.file.Path dir, TrainingTask task, NDManager parent) {
    List<Path> files = ParquetBatches.dataFiles(dir);
    long[] rowsPerFile = new long[files.size()];
    long estimate = footerRows(dir);
    if (estimate > Integer.MAX_VALUE / Math.max(1, task.numFeatures())) {
      throw new IllegalArgumentException(dir + ": too many rows to hold on the device");
    }
    int numFeatures = task.numFeatures();
    float[] features = new float[(int) estimate * numFeatures];
    double[] labels = new double[(int) estimate];
    int rows = 0;
    int chunk = 8192;
    for (int f = 0; f < files.size(); f++) {
      try (ParquetBatches batches = ParquetBatches.inOrder(List.of(files.get(f)), task, chunk)) {
        for (FeatureBatch b = batches.next(); b != null; b = batches.next()) {
          if (rows + b.rows() > labels.length) {
            throw new TrainingDataException(
                files.get(f) + ": holds more rows than its footer says; rewrite the feature data");
          }
          System.arraycopy(b.features(), 0, features, rows * numFeatures, b.rows() * numFeatures);
          System.arraycopy(b.labels(), 0, labels, rows, b.rows());
          rows += b.rows();
          rowsPerFile[f] += b.rows();
        }
      }
    }
    if (rows == 0) {
      throw new TrainingDataException(
          dir + ": the training data has no rows; check the feature job's output");
    }
    NDManager manager = parent.newSubManager();
    try {
      FeatureBatch all =
          new FeatureBatch(
              rows,
              numFeatures,
              rows == estimate ? features : java.util.Arrays.copyOf(features, rows * numFeatures),
              rows == estimate ? labels : java.util.Arrays.copyOf(labels, rows));
      NDArray x = TabularNetwork.features(manager, all);
      NDArray y = TabularNetwork.labels(manager, all, task);
      return new ResidentData(manager, x, y, rowsPerFile, rows);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  int rows() {
    return rows;
  }

  /** One epoch's batches, gathered on the device in the streamed pass's order. */
  EpochBatches epoch(int batchSize, long seed, int epoch, int bufferRows) {
    int[] order = ParquetBatches.shuffledOrder(rowsPerFile, batchSize, seed, epoch, bufferRows);
    long[] indices = new long[order.length];
    for (int i = 0; i < order.length; i++) {
      indices[i] = order[i];
    }
    NDManager epochManager = manager.newSubManager();
    // One host→device copy of the epoch's order; each batch is a slice of it.
    NDArray onDevice = epochManager.create(indices, new Shape(indices.length));
    return new EpochBatches() {
      int next;

      @Override
      public NDList next(NDManager scope) {
        if (next >= rows) {
          return null;
        }
        int end = Math.min(rows, next + batchSize);
        NDArray slice = onDevice.get(new NDIndex("{}:{}", next, end));
        slice.attach(scope);
        NDArray x = features.get(new NDIndex("{}", slice));
        NDArray y = labels.get(new NDIndex("{}", slice));
        x.attach(scope);
        y.attach(scope);
        next = end;
        return new NDList(x, y);
      }

      @Override
      public double waitedSeconds() {
        return 0;
      }

      @Override
      public void close() {
        epochManager.close();
      }
    };
  }

  @Override
  public void close() {
    manager.close();
  }
}
