package dev.trainyard.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link ModelSpec} on streamed Parquet feature data, one checkpoint per epoch, resuming
 * from the last checkpoint when the checkpoint directory already holds one.
 *
 * <p>Deterministic: weights are initialised from the spec's seed and each epoch's row order depends
 * only on (seed, epoch), so the same data and spec give the same metrics, and a run killed after
 * epoch k and resumed ends exactly where an uninterrupted run does (parameters and Adam state are
 * both checkpointed).
 *
 * <p>One training at a time per JVM: PyTorch's engine in DJL allows one gradient collector at a
 * time, so run training activities with a concurrency of one per worker.
 *
 * <pre>{@code
 * TrainingResult result =
 *     new Trainer(ModelSpec.mlp(List.of(64, 32)), TrainingTask.binary(20))
 *         .train(trainDir, validationDir, checkpointDir, epoch -> heartbeat(epoch.checkpoint()));
 * }</pre>
 */
public final class Trainer {
  private static final Logger log = LoggerFactory.getLogger(Trainer.class);

  /** Validation batches are at least this big: no gradients, so larger is just faster. */
  static final int MIN_EVAL_BATCH = 1024;

  /** Every this many steps the progress line reads the device's running loss (one host sync). */
  static final int PROGRESS_EVERY_STEPS = 2000;

  private final ModelSpec requested;
  private final TrainingTask task;
  private BooleanSupplier stopRequested = () -> false;
  private DeviceOptions deviceOptions = DeviceOptions.defaults();

  /** The spec this run trains with: {@link #requested} adjusted for the chosen device. */
  private ModelSpec spec;

  public Trainer(ModelSpec spec, TrainingTask task) {
    this.requested = spec;
    this.spec = spec;
    this.task = task;
  }

  /** GPU batch size, learning-rate scaling, device-resident data and {@code auto}'s probe. */
  public Trainer withDeviceOptions(DeviceOptions deviceOptions) {
    this.deviceOptions = deviceOptions;
    return this;
  }

  /**
   * Asked before every batch: once it answers true, training stops there with {@link
   * TrainingStoppedException} (a cancelled or timed-out attempt must not keep the device busy).
   */
  public Trainer stopWhen(BooleanSupplier stopRequested) {
    this.stopRequested = stopRequested;
    return this;
  }

  /**
   * Trains, or continues a killed run, and writes the best epoch's model to {@code
   * checkpointDir/model}.
   *
   * @param trainDir Parquet feature data to train on
   * @param validationDir Parquet feature data that picks the best epoch and stops early
   * @param checkpointDir this run's own directory: per-epoch checkpoints and the final model
   * @param listener told about each epoch once its checkpoint is written
   * @throws TrainingDataException when the data breaks the feature data contract
   * @throws IllegalStateException when the device is unavailable or the checkpoint directory holds
   *     a different run's checkpoint
   */
  public TrainingResult train(
      Path trainDir, Path validationDir, Path checkpointDir, EpochListener listener) {
    // Fail on missing data before anything is allocated.
    ParquetBatches.dataFiles(trainDir);
    ParquetBatches.dataFiles(validationDir);
    Devices.Decision decision =
        Devices.decide(requested.device(), d -> probe(d, deviceOptions.probeSteps()));
    Device device = decision.device();
    spec = deviceOptions.forDevice(requested, device.isGpu());
    Engine.getEngine(Devices.ENGINE).setRandomSeed((int) (spec.seed() ^ (spec.seed() >>> 32)));
    // A split that fits the device's share is read once and kept there; else it streams.
    long residentBytes = ResidentData.deviceBytes(ResidentData.footerRows(trainDir), task);
    boolean resident =
        residentBytes <= ResidentData.budget(device, deviceOptions.residentShareOn(device.isGpu()));
    Checkpoints checkpoints = new Checkpoints(checkpointDir);
    Optional<Checkpoints.State> resumed = checkpoints.latest();
    resumed.ifPresent(state -> checkCompatible(state, checkpointDir));
    // The first epoch's reader starts now, so that its first rows are read while the model is
    // built; each later epoch's starts when the previous epoch's training ends (below).
    int firstEpoch = resumed.map(Checkpoints.State::epoch).orElse(0) + 1;
    boolean finished = resumed.map(Checkpoints.State::stoppedEarly).orElse(false);
    try (ReadAhead readAhead = new ReadAhead()) {
      if (!finished && firstEpoch <= spec.epochs() && !resident) {
        readAhead.next = openEpoch(trainDir, firstEpoch);
      }
      return train(
          trainDir,
          validationDir,
          checkpoints,
          resumed,
          decision,
          resident ? residentBytes : -1,
          readAhead,
          listener);
    }
  }

