package dev.trainyard.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints and registered models written before the switch from Gson to Jackson must still load,
 * and new files must look the same: the expected texts below are what Gson wrote.
 */
class JsonTest {
  /** Checkpoint state as Gson wrote it (NaN metric unquoted, one array element per line). */
  static final String STATE =
      """
      {
        "formatVersion": 1,
        "epoch": 4,
        "bestEpoch": 3,
        "primaryMetric": "roc_auc",
        "bestMetrics": {
          "roc_auc": 0.8125,
          "log_loss": NaN
        },
        "epochsWithoutImprovement": 1,
        "stoppedEarly": false,
        "optimizerSteps": [
          10,
          20
        ],
        "modelSpec": {
          "type": "mlp",
          "hiddenLayers": [
            64,
            32
          ],
          "epochs": 10,
          "batchSize": 256,
          "learningRate": 0.001,
          "earlyStoppingPatience": 3,
          "device": "auto",
          "seed": 42
        },
        "trainingTask": {
          "task": "binary",
          "numFeatures": 12,
          "numClasses": 2
        }
      }""";

  /** model-spec.json as Gson wrote it (empty list and map as [] and {}). */
  static final String MANIFEST =
      """
      {
        "formatVersion": 1,
        "engine": "djl",
        "modelSpec": {
          "type": "linear",
          "hiddenLayers": [],
          "epochs": 5,
          "batchSize": 64,
          "learningRate": 0.01,
          "earlyStoppingPatience": 0,
          "device": "cpu",
          "seed": 7
        },
        "trainingTask": {
          "task": "regression",
          "numFeatures": 3,
          "numClasses": 1
        },
        "numFeatures": 3,
        "parametersPrefix": "model",
        "bestEpoch": 2,
        "validationMetrics": {}
      }""";

  static Checkpoints.State state() {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("roc_auc", 0.8125);
    metrics.put("log_loss", Double.NaN);
    ModelSpec spec =
        new ModelSpec(
            ModelSpec.Type.MLP,
            List.of(64, 32),
            10,
            256,
            0.001,
            3,
            ModelSpec.DeviceChoice.AUTO,
            42);
    return new Checkpoints.State(
        1, 4, 3, "roc_auc", metrics, 1, false, new int[] {10, 20}, spec, TrainingTask.binary(12));
  }

  static ModelManifest manifest() {
    ModelSpec spec =
        new ModelSpec(
            ModelSpec.Type.LINEAR, List.of(), 5, 64, 0.01, 0, ModelSpec.DeviceChoice.CPU, 7);
    return new ModelManifest(1, "djl", spec, TrainingTask.regression(3), 3, "model", 2, Map.of());
  }

  @Test
  void writesCheckpointStateAsBefore() {
    assertEquals(STATE, new String(Json.bytes(state()), StandardCharsets.UTF_8));
  }

  @Test
  void writesModelManifestAsBefore() {
    assertEquals(MANIFEST, new String(Json.bytes(manifest()), StandardCharsets.UTF_8));
  }

  @Test
  void readsCheckpointStateWrittenBefore(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve(Checkpoints.STATE), STATE);
    Checkpoints.State read = Json.read(file, Checkpoints.State.class);
    Checkpoints.State expected = state();
    assertEquals(expected.epoch(), read.epoch());
    assertEquals(expected.bestEpoch(), read.bestEpoch());
    assertEquals(expected.primaryMetric(), read.primaryMetric());
    assertEquals(0.8125, read.bestMetrics().get("roc_auc"));
    assertTrue(read.bestMetrics().get("log_loss").isNaN());
    assertArrayEquals(expected.optimizerSteps(), read.optimizerSteps());
    assertEquals(expected.modelSpec(), read.modelSpec());
    assertEquals(expected.trainingTask(), read.trainingTask());
  }

  @Test
  void readsModelManifestWrittenBefore(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve(ModelManifest.FILE), MANIFEST);
    assertEquals(manifest(), Json.read(file, ModelManifest.class));
  }
}
