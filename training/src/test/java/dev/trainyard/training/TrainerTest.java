package dev.trainyard.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  private static final TrainingTask BINARY = TrainingTask.binary(8);
  private static final ModelSpec SPEC =
      ModelSpec.mlp(List.of(16))
          .withEpochs(4)
          .withBatchSize(32)
          .withLearningRate(0.01)
          .withEarlyStoppingPatience(0)
          .withDevice(ModelSpec.DeviceChoice.CPU);

  @TempDir static Path data;
  @TempDir Path tmp;
  static Path train;
  static Path validation;

  @BeforeAll
  static void writeData() {
    train = FeatureData.of(BINARY).rows(1200).files(3).seed(1).writeTo(data.resolve("train"));
    validation = FeatureData.of(BINARY).rows(400).files(1).seed(2).writeTo(data.resolve("val"));
  }

  /** Runs training and records every epoch's metrics. */
  private static Run run(Trainer trainer, Path checkpoints) {
    List<EpochMetrics> epochs = new ArrayList<>();
    TrainingResult result = trainer.train(train, validation, checkpoints, epochs::add);
    return new Run(result, epochs);
  }

  private record Run(TrainingResult result, List<EpochMetrics> epochs) {}

  @Test
  void learnsABinaryTaskAndSavesAModelThatEvaluatesAndPredicts() {
    Run run = run(new Trainer(SPEC, BINARY), tmp.resolve("ckpt"));
    TrainingResult result = run.result();
    assertEquals(4, result.epochsRun());
    assertEquals(0, result.resumedFromEpoch());
    assertEquals("roc_auc", result.primaryMetric());
    assertEquals("cpu()", result.device());
    assertTrue(result.bestValidationMetrics().get("roc_auc") > 0.95, result.toString());
    assertEquals(4, run.epochs().size());
    for (int i = 0; i < 4; i++) {
      EpochMetrics e = run.epochs().get(i);
      assertEquals(i + 1, e.epoch());
      assertEquals(1200, e.trainRows());
      assertEquals(String.format("epoch-%04d", i + 1), e.checkpoint().getFileName().toString());
      assertEquals(
          Metrics.namesFor(TrainingTask.Kind.BINARY), List.copyOf(e.validationMetrics().keySet()));
    }
    assertTrue(
        run.epochs().get(3).trainLoss() < run.epochs().get(0).trainLoss(), "training loss falls");
    assertTrue(Files.isRegularFile(run.epochs().get(3).checkpoint().resolve("state.json")));
    // the best epoch's metrics are the result's
    EpochMetrics best = run.epochs().get(result.bestEpoch() - 1);
    assertTrue(best.best());
    assertEquals(best.validationMetrics(), result.bestValidationMetrics());

    Path modelDir = result.modelDir();
    assertTrue(Files.isRegularFile(modelDir.resolve("model-spec.json")));
    Map<String, Double> test = Evaluation.evaluate(modelDir, validation);
    assertEquals(Metrics.namesFor(TrainingTask.Kind.BINARY), List.copyOf(test.keySet()));
    assertEquals(result.bestValidationMetrics().get("roc_auc"), test.get("roc_auc"), 1e-9);
    assertEquals(result.bestValidationMetrics().get("log_loss"), test.get("log_loss"), 1e-6);

    try (SavedModel model = SavedModel.load(modelDir)) {
      assertEquals(BINARY, model.task());
      assertEquals(SPEC, model.modelSpec());
      float[][] p = model.predict(new float[][] {new float[8], {1, 2, 3, 4, 5, 6, 7, 8}});
      assertEquals(2, p.length);
      for (float[] row : p) {
        assertEquals(2, row.length);
        assertEquals(1.0, row[0] + row[1], 1e-6);
      }
      assertThrows(IllegalArgumentException.class, () -> model.predict(new float[][] {{1}}));
    }
  }

  @Test
  void sameSeedSameMetricsEvenOnAnotherThread() throws Exception {
    Run first = run(new Trainer(SPEC.withEpochs(2), BINARY), tmp.resolve("a"));
    Run second =
        CompletableFuture.supplyAsync(
                () -> run(new Trainer(SPEC.withEpochs(2), BINARY), tmp.resolve("b")))
            .get();
    assertEquals(metricsOf(first), metricsOf(second));
    assertArrayEquals(
        Files.readAllBytes(first.epochs().get(1).checkpoint().resolve("parameters.bin")),
        Files.readAllBytes(second.epochs().get(1).checkpoint().resolve("parameters.bin")));

    Run otherSeed = run(new Trainer(SPEC.withEpochs(2).withSeed(7), BINARY), tmp.resolve("c"));
    assertFalse(metricsOf(first).equals(metricsOf(otherSeed)));
  }

  private static List<Object> metricsOf(Run run) {
    List<Object> out = new ArrayList<>();
    for (EpochMetrics e : run.epochs()) {
      out.add(List.of(e.epoch(), e.trainLoss(), e.validationLoss(), e.validationMetrics()));
    }
    out.add(run.result().bestValidationMetrics());
    out.add(run.result().bestEpoch());
    return out;
  }

  @Test
  void resumedRunEndsExactlyWhereAnUninterruptedOneDoes() {
    Run uninterrupted = run(new Trainer(SPEC, BINARY), tmp.resolve("straight"));

    // Killed after epoch 2: a run configured for 2 epochs, then a new Trainer asked for 4.
    Path checkpoints = tmp.resolve("killed");
    Run firstAttempt = run(new Trainer(SPEC.withEpochs(2), BINARY), checkpoints);
    Run resumed = run(new Trainer(SPEC, BINARY), checkpoints);
    assertEquals(0, firstAttempt.result().resumedFromEpoch());
    assertEquals(2, resumed.result().resumedFromEpoch());
    assertEquals(List.of(3, 4), resumed.epochs().stream().map(EpochMetrics::epoch).toList());
    List<EpochMetrics> joined = new ArrayList<>(firstAttempt.epochs());
    joined.addAll(resumed.epochs());
    assertEquals(metricsOf(uninterrupted), metricsOf(new Run(resumed.result(), joined)));
    assertEquals(4, resumed.result().epochsRun());

    // Only the latest and the best epoch's checkpoints are kept.
    try (var entries = Files.list(checkpoints)) {
      List<String> names = entries.map(p -> p.getFileName().toString()).sorted().toList();
      int best = resumed.result().bestEpoch();
      List<String> expected = new ArrayList<>();
      if (best != 4) {
        expected.add(String.format("epoch-%04d", best));
      }
      expected.addAll(List.of("epoch-0004", "model"));
      assertEquals(expected, names);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aListenerThatThrowsStopsTrainingAndARetryResumes() {
    Path checkpoints = tmp.resolve("ckpt");
    RuntimeException heartbeatFailed = new RuntimeException("activity cancelled");
    RuntimeException thrown =
        assertThrows(
            RuntimeException.class,
            () ->
                new Trainer(SPEC.withEpochs(3), BINARY)
                    .train(
                        train,
                        validation,
                        checkpoints,
                        e -> {
                          if (e.epoch() == 1) {
                            throw heartbeatFailed;
                          }
                        }));
    assertSame(heartbeatFailed, thrown);
    assertTrue(Files.isDirectory(checkpoints.resolve("epoch-0001")));
    assertFalse(Files.exists(checkpoints.resolve("model")));

    Run retry = run(new Trainer(SPEC.withEpochs(3), BINARY), checkpoints);
    assertEquals(1, retry.result().resumedFromEpoch());
    assertEquals(3, retry.result().epochsRun());

    // A finished run asked again only re-exports its model.
    Run again = run(new Trainer(SPEC.withEpochs(3), BINARY), checkpoints);
    assertEquals(3, again.result().resumedFromEpoch());
    assertTrue(again.epochs().isEmpty());
    assertEquals(retry.result().bestValidationMetrics(), again.result().bestValidationMetrics());
  }

  @Test
  void aStopRequestEndsTrainingAtTheNextBatchAndARetryResumesAfterTheLastFinishedEpoch() {
    Path checkpoints = tmp.resolve("ckpt");
    // Stop asked before epoch 2's fifth batch (batches of 32 rows).
    List<EpochMetrics> finished = new ArrayList<>();
    AtomicInteger askedInEpoch2 = new AtomicInteger();
    TrainingStoppedException stopped =
        assertThrows(
            TrainingStoppedException.class,
            () ->
                new Trainer(SPEC.withEpochs(3), BINARY)
                    .stopWhen(() -> !finished.isEmpty() && askedInEpoch2.incrementAndGet() > 4)
                    .train(train, validation, checkpoints, finished::add));
    assertEquals(5, askedInEpoch2.get(), "asked once per batch, and not after it said stop");
    assertTrue(stopped.getMessage().contains("after 128 rows"), stopped.getMessage());
    assertEquals(1, finished.size());
    assertTrue(Files.isDirectory(checkpoints.resolve("epoch-0001")));
    assertFalse(Files.exists(checkpoints.resolve("epoch-0002")));
    assertFalse(Files.exists(checkpoints.resolve("model")));

    Run retry = run(new Trainer(SPEC.withEpochs(3), BINARY), checkpoints);
    assertEquals(1, retry.result().resumedFromEpoch());
    assertEquals(3, retry.result().epochsRun());
  }

  @Test
  void stopsEarlyWhenValidationStopsImproving() {
    Path noise =
        FeatureData.of(BINARY)
            .rows(300)
            .files(1)
            .seed(3)
            .randomLabels()
            .writeTo(tmp.resolve("noise"));
    TrainingResult result =
        new Trainer(SPEC.withEpochs(20).withEarlyStoppingPatience(2), BINARY)
            .train(train, noise, tmp.resolve("ckpt"), EpochListener.NONE);
    assertTrue(result.stoppedEarly(), result.toString());
    assertTrue(result.epochsRun() < 20);
    assertEquals(result.bestEpoch() + 2, result.epochsRun());
  }

  @Test
  void linearMulticlassAndMlpRegressionLearn() {
    TrainingTask multiclass = TrainingTask.multiclass(6, 3);
    Path mcTrain = FeatureData.of(multiclass).rows(1500).seed(1).writeTo(tmp.resolve("mc-train"));
    Path mcVal = FeatureData.of(multiclass).rows(300).seed(2).writeTo(tmp.resolve("mc-val"));
    ModelSpec linear = ModelSpec.linear().withEpochs(4).withBatchSize(32).withLearningRate(0.05);
    TrainingResult mc =
        new Trainer(linear, multiclass)
            .train(mcTrain, mcVal, tmp.resolve("mc"), EpochListener.NONE);
    assertTrue(mc.bestValidationMetrics().get("accuracy") > 0.85, mc.toString());
    Map<String, Double> mcTest = Evaluation.evaluate(mc.modelDir(), mcVal);
    assertEquals(List.of("accuracy", "macro_f1", "log_loss"), List.copyOf(mcTest.keySet()));
    try (SavedModel model = SavedModel.load(mc.modelDir())) {
      float[] p = model.predict(new float[][] {new float[6]})[0];
      assertEquals(3, p.length);
      assertEquals(1.0, p[0] + p[1] + p[2], 1e-5);
    }

    TrainingTask regression = TrainingTask.regression(5);
    Path rTrain = FeatureData.of(regression).rows(1500).seed(1).writeTo(tmp.resolve("r-train"));
    Path rVal = FeatureData.of(regression).rows(300).seed(2).writeTo(tmp.resolve("r-val"));
    ModelSpec mlp = SPEC.withEpochs(6).withLearningRate(0.02);
    TrainingResult r =
        new Trainer(mlp, regression).train(rTrain, rVal, tmp.resolve("r"), EpochListener.NONE);
    assertEquals("rmse", r.primaryMetric());
    Map<String, Double> rTest = Evaluation.evaluate(r.modelDir(), rVal);
    assertEquals(List.of("rmse", "mae", "r2"), List.copyOf(rTest.keySet()));
    assertTrue(rTest.get("r2") > 0.9, rTest.toString());
  }

  @Test
  void badInputFailsBeforeTraining() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    TrainingDataException e =
        assertThrows(
            TrainingDataException.class,
            () -> new Trainer(SPEC, BINARY).train(empty, validation, tmp.resolve("c"), x -> {}));
    assertTrue(e.getMessage().contains("no Parquet part files"), e.getMessage());

    TrainingDataException wrongWidth =
        assertThrows(
            TrainingDataException.class,
            () ->
                new Trainer(SPEC, TrainingTask.binary(9))
                    .train(train, validation, tmp.resolve("w"), x -> {}));
    assertTrue(wrongWidth.getMessage().contains("expected 9"), wrongWidth.getMessage());
  }

  @Test
  void aCheckpointOfAnotherRunIsRefused() {
    Path checkpoints = tmp.resolve("ckpt");
    new Trainer(SPEC.withEpochs(1), BINARY).train(train, validation, checkpoints, x -> {});
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                new Trainer(SPEC.withSeed(99), BINARY)
                    .train(train, validation, checkpoints, x -> {}));
    assertTrue(e.getMessage().contains("different run"), e.getMessage());
  }

  @Test
  void gpuWithoutAGpuIsAClearError() {
    Assumptions.assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0, "a GPU is present");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                new Trainer(SPEC.withDevice(ModelSpec.DeviceChoice.GPU), BINARY)
                    .train(train, validation, tmp.resolve("g"), x -> {}));
    assertEquals("device: gpu but no GPU visible to PyTorch; use auto or cpu", e.getMessage());
    assertEquals(ai.djl.Device.cpu(), Devices.resolve(ModelSpec.DeviceChoice.AUTO));
  }

  private static final DeviceOptions STREAMED = DeviceOptions.defaults().withResidentShare(0.0);
  // The CPU streams by default (measured faster there); these tests hold the data on it anyway.
  private static final DeviceOptions RESIDENT = DeviceOptions.defaults().withResidentShare(0.25);

  @Test
  void dataHeldOnTheDeviceTrainsExactlyAsStreamedData() throws Exception {
    // The CPU device stands in for a GPU: same seed, same batches, same losses, same weights.
    long bytes = ResidentData.deviceBytes(ResidentData.footerRows(train), BINARY);
    assertEquals(1200 * (4 * 8 + 8), bytes);
    assertTrue(bytes <= ResidentData.budget(ai.djl.Device.cpu(), 0.25), "held on the device");
    assertEquals(0, ResidentData.budget(ai.djl.Device.cpu(), 0), "streamed");
    Run streamed =
        run(new Trainer(SPEC, BINARY).withDeviceOptions(STREAMED), tmp.resolve("streamed"));
    Run resident =
        run(new Trainer(SPEC, BINARY).withDeviceOptions(RESIDENT), tmp.resolve("resident"));
    assertEquals(metricsOf(streamed), metricsOf(resident));
    assertArrayEquals(
        Files.readAllBytes(streamed.epochs().get(3).checkpoint().resolve("parameters.bin")),
        Files.readAllBytes(resident.epochs().get(3).checkpoint().resolve("parameters.bin")));
    assertEquals(1200, resident.epochs().get(0).trainRows());
    assertEquals("cpu: cpu()", resident.result().deviceChoice());
  }

  @Test
  void aStreamedRunResumedWithItsDataOnTheDeviceEndsWhereAnUninterruptedOneDoes() {
    Run uninterrupted =
        run(new Trainer(SPEC, BINARY).withDeviceOptions(STREAMED), tmp.resolve("straight"));
    Path checkpoints = tmp.resolve("killed");
    run(new Trainer(SPEC.withEpochs(2), BINARY).withDeviceOptions(STREAMED), checkpoints);
    Run resumed = run(new Trainer(SPEC, BINARY).withDeviceOptions(RESIDENT), checkpoints);
    assertEquals(2, resumed.result().resumedFromEpoch());
    assertEquals(metricsOf(uninterrupted).subList(2, 4), metricsOf(resumed).subList(0, 2));
    assertEquals(
        uninterrupted.result().bestValidationMetrics(), resumed.result().bestValidationMetrics());
  }

  @Test
  void autoWithoutAGpuTrainsOnTheCpuWithoutProbingAndSaysSo() {
    Assumptions.assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0, "a GPU is present");
    Run run =
        run(
            new Trainer(SPEC.withEpochs(1).withDevice(ModelSpec.DeviceChoice.AUTO), BINARY),
            tmp.resolve("auto"));
    assertEquals("cpu()", run.result().device());
    assertEquals("auto: cpu() (no GPU visible: not probed)", run.result().deviceChoice());
  }

  @Test
  void theProbeTimesTheActualModelOnTheCpu() {
    double rowsPerSecond =
        new Trainer(SPEC, BINARY)
            .withDeviceOptions(DeviceOptions.defaults().withProbeSteps(5))
            .probe(ai.djl.Device.cpu(), 5);
    assertTrue(rowsPerSecond > 0 && Double.isFinite(rowsPerSecond), "rows/s " + rowsPerSecond);
  }
}