  private TrainingResult train(
      Path trainDir,
      Path validationDir,
      Checkpoints checkpoints,
      Optional<Checkpoints.State> resumed,
      Devices.Decision decision,
      long residentBytes,
      ReadAhead readAhead,
      EpochListener listener) {
    String primary = task.primaryMetric();
    Device device = decision.device();
    log.info(
        "training {} ({} {}, batch {}, lr {}) on {}, data {}; {}",
        task.task(),
        spec.type(),
        spec.hiddenLayers(),
        spec.batchSize(),
        spec.learningRate(),
        decision.describe(),
        residentBytes >= 0 ? "on the device (" + (residentBytes >> 20) + " MiB)" : "streamed",
        resumed.map(s -> "resuming after epoch " + s.epoch()).orElse("fresh start"));

    try (Model model = Model.newInstance("trainyard", device, Devices.ENGINE)) {
      model.setBlock(TabularNetwork.block(spec, task));
      ResumableAdam optimizer =
          new ResumableAdam((float) spec.learningRate(), model.getNDManager());
      DefaultTrainingConfig config =
          new DefaultTrainingConfig(TabularNetwork.loss(task))
              .optOptimizer(optimizer)
              .optDevices(new Device[] {device})
              .optInitializer(new SeededInitializer(spec.seed()), Parameter.Type.WEIGHT);
      try (ai.djl.training.Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(new Shape(spec.batchSize(), task.numFeatures()));
        Block block = model.getBlock();
        List<Parameter> parameters = Checkpoints.parameters(block);

        int epoch = 0;
        int bestEpoch = 0;
        Map<String, Double> bestMetrics = Map.of();
        int sinceImprovement = 0;
        boolean stoppedEarly = false;
        if (resumed.isPresent()) {
          Checkpoints.State state = resumed.get();
          checkpoints.loadParameters(state.epoch(), block, model.getNDManager());
          optimizer.restore(
              parameters,
              checkpoints.loadOptimizerMoments(state.epoch(), model.getNDManager()),
              state.optimizerSteps());
          epoch = state.epoch();
          bestEpoch = state.bestEpoch();
          bestMetrics = state.bestMetrics();
          sinceImprovement = state.epochsWithoutImprovement();
          stoppedEarly = state.stoppedEarly();
        }
        int resumedFrom = epoch;
        if (residentBytes >= 0 && epoch < spec.epochs() && !stoppedEarly) {
          readAhead.resident = ResidentData.load(trainDir, task, model.getNDManager());
        }

        while (epoch < spec.epochs() && !stoppedEarly) {
          epoch++;
          long start = System.nanoTime();
          EpochBatches batches = readAhead.next;
          readAhead.next = null;
          if (batches == null) {
            batches = readAhead.open(this, trainDir, epoch);
          }
          double[] trainLoss = trainEpoch(trainer, batches, trainDir, epoch);
          double trainSeconds = (System.nanoTime() - start) / 1e9;
          if (epoch < spec.epochs()) {
            // Read ahead during validation and checkpointing; closed unused on early stopping.
            readAhead.next = readAhead.open(this, trainDir, epoch + 1);
          }
          Validation validation = validate(trainer, validationDir);
          Map<String, Double> metrics = validation.metrics();
          boolean best =
              bestEpoch == 0
                  || Metrics.isBetter(
                      primary,
                      metrics.getOrDefault(primary, Double.NaN),
                      bestMetrics.getOrDefault(primary, Double.NaN));
          if (best) {
            bestEpoch = epoch;
            bestMetrics = metrics;
            sinceImprovement = 0;
          } else {
            sinceImprovement++;
          }
          stoppedEarly =
              spec.earlyStoppingPatience() > 0
                  && sinceImprovement >= spec.earlyStoppingPatience()
                  && epoch < spec.epochs();
          Checkpoints.State state =
              new Checkpoints.State(
                  Checkpoints.FORMAT_VERSION,
                  epoch,
                  bestEpoch,
                  primary,
                  bestMetrics,
                  sinceImprovement,
                  stoppedEarly,
                  optimizer.steps(parameters),
                  spec,
                  task);
          // The moments are the optimizer's live state: written, not closed.
          Path checkpoint = checkpoints.write(state, block, optimizer.moments(parameters));
          log.info(
              "epoch {}: train loss {} ({} rows, {} s, {} s waiting for data), validation loss {},"
                  + " {} {}{}",
              epoch,
              trainLoss[0],
              (long) trainLoss[1],
              String.format("%.2f", trainSeconds),
              String.format("%.2f", trainLoss[2]),
              validation.loss(),
              primary,
              metrics.get(primary),
              best ? " (best)" : "");
          listener.onEpoch(
              new EpochMetrics(
                  epoch,
                  trainLoss[0],
                  validation.loss(),
                  metrics,
                  primary,
                  checkpoint,
                  best,
                  (long) trainLoss[1],
                  trainSeconds,
                  trainLoss[2]));
        }
        if (stoppedEarly) {
          log.info("early stopping after epoch {}: best epoch {}", epoch, bestEpoch);
        }

        checkpoints.loadParameters(bestEpoch, block, model.getNDManager());
        int exportedEpoch = bestEpoch;
        Map<String, Double> exportedMetrics = bestMetrics;
        Path modelDir =
            checkpoints.publishModel(
                dir -> {
                  model.setProperty("Epoch", String.valueOf(exportedEpoch));
                  model.save(dir, ModelManifest.PARAMETERS_PREFIX);
                  ModelManifest manifest =
                      new ModelManifest(
                          ModelManifest.FORMAT_VERSION,
                          Devices.ENGINE,
                          spec,
                          task,
                          task.numFeatures(),
                          ModelManifest.PARAMETERS_PREFIX,
                          exportedEpoch,
                          exportedMetrics);
                  Checkpoints.writeDurably(dir.resolve(ModelManifest.FILE), Json.bytes(manifest));
                });
        return new TrainingResult(
            modelDir,
            epoch,
            bestEpoch,
            bestMetrics,
            primary,
            device.toString(),
            resumedFrom,
            stoppedEarly,
            decision.describe());
      }
    }
  }

