package dev.trainyard.training;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.ParquetReadOptions;

/**
 * Mini-batches streamed from a directory of Parquet part files, one file after another, never
 * holding more than one batch (plus, when shuffled, a bounded shuffle buffer) in memory: a dataset
 * larger than the heap trains.
 *
 * <p>Files whose names start with {@code _} or {@code .} ({@code _SUCCESS}, {@code .crc}) are
 * skipped. A shuffled pass visits the files in a permuted order and draws rows at random from a
 * buffer of up to {@link #shuffleBufferRows} rows. The buffer starts at {@link #SHUFFLE_START_ROWS}
 * rows and grows by one row per row drawn until full, so the first batch is ready after a few
 * thousand rows rather than the whole buffer. The permutation and the draws depend only on (seed,
 * epoch), so a resumed run sees exactly the batches an uninterrupted one would.
 *
 * <pre>{@code
 * try (ParquetBatches batches = ParquetBatches.shuffled(dir, task, 256, seed, epoch)) {
 *   for (FeatureBatch b = batches.next(); b != null; b = batches.next()) { ... }
 * }
 * }</pre>
 */
public final class ParquetBatches implements AutoCloseable {
  /** Shuffle buffers hold at most this many bytes of features. */
  static final long SHUFFLE_BUFFER_BYTES = 64L << 20;

  /** Shuffle buffers hold at most this many rows. */
  static final int SHUFFLE_BUFFER_MAX_ROWS = 65_536;

  /** A shuffled pass starts drawing once its buffer holds this many rows, then grows it. */
  static final int SHUFFLE_START_ROWS = 4_096;

  private final List<Path> files;
  private final Configuration conf;
  private final ParquetReadOptions options;
  private final TrainingTask task;
  private final int batchSize;
  private final int numFeatures;
  private final SplittableRandom random; // null when reading in order
  private final float[] bufferFeatures;
  private final double[] bufferLabels;
  private int buffered;
  private boolean filled;
  private int nextFile;
  private FeatureRows current;
  private boolean exhausted;
  private long rowsRead;

