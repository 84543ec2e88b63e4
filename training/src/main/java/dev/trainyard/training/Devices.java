package dev.trainyard.training;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** Which device DJL's PyTorch engine trains on here: a GPU when the engine sees one, else CPU. */
public final class Devices {
  static final String ENGINE = "PyTorch";

  private Devices() {}

  /** The device {@code auto} resolves to on this machine. */
  public static Device preferred() {
    return Engine.getEngine(ENGINE).defaultDevice();
  }

  /**
   * The device a {@link ModelSpec.DeviceChoice} means here: {@code auto} is the first GPU when
   * PyTorch sees one, else the CPU.
   *
   * @throws IllegalStateException for {@code gpu} when PyTorch sees no GPU
   */
  public static Device resolve(ModelSpec.DeviceChoice choice) {
    int gpus = Engine.getEngine(ENGINE).getGpuCount();
    return switch (choice) {
      case CPU -> Device.cpu();
      case GPU -> {
        if (gpus == 0) {
          throw new IllegalStateException(
              "device: gpu but no GPU visible to PyTorch; use auto or cpu");
        }
        yield Device.gpu();
      }
      case AUTO -> gpus > 0 ? Device.gpu() : Device.cpu();
    };
  }

  /**
   * A one-line description for logs and worker reports, e.g. {@code gpu(0) of 1 [PyTorch 2.7.1]}.
   */
  public static String describe() {
    Engine engine = Engine.getEngine(ENGINE);
    int gpus = engine.getGpuCount();
    String device = gpus > 0 ? engine.defaultDevice() + " of " + gpus + " GPU(s)" : "cpu";
    return device + " [" + engine.getEngineName() + " " + engine.getVersion() + "]";
  }
}
