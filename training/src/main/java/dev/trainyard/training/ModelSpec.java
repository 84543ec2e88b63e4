package dev.trainyard.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;

/**
 * The architecture and hyper-parameters of one training run: everything, together with a {@link
 * TrainingTask}, needed to rebuild the network.
 *
 * @param type {@code mlp} (hidden Linear+ReLU layers, then the output layer) or {@code linear} (one
 *     Linear layer: logistic, softmax or linear regression through the loss)
 * @param hiddenLayers units of each hidden layer, for {@code mlp}; empty for {@code linear}
 * @param epochs the most epochs to run (counting those of a run this one resumes)
 * @param batchSize rows per mini-batch
 * @param learningRate Adam's learning rate
 * @param earlyStoppingPatience epochs without a better validation metric before training stops; 0
 *     turns early stopping off
 * @param device where to train: {@code auto} (a GPU when PyTorch sees one), {@code cpu} or {@code
 *     gpu} (fails when there is none)
 * @param seed seeds weight initialisation and shuffling: the same seed and data give the same model
 */
public record ModelSpec(
    Type type,
    List<Integer> hiddenLayers,
    int epochs,
    int batchSize,
    double learningRate,
    int earlyStoppingPatience,
    DeviceChoice device,
    long seed) {

  /** The network family. */
  public enum Type {
    @JsonProperty("mlp")
    MLP,
    @JsonProperty("linear")
    LINEAR;

    /** Parses {@code mlp} or {@code linear}, ignoring case. */
    public static Type of(String name) {
      return parse(Type.class, name);
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Where training runs. */
  public enum DeviceChoice {
    @JsonProperty("auto")
    AUTO,
    @JsonProperty("cpu")
    CPU,
    @JsonProperty("gpu")
    GPU;

    /** Parses {@code auto}, {@code cpu} or {@code gpu}, ignoring case. */
    public static DeviceChoice of(String name) {
      return parse(DeviceChoice.class, name);
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public ModelSpec {
    if (type == null) {
      throw new IllegalArgumentException("model type is required: mlp or linear");
    }
    hiddenLayers = hiddenLayers == null ? List.of() : List.copyOf(hiddenLayers);
    if (type == Type.LINEAR && !hiddenLayers.isEmpty()) {
      throw new IllegalArgumentException(
          "a linear model has no hidden layers, got " + hiddenLayers + "; use type mlp");
    }
    for (int units : hiddenLayers) {
      if (units <= 0) {
        throw new IllegalArgumentException("hidden layer sizes must be positive: " + hiddenLayers);
      }
    }
    if (epochs <= 0) {
      throw new IllegalArgumentException("epochs must be positive, got " + epochs);
    }
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
    }
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("learningRate must be positive, got " + learningRate);
    }
    if (earlyStoppingPatience < 0) {
      throw new IllegalArgumentException(
          "earlyStoppingPatience must be 0 (off) or positive, got " + earlyStoppingPatience);
    }
    if (device == null) {
      device = DeviceChoice.AUTO;
    }
  }

  /**
   * A model of {@code type} with these hidden layers (none for linear) and the defaults of {@link
   * #linear()} for the rest; change them with the {@code with…} methods.
   *
   * @throws IllegalArgumentException when a linear model is given hidden layers
   */
  public static ModelSpec of(Type type, List<Integer> hiddenLayers) {
    return new ModelSpec(type, hiddenLayers, 10, 256, 1e-3, 3, DeviceChoice.AUTO, 42L);
  }

  /** An MLP with these hidden layers and defaults for the rest (see {@link #linear()}). */
  public static ModelSpec mlp(List<Integer> hiddenLayers) {
    return of(Type.MLP, hiddenLayers);
  }

  /** A linear model: 10 epochs, batches of 256, learning rate 1e-3, patience 3, auto, seed 42. */
  public static ModelSpec linear() {
    return of(Type.LINEAR, List.of());
  }

  public ModelSpec withEpochs(int epochs) {
    return new ModelSpec(
        type, hiddenLayers, epochs, batchSize, learningRate, earlyStoppingPatience, device, seed);
  }

  public ModelSpec withBatchSize(int batchSize) {
    return new ModelSpec(
        type, hiddenLayers, epochs, batchSize, learningRate, earlyStoppingPatience, device, seed);
  }

  public ModelSpec withLearningRate(double learningRate) {
    return new ModelSpec(
        type, hiddenLayers, epochs, batchSize, learningRate, earlyStoppingPatience, device, seed);
  }

  public ModelSpec withEarlyStoppingPatience(int patience) {
    return new ModelSpec(
        type, hiddenLayers, epochs, batchSize, learningRate, patience, device, seed);
  }

  public ModelSpec withDevice(DeviceChoice device) {
    return new ModelSpec(
        type, hiddenLayers, epochs, batchSize, learningRate, earlyStoppingPatience, device, seed);
  }

  public ModelSpec withSeed(long seed) {
    return new ModelSpec(
        type, hiddenLayers, epochs, batchSize, learningRate, earlyStoppingPatience, device, seed);
  }

  /**
   * Whether a checkpoint written under {@code other} can be continued under this spec: everything
   * that shapes the weights or the data order must match; epochs, patience and device may differ.
   */
  boolean canResume(ModelSpec other) {
    return type == other.type
        && hiddenLayers.equals(other.hiddenLayers)
        && batchSize == other.batchSize
        && learningRate == other.learningRate
        && seed == other.seed;
  }

  static <E extends Enum<E>> E parse(Class<E> type, String name) {
    for (E value : type.getEnumConstants()) {
      if (value.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
        return value;
      }
    }
    StringBuilder allowed = new StringBuilder();
    for (E value : type.getEnumConstants()) {
      allowed.append(allowed.length() == 0 ? "" : ", ").append(value);
    }
    throw new IllegalArgumentException(
        "unknown " + type.getSimpleName() + " '" + name + "'; expected one of: " + allowed);
  }
}
