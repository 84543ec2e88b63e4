package dev.trainyard.image;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Run inside the image's root filesystem by {@link WorkerImageIT}: loads the PyTorch engine from
 * the natives on the image's classpath (libtorch needs the image's libc, libstdc++, libgcc_s) and
 * computes one sum on it.
 */
public final class PytorchProbe {
  private PytorchProbe() {}

  public static void main(String[] args) {
    Engine engine = Engine.getEngine("PyTorch");
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray sum = manager.create(new float[] {1f, 2f, 3.5f}).sum();
      System.out.println(
          "engine "
              + engine.getEngineName()
              + " "
              + engine.getVersion()
              + " sum "
              + sum.getFloat());
    }
  }
}
