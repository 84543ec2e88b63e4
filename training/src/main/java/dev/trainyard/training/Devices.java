package dev.trainyard.training;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** Which device DJL's PyTorch engine trains on here: a GPU when the engine sees one, else CPU. */
public final class Devices {
  private Devices() {}

  /** The device {@code auto} resolves to on this machine. */
  public static Device preferred() {
    return Engine.getEngine("PyTorch").defaultDevice();
  }

  /**
   * A one-line description for logs and worker reports, e.g. {@code gpu(0) of 1 [PyTorch 2.7.1]}.
   */
  public static String describe() {
    Engine engine = Engine.getEngine("PyTorch");
    int gpus = engine.getGpuCount();
    String device = gpus > 0 ? engine.defaultDevice() + " of " + gpus + " GPU(s)" : "cpu";
    return device + " [" + engine.getEngineName() + " " + engine.getVersion() + "]";
  }
}
