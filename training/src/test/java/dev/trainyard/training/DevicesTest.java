package dev.trainyard.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import dev.trainyard.training.ModelSpec.DeviceChoice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DevicesTest {
  /** A probe that answers measured rows/s and remembers what it was asked. */
  private static final class Measured {
    final List<Device> asked = new ArrayList<>();
    final Map<Device, Double> rowsPerSecond;

    Measured(double cpu, double gpu) {
      rowsPerSecond = Map.of(Device.cpu(), cpu, Device.gpu(), gpu);
    }

    double probe(Device device) {
      asked.add(device);
      return rowsPerSecond.get(device);
    }
  }

  @Test
  void autoTakesTheFasterDevice() {
    Measured gpuFaster = new Measured(300_000, 1_200_000);
    Devices.Decision d = Devices.decide(DeviceChoice.AUTO, 1, gpuFaster::probe);
    assertEquals(Device.gpu(), d.device());
    assertEquals(List.of(Device.cpu(), Device.gpu()), gpuFaster.asked);
    assertEquals("auto: gpu(0) (gpu(0) 1200000 rows/s, cpu() 300000 rows/s)", d.describe());
    assertEquals(Map.of("cpu()", 300_000.0, "gpu(0)", 1_200_000.0), d.rowsPerSecond());

    // The H200 figures for the demo model: the GPU 3-4x slower at batch 256.
    Measured cpuFaster = new Measured(456_000, 129_000);
    assertEquals(Device.cpu(), Devices.decide(DeviceChoice.AUTO, 1, cpuFaster::probe).device());
  }

  @Test
  void tiesAndNearTiesGoToTheCpu() {
    assertEquals(
        Device.cpu(),
        Devices.decide(DeviceChoice.AUTO, 1, new Measured(500_000, 500_000)::probe).device());
    assertEquals(
        Device.cpu(),
        Devices.decide(DeviceChoice.AUTO, 1, new Measured(500_000, 520_000)::probe).device());
    assertEquals(
        Device.gpu(),
        Devices.decide(DeviceChoice.AUTO, 1, new Measured(500_000, 530_000)::probe).device());
  }

  @Test
  void autoWithoutAGpuIsTheCpuWithNothingProbed() {
    Measured never = new Measured(1, 1_000_000);
    Devices.Decision d = Devices.decide(DeviceChoice.AUTO, 0, never::probe);
    assertEquals(Device.cpu(), d.device());
    assertEquals(List.of(), never.asked);
    assertEquals(Map.of(), d.rowsPerSecond());
  }

  @Test
  void cpuAndGpuAreObeyedWithoutProbing() {
    Measured never = new Measured(1_000_000, 1);
    assertEquals(Device.gpu(), Devices.decide(DeviceChoice.GPU, 1, never::probe).device());
    assertEquals(Device.cpu(), Devices.decide(DeviceChoice.CPU, 1, never::probe).device());
    assertEquals(List.of(), never.asked);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> Devices.decide(DeviceChoice.GPU, 0, never::probe));
    assertEquals("device: gpu but no GPU visible to PyTorch; use auto or cpu", e.getMessage());
  }

  @Test
  void onAGpuTheGpuBatchSizeAndScaledLearningRateApply() {
    ModelSpec spec = ModelSpec.mlp(List.of(64, 32)).withBatchSize(256).withLearningRate(1e-3);
    DeviceOptions defaults = DeviceOptions.defaults();
    assertEquals(spec, defaults.forDevice(spec, false), "the CPU trains the spec as written");
    ModelSpec gpu = defaults.forDevice(spec, true);
    assertEquals(4096, gpu.batchSize());
    assertEquals(4e-3, gpu.learningRate(), 1e-12); // sqrt(4096/256) = 4
    ModelSpec linear =
        defaults
            .withGpuBatchSize(1024)
            .withLearningRateScaling(DeviceOptions.LearningRateScaling.LINEAR)
            .forDevice(spec, true);
    assertEquals(1024, linear.batchSize());
    assertEquals(4e-3, linear.learningRate(), 1e-12);
    ModelSpec none =
        defaults
            .withLearningRateScaling(DeviceOptions.LearningRateScaling.of("none"))
            .forDevice(spec, true);
    assertEquals(1e-3, none.learningRate());
    assertEquals(8192, defaults.forDevice(spec.withBatchSize(8192), true).batchSize());
    assertThrows(IllegalArgumentException.class, () -> defaults.withGpuBatchSize(0));
  }
}
