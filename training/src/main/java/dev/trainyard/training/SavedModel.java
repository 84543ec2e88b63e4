package dev.trainyard.training;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A trained model loaded from a model directory ({@link TrainingResult#modelDir()}), with one
 * predictor that scores whole batches of rows. Holds native memory: close it. Not thread-safe: use
 * one per thread, e.g. one per Spark partition.
 *
 * <pre>{@code
 * try (SavedModel model = SavedModel.load(modelDir)) {
 *   float[][] probabilities = model.predict(rows);
 * }
 * }</pre>
 */
public final class SavedModel implements AutoCloseable {
  private final ModelManifest manifest;
  private final Model model;
  private final Predictor<Rows, float[]> predictor;

  private SavedModel(ModelManifest manifest, Model model) {
    this.manifest = manifest;
    this.model = model;
    this.predictor = model.newPredictor(new RowsTranslator(manifest.trainingTask()));
  }

  /** Loads onto the device {@code auto} picks (a GPU when PyTorch sees one, else CPU). */
  public static SavedModel load(Path modelDir) {
    return load(modelDir, ModelSpec.DeviceChoice.AUTO);
  }

  public static SavedModel load(Path modelDir, ModelSpec.DeviceChoice device) {
    Path file = modelDir.resolve(ModelManifest.FILE);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          modelDir + " is not a Trainyard model directory (no " + ModelManifest.FILE + ")");
    }
    ModelManifest manifest;
    try {
      manifest = Json.read(file, ModelManifest.class);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (manifest.formatVersion() != ModelManifest.FORMAT_VERSION) {
      throw new IllegalArgumentException(
          file
              + " has format "
              + manifest.formatVersion()
              + "; this build reads "
              + ModelManifest.FORMAT_VERSION);
    }
    Model model = Model.newInstance("trainyard", Devices.resolve(device), Devices.ENGINE);
    try {
      model.setBlock(TabularNetwork.block(manifest.modelSpec(), manifest.trainingTask()));
      model.load(modelDir, manifest.parametersPrefix());
      return new SavedModel(manifest, model);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new IllegalArgumentException(
          "cannot load model parameters from " + modelDir + ": " + e.getMessage(), e);
    }
  }

  public TrainingTask task() {
    return manifest.trainingTask();
  }

  public ModelSpec modelSpec() {
    return manifest.modelSpec();
  }

  /** The epoch the parameters come from. */
  public int epoch() {
    return manifest.bestEpoch();
  }

  /**
   * Scores rows of {@code numFeatures} values each.
   *
   * @return per row: [p0, p1] (binary), k class probabilities (multiclass), [value] (regression)
   */
  public float[][] predict(float[][] features) {
    int width = task().numFeatures();
    float[] flat = new float[features.length * width];
    for (int i = 0; i < features.length; i++) {
      if (features[i].length != width) {
        throw new IllegalArgumentException(
            "row " + i + " has " + features[i].length + " features, the model takes " + width);
      }
      System.arraycopy(features[i], 0, flat, i * width, width);
    }
    float[] out = predict(flat, features.length);
    int outWidth = task().outputWidth();
    float[][] rows = new float[features.length][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = java.util.Arrays.copyOfRange(out, i * outWidth, (i + 1) * outWidth);
    }
    return rows;
  }

  /** Scores {@code rows} row-major rows; returns predictions row-major. */
  float[] predict(float[] features, int rows) {
    if (rows == 0) {
      return new float[0];
    }
    try {
      return predictor.predict(new Rows(features, rows));
    } catch (TranslateException e) {
      throw new IllegalStateException("prediction failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    predictor.close();
    model.close();
  }

  private record Rows(float[] values, int count) {}

  /** A whole batch in, one array of predictions out; no per-row batchifying. */
  private record RowsTranslator(TrainingTask task) implements Translator<Rows, float[]> {
    @Override
    public NDList processInput(TranslatorContext ctx, Rows input) {
      return new NDList(
          ctx.getNDManager().create(input.values(), new Shape(input.count(), task.numFeatures())));
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList list) {
      return TabularNetwork.predictions(list.singletonOrThrow(), task).toFloatArray();
    }

    @Override
    public Batchifier getBatchifier() {
      return null;
    }
  }
}
