package dev.trainyard.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.loss.Loss;

/**
 * The networks a {@link ModelSpec} describes, their losses, and how raw outputs become predictions.
 * Binary classification uses one logit with sigmoid binary cross-entropy (cheaper and better
 * conditioned than a 2-way softmax); predictions are still reported as [p0, p1].
 */
final class TabularNetwork {
  private TabularNetwork() {}

  /**
   * {@code mlp}: (Linear → ReLU) per hidden layer, then a Linear output; {@code linear}: one
   * Linear.
   */
  static Block block(ModelSpec spec, TrainingTask task) {
    SequentialBlock block = new SequentialBlock();
    for (int units : spec.hiddenLayers()) {
      block.add(Linear.builder().setUnits(units).build()).add(Activation.reluBlock());
    }
    block.add(Linear.builder().setUnits(outputUnits(task)).build());
    return block;
  }

  static int outputUnits(TrainingTask task) {
    return task.task() == TrainingTask.Kind.MULTICLASS ? task.numClasses() : 1;
  }

  /** Sigmoid BCE on the logit (binary), softmax cross-entropy (multiclass), ½·squared error. */
  static Loss loss(TrainingTask task) {
    return switch (task.task()) {
      case BINARY -> Loss.sigmoidBinaryCrossEntropyLoss();
      case MULTICLASS -> Loss.softmaxCrossEntropyLoss();
      case REGRESSION -> Loss.l2Loss();
    };
  }

  static NDArray features(NDManager manager, FeatureBatch batch) {
    return manager.create(batch.features(), new Shape(batch.rows(), batch.numFeatures()));
  }

  static NDArray labels(NDManager manager, FeatureBatch batch, TrainingTask task) {
    float[] labels = new float[batch.rows()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = (float) batch.labels()[i];
    }
    NDArray array = manager.create(labels, new Shape(batch.rows(), 1));
    return task.task() == TrainingTask.Kind.MULTICLASS
        ? array.toType(DataType.INT64, false)
        : array;
  }

  /**
   * Raw outputs (n, units) → predictions (n, outputWidth): [p0, p1], class probabilities, value.
   */
  static NDArray predictions(NDArray raw, TrainingTask task) {
    return switch (task.task()) {
      case BINARY -> {
        NDArray positive = raw.getNDArrayInternal().sigmoid();
        yield NDArrays.concat(new ai.djl.ndarray.NDList(positive.neg().add(1f), positive), 1);
      }
      case MULTICLASS -> raw.softmax(1);
      case REGRESSION -> raw;
    };
  }
}
