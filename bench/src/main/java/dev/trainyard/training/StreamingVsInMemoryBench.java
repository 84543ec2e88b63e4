package dev.trainyard.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import dev.trainyard.bench.Args;
import dev.trainyard.bench.JsonFiles;
import dev.trainyard.bench.Machine;
import dev.trainyard.bench.Stats;
import dev.trainyard.bench.SyntheticFeatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Benchmark 1: training throughput of {@link Trainer} streaming from Parquet vs the same model,
 * loss, optimizer and step loop fed from rows already in memory.
 *
 * <p>This class lives in the training module's package (in the bench module's jar) so that the
 * in-memory loop uses the very same package-private building blocks as {@link Trainer}: {@link
 * TabularNetwork#block}, {@link TabularNetwork#loss}, {@link ResumableAdam}, {@link
 * SeededInitializer}, {@link TabularNetwork#features}/{@link TabularNetwork#labels}. The only
 * difference between the two sides is where a batch's {@code float[]} comes from.
 *
 * <p>Each round runs, in turn: one {@code Trainer.train} epoch (its own train-pass time, from
 * {@link EpochMetrics#trainSeconds()}, without validation or checkpointing); one in-memory epoch
 * with a fresh per-epoch shuffle of all rows; one in-memory epoch over batches built once; one pass
 * of the Parquet reader alone (no training). Round 0 is warm-up and not reported.
 */
public final class StreamingVsInMemoryBench {
  private StreamingVsInMemoryBench() {}

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv);
    int rows = args.getInt("rows", 200_000);
    int numFeatures = args.getInt("features", 32);
    int rounds = args.getInt("rounds", 5);
    int files = args.getInt("files", 8);
    Path dataRoot = Path.of(args.get("data", ".trainyard/bench/data"));
    Path out = Path.of(args.get("out", "bench/target/parts/training.json"));

    List<Double> loadBefore = Machine.loadAverage();
    TrainingTask task = TrainingTask.binary(numFeatures);
    ModelSpec spec =
        ModelSpec.mlp(List.of(64, 32))
            .withEpochs(1)
            .withBatchSize(256)
            .withLearningRate(1e-3)
            .withEarlyStoppingPatience(0)
            .withDevice(ModelSpec.DeviceChoice.CPU)
            .withSeed(42);

    Path dir = dataRoot.resolve("features-" + rows + "x" + numFeatures + "-" + files + "files");
    Path train = dir.resolve("train");
    Path validation = dir.resolve("validation");
    if (!Files.exists(train.resolve("_SUCCESS")) || !Files.exists(validation.resolve("_SUCCESS"))) {
      long t = System.nanoTime();
      Checkpoints.deleteTree(dir);
      SyntheticFeatures.write(train, rows, numFeatures, files, 1);
      SyntheticFeatures.write(validation, Math.max(1000, rows / 20), numFeatures, 1, 2);
      System.out.printf("wrote %s in %.1f s%n", dir, (System.nanoTime() - t) / 1e9);
    } else {
      System.out.println("using cached data " + dir);
    }

    // Preload the training rows (file order) for the in-memory side.
    float[] x = new float[rows * numFeatures];
    double[] y = new double[rows];
    int loaded = 0;
    try (ParquetBatches batches = ParquetBatches.inOrder(train, task, 4096)) {
      for (FeatureBatch b = batches.next(); b != null; b = batches.next()) {
        System.arraycopy(b.features(), 0, x, loaded * numFeatures, b.rows() * numFeatures);
        System.arraycopy(b.labels(), 0, y, loaded, b.rows());
        loaded += b.rows();
      }
    }
    if (loaded != rows) {
      throw new IllegalStateException("read " + loaded + " rows, expected " + rows);
    }
    List<FeatureBatch> prebuilt = new ArrayList<>();
    for (int start = 0; start < rows; start += spec.batchSize()) {
      int n = Math.min(spec.batchSize(), rows - start);
      float[] bx = new float[n * numFeatures];
      double[] by = new double[n];
      System.arraycopy(x, start * numFeatures, bx, 0, n * numFeatures);
      System.arraycopy(y, start, by, 0, n);
      prebuilt.add(new FeatureBatch(n, numFeatures, bx, by));
    }

    List<Double> streaming = new ArrayList<>();
    List<Double> streamingCall = new ArrayList<>();
    List<Double> shuffled = new ArrayList<>();
    List<Double> built = new ArrayList<>();
    List<Double> readOnly = new ArrayList<>();
    Path work = Files.createTempDirectory("trainyard-bench-train");
    try {
      for (int round = 0; round <= rounds; round++) {
        String tag = round == 0 ? "warm-up" : "round " + round + "/" + rounds;

        Path checkpoints = work.resolve("checkpoints-" + round);
        double[] epochSeconds = new double[1];
        long t0 = System.nanoTime();
        new Trainer(spec, task)
            .train(train, validation, checkpoints, e -> epochSeconds[0] = e.trainSeconds());
        double call = (System.nanoTime() - t0) / 1e9;
        Checkpoints.deleteTree(checkpoints);

        double mem;
        double pre;
        try (InMemory loop = new InMemory(spec, task)) {
          mem = loop.shuffledEpoch(x, y, rows, round + 1);
          pre = loop.prebuiltEpoch(prebuilt);
        }
        double read = readPass(train, task, spec, round + 1);

        System.out.printf(
            "%-12s streaming %.3f s (Trainer.train call %.3f s) | in-memory shuffled %.3f s"
                + " | in-memory prebuilt %.3f s | parquet read only %.3f s%n",
            tag, epochSeconds[0], call, mem, pre, read);
        if (round > 0) {
          streaming.add(epochSeconds[0]);
          streamingCall.add(call);
          shuffled.add(mem);
          built.add(pre);
          readOnly.add(read);
        }
      }
    } finally {
      Checkpoints.deleteTree(work);
    }

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("benchmark", "training_throughput");
    result.put("rows", rows);
    result.put("features", numFeatures);
    result.put("files", files);
    result.put(
        "model",
        "binary, mlp [64, 32], batch 256, Adam lr 1e-3, cpu, seed 42; one epoch per repetition");
    result.put("torch_threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
    result.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
    result.put("repetitions", rounds);
    result.put("warm_up_rounds", 1);
    result.put("streaming_trainer", Stats.throughput(streaming, rows));
    result.put("streaming_trainer_whole_call", Stats.throughput(streamingCall, rows));
    result.put("in_memory_shuffled", Stats.throughput(shuffled, rows));
    result.put("in_memory_prebuilt", Stats.throughput(built, rows));
    result.put("parquet_read_only", Stats.throughput(readOnly, rows));
    double ratio = Stats.median(shuffled) / Stats.median(streaming);
    double ratioPrebuilt = Stats.median(built) / Stats.median(streaming);
    double ratioBest = Stats.min(shuffled) / Stats.min(streaming);
    result.put("ratio_streaming_vs_in_memory_shuffled_median", Stats.round3(ratio));
    result.put("ratio_streaming_vs_in_memory_shuffled_best", Stats.round3(ratioBest));
    result.put("ratio_streaming_vs_in_memory_prebuilt_median", Stats.round3(ratioPrebuilt));
    result.put("target_ratio", 0.9);
    result.put("meets_target", ratio >= 0.9);
    result.put("load_average_before", loadBefore);
    result.put("load_average_after", Machine.loadAverage());
    JsonFiles.write(out, result);

    System.out.printf(
        "%nstreaming (Trainer, Parquet): %,d samples/s median, %,d best%n"
            + "in-memory, shuffled:          %,d samples/s median, %,d best%n"
            + "in-memory, prebuilt batches:  %,d samples/s median, %,d best%n"
            + "parquet reader alone:         %,d samples/s median%n"
            + "ratio streaming / in-memory (shuffled): %.3f (target >= 0.90: %s);"
            + " vs prebuilt: %.3f%n",
        Math.round(rows / Stats.median(streaming)),
        Math.round(rows / Stats.min(streaming)),
        Math.round(rows / Stats.median(shuffled)),
        Math.round(rows / Stats.min(shuffled)),
        Math.round(rows / Stats.median(built)),
        Math.round(rows / Stats.min(built)),
        Math.round(rows / Stats.median(readOnly)),
        ratio,
        ratio >= 0.9 ? "met" : "NOT met",
        ratioPrebuilt);
    System.out.println("wrote " + out);
  }

  /** One shuffled pass of the Parquet reader with no training: the streaming side's input cost. */
  private static double readPass(Path train, TrainingTask task, ModelSpec spec, int epoch) {
    long t = System.nanoTime();
    long n = 0;
    double checksum = 0;
    try (ParquetBatches batches =
        ParquetBatches.shuffled(train, task, spec.batchSize(), spec.seed(), epoch)) {
      for (FeatureBatch b = batches.next(); b != null; b = batches.next()) {
        n += b.rows();
        checksum += b.features()[0];
      }
    }
    double s = (System.nanoTime() - t) / 1e9;
    if (n == 0 || Double.isNaN(checksum)) {
      throw new IllegalStateException("no rows");
    }
    return s;
  }

  /**
   * The Trainer's model, optimizer and step loop ({@code Trainer.train} / {@code trainEpoch}),
   * without the Parquet reader, validation or checkpoints.
   */
  static final class InMemory implements AutoCloseable {
    private final ModelSpec spec;
    private final TrainingTask task;
    private final Model model;
    private final ai.djl.training.Trainer trainer;

    InMemory(ModelSpec spec, TrainingTask task) {
      this.spec = spec;
      this.task = task;
      Device device = Devices.resolve(spec.device());
      this.model = Model.newInstance("trainyard-bench", device, Devices.ENGINE);
      model.setBlock(TabularNetwork.block(spec, task));
      ResumableAdam optimizer =
          new ResumableAdam((float) spec.learningRate(), model.getNDManager());
      DefaultTrainingConfig config =
          new DefaultTrainingConfig(TabularNetwork.loss(task))
              .optOptimizer(optimizer)
              .optDevices(new Device[] {device})
              .optInitializer(new SeededInitializer(spec.seed()), Parameter.Type.WEIGHT);
      this.trainer = model.newTrainer(config);
      trainer.initialize(new Shape(spec.batchSize(), task.numFeatures()));
    }

    /**
     * One epoch over all rows in a fresh random order (full Fisher-Yates permutation seeded by
     * (seed, epoch)); each batch's rows are copied into new arrays, as a reader would hand them.
     */
    double shuffledEpoch(float[] x, double[] y, int rows, int epoch) {
      long t = System.nanoTime();
      int d = task.numFeatures();
      SplittableRandom random = new SplittableRandom(spec.seed() ^ (0x9E3779B97F4A7C15L * epoch));
      int[] order = new int[rows];
      for (int i = 0; i < rows; i++) {
        order[i] = i;
      }
      for (int i = rows - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
      }
      double loss = 0;
      for (int start = 0; start < rows; start += spec.batchSize()) {
        int n = Math.min(spec.batchSize(), rows - start);
        float[] bx = new float[n * d];
        double[] by = new double[n];
        for (int i = 0; i < n; i++) {
          int r = order[start + i];
          System.arraycopy(x, r * d, bx, i * d, d);
          by[i] = y[r];
        }
        loss += step(new FeatureBatch(n, d, bx, by));
      }
      checkLoss(loss);
      return (System.nanoTime() - t) / 1e9;
    }

    /** One epoch over batches built once, in file order: no shuffling, no copying. */
    double prebuiltEpoch(List<FeatureBatch> batches) {
      long t = System.nanoTime();
      double loss = 0;
      for (FeatureBatch b : batches) {
        loss += step(b);
      }
      checkLoss(loss);
      return (System.nanoTime() - t) / 1e9;
    }

    /** Exactly the body of {@code Trainer.trainEpoch}'s loop. */
    private double step(FeatureBatch batch) {
      double lossSum;
      try (NDManager scope = trainer.getManager().newSubManager()) {
        NDArray features = TabularNetwork.features(scope, batch);
        NDArray labels = TabularNetwork.labels(scope, batch, task);
        try (GradientCollector collector = trainer.newGradientCollector()) {
          NDList outputs = trainer.forward(new NDList(features));
          NDArray loss = trainer.getLoss().evaluate(new NDList(labels), outputs);
          collector.backward(loss);
          lossSum = loss.getFloat() * (double) batch.rows();
        }
        trainer.step();
      }
      return lossSum;
    }

    private static void checkLoss(double loss) {
      if (!Double.isFinite(loss)) {
        throw new IllegalStateException("loss is not finite: " + loss);
      }
    }

    @Override
    public void close() {
      trainer.close();
      model.close();
    }
  }
}