  private ParquetBatches(
      List<Path> files, TrainingTask task, int batchSize, SplittableRandom random, int bufferRows) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
    }
    this.files = files;
    this.conf = FeatureRows.hadoopConf();
    this.options = FeatureRows.readOptions(conf);
    this.task = task;
    this.batchSize = batchSize;
    this.numFeatures = task.numFeatures();
    this.random = random;
    this.bufferFeatures = random == null ? null : new float[bufferRows * numFeatures];
    this.bufferLabels = random == null ? null : new double[bufferRows];
  }

  /** Every row once, in file-name then row order: for validation, evaluation and scoring. */
  public static ParquetBatches inOrder(java.nio.file.Path dir, TrainingTask task, int batchSize) {
    return new ParquetBatches(dataFiles(dir), task, batchSize, null, 0);
  }

  /** Every row of these files once, in the given order. */
  static ParquetBatches inOrder(List<Path> files, TrainingTask task, int batchSize) {
    return new ParquetBatches(List.copyOf(files), task, batchSize, null, 0);
  }

  /** Every row once, in an order fixed by (seed, epoch): for one training epoch. */
  public static ParquetBatches shuffled(
      java.nio.file.Path dir, TrainingTask task, int batchSize, long seed, int epoch) {
    return shuffled(dir, task, batchSize, seed, epoch, shuffleBufferRows(task, batchSize));
  }

  static ParquetBatches shuffled(
      java.nio.file.Path dir,
      TrainingTask task,
      int batchSize,
      long seed,
      int epoch,
      int bufferRows) {
    SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * epoch));
    List<Path> files = new ArrayList<>(dataFiles(dir));
    for (int i = files.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      files.set(j, files.set(i, files.get(j)));
    }
    return new ParquetBatches(files, task, batchSize, random, Math.max(1, bufferRows));
  }

  /**
   * The row order of {@link #shuffled(java.nio.file.Path, TrainingTask, int, long, int, int)},
   * computed from the files' row counts alone: row {@code i} is the {@code i}-th row of the data
   * read file by file in name order. The same (seed, epoch, batch size, buffer) gives exactly the
   * rows, in the same order and batches, that the streamed pass returns; {@link ResidentData}
   * gathers its batches on the device with it. Mirrors {@link #next()}'s draws step for step.
   *
   * @param rowsPerFile rows of each data file, in file-name order
   */
  static int[] shuffledOrder(
      long[] rowsPerFile, int batchSize, long seed, int epoch, int bufferRows) {
    SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * epoch));
    int files = rowsPerFile.length;
    long[] firstRow = new long[files];
    long total = 0;
    for (int f = 0; f < files; f++) {
      firstRow[f] = total;
      total += rowsPerFile[f];
    }
    if (total > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(total + " rows do not fit one device-resident split");
    }
    int[] fileOrder = new int[files];
    for (int f = 0; f < files; f++) {
      fileOrder[f] = f;
    }
    for (int i = files - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = fileOrder[i];
      fileOrder[i] = fileOrder[j];
      fileOrder[j] = swap;
    }
    int[] stream = new int[(int) total]; // the rows in the order the streamed pass reads them
    int at = 0;
    for (int f : fileOrder) {
      for (long r = 0; r < rowsPerFile[f]; r++) {
        stream[at++] = (int) (firstRow[f] + r);
      }
    }
    int capacity = Math.max(1, bufferRows);
    int[] buffer = new int[capacity];
    int[] order = new int[(int) total];
    int read = 0;
    int out = 0;
    int buffered = 0;
    int start = Math.min(capacity, Math.max(batchSize, SHUFFLE_START_ROWS));
    while (buffered < start && read < stream.length) {
      buffer[buffered++] = stream[read++];
    }
    while (buffered > 0) {
      // One call of next(): at most batchSize draws; the batch boundaries do not change the
      // sequence of draws, so the whole pass is one loop.
      if (buffered < capacity && read < stream.length) {
        buffer[buffered++] = stream[read++];
      }
      int slot = random.nextInt(buffered);
      order[out++] = buffer[slot];
      if (read < stream.length) {
        buffer[slot] = stream[read++];
      } else {
        buffer[slot] = buffer[--buffered];
      }
    }
    return order;
  }

  /**
   * Rows in a shuffle buffer: features of at most 64 MiB and an eighth of the heap, at most 65,536
   * rows, at least one batch.
   */
  static int shuffleBufferRows(TrainingTask task, int batchSize) {
    long bytes = Math.min(SHUFFLE_BUFFER_BYTES, Runtime.getRuntime().maxMemory() / 8);
    long byMemory = bytes / (4L * task.numFeatures());
    return (int) Math.max(batchSize, Math.min(SHUFFLE_BUFFER_MAX_ROWS, byMemory));
  }

  /**
   * The Parquet data files of a directory, sorted by name.
   *
   * @throws TrainingDataException when the directory is missing or holds no data files
   */
  public static List<Path> dataFiles(java.nio.file.Path dir) {
    Configuration conf = FeatureRows.hadoopConf();
    Path path = new Path(dir.toAbsolutePath().toUri());
    FileStatus[] statuses;
    try {
      FileSystem fs = path.getFileSystem(conf);
      statuses =
          fs.listStatus(path, p -> !p.getName().startsWith("_") && !p.getName().startsWith("."));
    } catch (FileNotFoundException e) {
      throw new TrainingDataException(
          dir + ": no such directory; point to the feature job's output directory", e);
    } catch (IOException e) {
      throw new TrainingDataException(dir + ": cannot list: " + e.getMessage(), e);
    }
    List<Path> files = new ArrayList<>();
    Arrays.stream(statuses)
        .filter(FileStatus::isFile)
        .map(FileStatus::getPath)
        .sorted(Comparator.comparing(Path::getName))
        .forEach(files::add);
    if (files.isEmpty()) {
      throw new TrainingDataException(
          dir
              + ": no Parquet part files (part-*.parquet); run the feature job first, or point to"
              + " the directory it wrote");
    }
    return List.copyOf(files);
  }

  /** The next batch, or null when every row has been returned. */
  public FeatureBatch next() {
    float[] features = new float[batchSize * numFeatures];
    double[] labels = new double[batchSize];
    int rows = 0;
    if (random == null) {
      while (rows < batchSize && readRow(features, rows * numFeatures, labels, rows)) {
        rows++;
      }
    } else {
      if (!filled) {
        int start = Math.min(bufferLabels.length, Math.max(batchSize, SHUFFLE_START_ROWS));
        while (buffered < start
            && readRow(bufferFeatures, buffered * numFeatures, bufferLabels, buffered)) {
          buffered++;
        }
        filled = true;
      }
      while (rows < batchSize && buffered > 0) {
        // Until the buffer is full, each draw also adds a row: the buffer grows while batches
        // already flow, instead of the trainer waiting for the whole buffer to be read.
        if (buffered < bufferLabels.length
            && readRow(bufferFeatures, buffered * numFeatures, bufferLabels, buffered)) {
          buffered++;
        }
        int slot = random.nextInt(buffered);
        System.arraycopy(
            bufferFeatures, slot * numFeatures, features, rows * numFeatures, numFeatures);
        labels[rows++] = bufferLabels[slot];
        if (!readRow(bufferFeatures, slot * numFeatures, bufferLabels, slot)) {
          buffered--; // refill the slot from the end of the buffer
          System.arraycopy(
              bufferFeatures,
              buffered * numFeatures,
              bufferFeatures,
              slot * numFeatures,
              numFeatures);
          bufferLabels[slot] = bufferLabels[buffered];
        }
      }
    }
    if (rows == 0) {
      return null;
    }
    if (rows < batchSize) {
      features = Arrays.copyOf(features, rows * numFeatures);
      labels = Arrays.copyOf(labels, rows);
    }
    return new FeatureBatch(rows, numFeatures, features, labels);
  }

  /** Rows read from the files so far. */
  public long rowsRead() {
    return rowsRead;
  }

  private boolean readRow(float[] features, int offset, double[] labels, int labelIndex) {
    while (!exhausted) {
      if (current == null) {
        if (nextFile == files.size()) {
          exhausted = true;
          break;
        }
        current = FeatureRows.open(files.get(nextFile++), conf, options, task);
      }
      if (current.next(features, offset, labels, labelIndex)) {
        rowsRead++;
        return true;
      }
      current.close();
      current = null;
    }
    return false;
  }

  @Override
  public void close() {
    if (current != null) {
      current.close();
      current = null;
    }
    exhausted = true;
  }
}
