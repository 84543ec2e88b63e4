package dev.trainyard.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

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

  /**
   * How much faster than the CPU a GPU must measure for {@code auto} to pick it: closer than this
   * is a tie (noise of a few timed steps), and ties go to the CPU, which is always there.
   */
  static final double GPU_MARGIN = 1.05;

  /**
   * Where training runs, and why.
   *
   * @param device the device chosen
   * @param choice the spec's device choice that led there
   * @param rowsPerSecond training rows/s measured per device by {@code auto}'s probe (empty when
   *     nothing was measured: {@code cpu}, {@code gpu}, or {@code auto} without a GPU)
   */
  public record Decision(
      Device device, ModelSpec.DeviceChoice choice, Map<String, Double> rowsPerSecond) {
    public Decision {
      rowsPerSecond = Map.copyOf(rowsPerSecond);
    }

    /** e.g. {@code auto: gpu(0) (gpu(0) 812000 rows/s, cpu() 301000 rows/s)}. */
    public String describe() {
      StringBuilder s = new StringBuilder(choice + ": " + device);
      if (!rowsPerSecond.isEmpty()) {
        s.append(" (");
        String sep = "";
        for (String d : new java.util.TreeMap<>(rowsPerSecond).descendingKeySet()) {
          s.append(sep)
              .append(d)
              .append(' ')
              .append(String.format(Locale.ROOT, "%.0f", rowsPerSecond.get(d)))
              .append(" rows/s");
          sep = ", ";
        }
        s.append(')');
      } else if (choice == ModelSpec.DeviceChoice.AUTO) {
        s.append(" (no GPU visible: not probed)");
      }
      return s.toString();
    }
  }

  /** {@link #decide(ModelSpec.DeviceChoice, int, ToDoubleFunction)} with this machine's GPUs. */
  static Decision decide(ModelSpec.DeviceChoice choice, ToDoubleFunction<Device> probe) {
    return decide(choice, Engine.getEngine(ENGINE).getGpuCount(), probe);
  }

  /**
   * The device for {@code choice} on a machine with {@code gpus} GPUs. {@code auto} with a GPU asks
   * {@code probe} for the training rows/s of the actual model on the CPU and on the GPU and takes
   * the GPU only when it is more than {@link #GPU_MARGIN} times faster; without a GPU it is the
   * CPU, nothing probed.
   *
   * @throws IllegalStateException for {@code gpu} when there is no GPU
   */
  static Decision decide(ModelSpec.DeviceChoice choice, int gpus, ToDoubleFunction<Device> probe) {
    return switch (choice) {
      case CPU -> new Decision(Device.cpu(), choice, Map.of());
      case GPU -> {
        if (gpus == 0) {
          throw new IllegalStateException(
              "device: gpu but no GPU visible to PyTorch; use auto or cpu");
        }
        yield new Decision(Device.gpu(), choice, Map.of());
      }
      case AUTO -> {
        if (gpus == 0) {
          yield new Decision(Device.cpu(), choice, Map.of());
        }
        Map<String, Double> measured = new LinkedHashMap<>();
        double cpu = probe.applyAsDouble(Device.cpu());
        measured.put(Device.cpu().toString(), cpu);
        double gpu = probe.applyAsDouble(Device.gpu());
        measured.put(Device.gpu().toString(), gpu);
        yield new Decision(gpu > cpu * GPU_MARGIN ? Device.gpu() : Device.cpu(), choice, measured);
      }
    };
  }
}