  /**
   * The next epoch's batches, read ahead, and the split when it is held on the device; closed
   * unused when training stops first or fails.
   */
  private static final class ReadAhead implements AutoCloseable {
    EpochBatches next;
    ResidentData resident;

    EpochBatches open(Trainer trainer, Path trainDir, int epoch) {
      if (resident != null) {
        return resident.epoch(
            trainer.spec.batchSize(),
            trainer.spec.seed(),
            epoch,
            ParquetBatches.shuffleBufferRows(trainer.task, trainer.spec.batchSize()));
      }
      return trainer.openEpoch(trainDir, epoch);
    }

    @Override
    public void close() {
      if (next != null) {
        next.close();
      }
      if (resident != null) {
        resident.close();
      }
    }
  }

  private EpochBatches openEpoch(Path trainDir, int epoch) {
    return EpochBatches.streamed(
        new Prefetched(
            ParquetBatches.shuffled(trainDir, task, spec.batchSize(), spec.seed(), epoch),
            Prefetched.depth(spec.batchSize(), task.numFeatures())),
        task);
  }

  /**
   * Trains one pass over {@code batches} and closes them; returns {mean loss, rows, waited s}. The
   * loss is summed on the device and read once at the end (and every {@link #PROGRESS_EVERY_STEPS}
   * steps for the progress line): a read per step would stall a GPU's queue on every batch.
   */
  private double[] trainEpoch(
      ai.djl.training.Trainer trainer, EpochBatches batches, Path trainDir, int epoch) {
    long rows = 0;
    long steps = 0;
    try (batches;
        NDManager epochScope = trainer.getManager().newSubManager()) {
      NDArray lossSum = epochScope.zeros(new Shape(), DataType.FLOAT64);
      while (true) {
        if (stopRequested.getAsBoolean()) {
          throw new TrainingStoppedException(
              "training stopped on request after " + rows + " rows of this epoch");
        }
        try (NDManager scope = trainer.getManager().newSubManager()) {
          NDList batch = batches.next(scope);
          if (batch == null) {
            break;
          }
          NDArray features = batch.get(0);
          NDArray labels = batch.get(1);
          long batchRows = features.getShape().get(0);
          try (GradientCollector collector = trainer.newGradientCollector()) {
            NDList outputs = trainer.forward(new NDList(features));
            NDArray loss = trainer.getLoss().evaluate(new NDList(labels), outputs);
            collector.backward(loss);
            lossSum.addi(loss.toType(DataType.FLOAT64, false).mul(batchRows));
          }
          trainer.step();
          rows += batchRows;
        }
        if (++steps % PROGRESS_EVERY_STEPS == 0) {
          log.info(
              "epoch {}: {} steps, {} rows, mean train loss so far {}",
              epoch,
              steps,
              rows,
              lossSum.getDouble() / rows);
        }
      }
      if (rows == 0) {
        throw new TrainingDataException(
            trainDir + ": the training data has no rows; check the feature job's output");
      }
      return new double[] {lossSum.getDouble() / rows, rows, batches.waitedSeconds()};
    }
  }

