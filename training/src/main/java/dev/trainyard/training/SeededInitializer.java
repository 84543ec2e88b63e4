package dev.trainyard.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import java.util.SplittableRandom;

/**
 * He-normal weights (std = sqrt(2 / fan-in), suited to ReLU) drawn from a Java generator seeded by
 * the model spec: the same seed gives the same initial weights on any device and whatever else the
 * process has drawn from PyTorch's global generator. Blocks initialise their parameters in a fixed
 * order, so one instance per model is deterministic.
 */
final class SeededInitializer implements Initializer {
  private final SplittableRandom random;

  SeededInitializer(long seed) {
    this.random = new SplittableRandom(seed);
  }

  @Override
  public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
    long fanIn = shape.dimension() > 1 ? shape.size() / shape.get(0) : shape.get(0);
    double std = Math.sqrt(2.0 / Math.max(1, fanIn));
    float[] values = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (random.nextGaussian() * std);
    }
    return manager.create(values, shape).toType(dataType, false);
  }
}
