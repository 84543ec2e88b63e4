package dev.trainyard.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * How training uses the device it runs on; none of it changes what a CPU run computes.
 *
 * @param gpuBatchSize rows per mini-batch when training runs on a GPU (null: {@link
 *     #DEFAULT_GPU_BATCH_SIZE}, or the spec's batch size when that is larger): small batches leave
 *     a GPU idle between steps
 * @param learningRateScaling how the learning rate follows the GPU batch size (null: {@code sqrt})
 * @param residentShare the share of the device's memory (of the heap, on the CPU) a training split
 *     may take to be held on the device for the whole run; 0 always streams; null: {@link
 *     #DEFAULT_RESIDENT_SHARE} on a GPU and 0 on the CPU, where gathering batches from a resident
 *     array measured slower than streaming pages (bench: GpuTrainingBench, 109k vs 161k rows/s)
 *     from Parquet
 * @param probeSteps steps timed per device when {@code auto} chooses between CPU and GPU
 */
public record DeviceOptions(
    Integer gpuBatchSize,
    LearningRateScaling learningRateScaling,
    Double residentShare,
    int probeSteps) {
  /** The GPU batch size when the spec sets none: big enough to keep an H100/H200-class GPU busy. */
  public static final int DEFAULT_GPU_BATCH_SIZE = 4096;

  public static final double DEFAULT_RESIDENT_SHARE = 0.25;
  public static final int DEFAULT_PROBE_STEPS = 20;

  /** How the learning rate follows a batch size other than the spec's. */
  public enum LearningRateScaling {
    /** lr × (gpu batch / batch): the rule for SGD. */
    @JsonProperty("linear")
    LINEAR,
    /** lr × √(gpu batch / batch): the usual rule for Adam, the trainer's optimizer. */
    @JsonProperty("sqrt")
    SQRT,
    /** The spec's learning rate unchanged. */
    @JsonProperty("none")
    NONE;

    /** Parses {@code linear}, {@code sqrt} or {@code none}, ignoring case. */
    public static LearningRateScaling of(String name) {
      return ModelSpec.parse(LearningRateScaling.class, name);
    }

    double scale(double learningRate, int batchSize, int newBatchSize) {
      double ratio = (double) newBatchSize / batchSize;
      return switch (this) {
        case LINEAR -> learningRate * ratio;
        case SQRT -> learningRate * Math.sqrt(ratio);
        case NONE -> learningRate;
      };
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public DeviceOptions {
    if (gpuBatchSize != null && gpuBatchSize <= 0) {
      throw new IllegalArgumentException("gpuBatchSize must be positive, got " + gpuBatchSize);
    }
    if (learningRateScaling == null) {
      learningRateScaling = LearningRateScaling.SQRT;
    }
    if (residentShare != null && !(residentShare >= 0 && residentShare <= 1)) {
      throw new IllegalArgumentException(
          "residentShare must be between 0 (always stream) and 1, got " + residentShare);
    }
    if (probeSteps <= 0) {
      throw new IllegalArgumentException("probeSteps must be positive, got " + probeSteps);
    }
  }

  /**
   * GPU batches of 4096 with √ learning-rate scaling, splits up to a quarter of a GPU's memory
   * resident, streamed on the CPU.
   */
  public static DeviceOptions defaults() {
    return new DeviceOptions(null, null, null, DEFAULT_PROBE_STEPS);
  }

  /** The resident share that applies on a GPU or on the CPU. */
  public double residentShareOn(boolean gpu) {
    return residentShare != null ? residentShare : gpu ? DEFAULT_RESIDENT_SHARE : 0;
  }

  public DeviceOptions withGpuBatchSize(Integer gpuBatchSize) {
    return new DeviceOptions(gpuBatchSize, learningRateScaling, residentShare, probeSteps);
  }

  public DeviceOptions withLearningRateScaling(LearningRateScaling scaling) {
    return new DeviceOptions(gpuBatchSize, scaling, residentShare, probeSteps);
  }

  public DeviceOptions withResidentShare(Double residentShare) {
    return new DeviceOptions(gpuBatchSize, learningRateScaling, residentShare, probeSteps);
  }

  public DeviceOptions withProbeSteps(int probeSteps) {
    return new DeviceOptions(gpuBatchSize, learningRateScaling, residentShare, probeSteps);
  }

  /**
   * The spec training runs with on {@code device}: on a GPU, the GPU batch size and the learning
   * rate scaled to it; on the CPU, {@code spec} itself.
   */
  public ModelSpec forDevice(ModelSpec spec, boolean gpu) {
    if (!gpu) {
      return spec;
    }
    int batch =
        gpuBatchSize != null ? gpuBatchSize : Math.max(DEFAULT_GPU_BATCH_SIZE, spec.batchSize());
    if (batch == spec.batchSize()) {
      return spec;
    }
    return spec.withBatchSize(batch)
        .withLearningRate(learningRateScaling.scale(spec.learningRate(), spec.batchSize(), batch));
  }
}