  /**
   * Training rows/s of this trainer's model on {@code device}: {@code steps} timed steps (after two
   * untimed ones) on random batches already on the device, at the batch size training would use
   * there. What {@code auto} compares; weights and data are thrown away.
   */
  double probe(Device device, int steps) {
    ModelSpec onDevice = deviceOptions.forDevice(requested, device.isGpu());
    int batch = onDevice.batchSize();
    try (Model model = Model.newInstance("trainyard-probe", device, Devices.ENGINE)) {
      model.setBlock(TabularNetwork.block(onDevice, task));
      DefaultTrainingConfig config =
          new DefaultTrainingConfig(TabularNetwork.loss(task))
              .optOptimizer(
                  new ResumableAdam((float) onDevice.learningRate(), model.getNDManager()))
              .optDevices(new Device[] {device})
              .optInitializer(new SeededInitializer(onDevice.seed()), Parameter.Type.WEIGHT);
      try (ai.djl.training.Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(new Shape(batch, task.numFeatures()));
        NDManager manager = trainer.getManager();
        NDArray features = manager.randomNormal(new Shape(batch, task.numFeatures()));
        NDArray labels =
            manager
                .randomInteger(
                    0, Math.max(2, task.numClasses()), new Shape(batch, 1), DataType.INT64)
                .toType(
                    task.task() == TrainingTask.Kind.MULTICLASS ? DataType.INT64 : DataType.FLOAT32,
                    false);
        long start = 0;
        NDArray last = null;
        for (int i = 0; i < steps + 2; i++) {
          if (i == 2) {
            last.getFloat(); // drain the warm-up steps before the clock starts
            start = System.nanoTime();
          }
          try (NDManager scope = manager.newSubManager()) {
            try (GradientCollector collector = trainer.newGradientCollector()) {
              NDArray loss =
                  trainer
                      .getLoss()
                      .evaluate(new NDList(labels), trainer.forward(new NDList(features)));
              collector.backward(loss);
              if (last != null) {
                last.close();
              }
              last = loss.duplicate();
              last.attach(manager);
            }
            trainer.step();
          }
        }
        last.getFloat(); // waits for the device's queue: the steps are done
        double seconds = (System.nanoTime() - start) / 1e9;
        double rowsPerSecond = (double) steps * batch / seconds;
        log.info(
            "auto: {} trains {} rows/s (batch {}, {} steps)",
            device,
            String.format("%.0f", rowsPerSecond),
            batch,
            steps);
        return rowsPerSecond;
      }
    }
  }

  private record Validation(double loss, Map<String, Double> metrics) {}

  private Validation validate(ai.djl.training.Trainer trainer, Path validationDir) {
    Metrics.Accumulator accumulator = Metrics.accumulator(task);
    double lossSum = 0;
    try (ParquetBatches batches =
        ParquetBatches.inOrder(validationDir, task, Math.max(MIN_EVAL_BATCH, spec.batchSize()))) {
      for (FeatureBatch batch = batches.next(); batch != null; batch = batches.next()) {
        try (NDManager scope = trainer.getManager().newSubManager()) {
          NDList outputs = trainer.evaluate(new NDList(TabularNetwork.features(scope, batch)));
          NDArray labels = TabularNetwork.labels(scope, batch, task);
          lossSum +=
              trainer.getLoss().evaluate(new NDList(labels), outputs).getFloat() * batch.rows();
          float[] predictions =
              TabularNetwork.predictions(outputs.singletonOrThrow(), task).toFloatArray();
          accumulator.add(predictions, batch.labels(), batch.rows());
        }
      }
    }
    if (accumulator.count() == 0) {
      throw new TrainingDataException(
          validationDir + ": the validation data has no rows; check the feature job's output");
    }
    return new Validation(lossSum / accumulator.count(), accumulator.result());
  }

  private void checkCompatible(Checkpoints.State state, Path checkpointDir) {
    if (!spec.canResume(state.modelSpec()) || !task.equals(state.trainingTask())) {
      throw new IllegalStateException(
          checkpointDir
              + " holds a checkpoint of a different run ("
              + state.modelSpec()
              + ", "
              + state.trainingTask()
              + "); give each run its own checkpoint directory, or delete this one to start over");
    }
  }
}
