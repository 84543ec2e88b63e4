package dev.trainyard.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.cuda.CudaUtils;
import dev.trainyard.bench.Args;
import dev.trainyard.bench.JsonFiles;
import dev.trainyard.bench.Machine;
import dev.trainyard.bench.Stats;
import dev.trainyard.bench.SyntheticFeatures;
import java.io.IOException;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 4: {@link Trainer} on a GPU vs the CPU (one PyTorch thread, and all cores), for the
 * demo's model (32 features, MLP 64-32, batch 256; the GPU trains with its own batch size) and a
 * large one (256 features, MLP 1024-1024, batch 4096). Reports, per model and device: the trainer's
 * rows/s over one epoch (its own train-pass time: data, forward, backward, optimizer; not
 * validation or checkpoints), the step time of the actual model measured by {@code auto}'s probe,
 * and on a GPU the device memory in use; plus the step time of the same models in PyTorch from
 * Python when {@code python3 -c 'import torch'} works, and, on the CPU, the device-resident data
 * path vs streaming from Parquet (today's path) on the demo model.
 *
 * <p>Without a GPU it says {@code no GPU: GPU figures skipped} and reports the CPU figures.
 */
public final class GpuTrainingBench {
  private GpuTrainingBench() {}

  private record Model(String name, int features, List<Integer> layers, int batch, int rows) {}

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv);
    int rounds = args.getInt("rounds", 3);
    int steps = args.getInt("steps", 20);
    Path dataRoot = Path.of(args.get("data", ".trainyard/bench/data"));
    Path work = Path.of(args.get("work", "bench/target/gpu-work"));
    Path out = Path.of(args.get("out", "bench/target/parts/gpu.json"));
    Path reference = Path.of(args.get("reference", "bench/gpu/torch_reference.py"));
    List<Model> models =
        List.of(
            new Model("demo", 32, List.of(64, 32), 256, args.getInt("rows", 200_000)),
            new Model("large", 256, List.of(1024, 1024), 4096, args.getInt("large-rows", 65_536)));

    int gpus = Engine.getEngine(Devices.ENGINE).getGpuCount();
    int cores = Runtime.getRuntime().availableProcessors();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("benchmark", "gpu_training");
    result.put("engine", Devices.describe());
    result.put("cpu_cores", cores);
    result.put("gpu", gpus > 0 ? Device.gpu().toString() : null);
    if (gpus == 0) {
      System.out.println("no GPU: GPU figures skipped");
      result.put("note", "no GPU: GPU figures skipped");
    }
    List<Double> loadBefore = Machine.loadAverage();

    List<String> only = List.of(args.get("models", "demo,large").split(","));
    List<String> skipRuns = List.of(args.get("skip", "").split(","));
    for (Model m : models) {
      if (!only.contains(m.name())) {
        continue;
      }
      TrainingTask task = TrainingTask.binary(m.features());
      Path dir = dataRoot.resolve("features-" + m.rows() + "x" + m.features() + "-8files");
      Path train = dir.resolve("train");
      Path validation = dir.resolve("validation");
      if (!Files.exists(train.resolve("_SUCCESS"))
          || !Files.exists(validation.resolve("_SUCCESS"))) {
        Checkpoints.deleteTree(dir);
        SyntheticFeatures.write(train, m.rows(), m.features(), 8, 1);
        SyntheticFeatures.write(validation, Math.max(1000, m.rows() / 20), m.features(), 1, 2);
      }
      ModelSpec spec =
          ModelSpec.mlp(m.layers())
              .withEpochs(1)
              .withBatchSize(m.batch())
              .withLearningRate(1e-3)
              .withEarlyStoppingPatience(0)
              .withSeed(42);
      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put(
          "model",
          m.features()
              + " features, MLP "
              + m.layers()
              + ", batch "
              + m.batch()
              + ", "
              + m.rows()
              + " rows");
      List<String[]> runs = new ArrayList<>(); // {label, device, threads, resident share}
      runs.add(new String[] {"cpu_1_thread", "cpu", "1", "0.25"});
      if (m.name().equals("demo")) {
        runs.add(new String[] {"cpu_1_thread_streamed", "cpu", "1", "0"});
      }
      runs.add(new String[] {"cpu_all_cores", "cpu", Integer.toString(cores), "0.25"});
      if (gpus > 0) {
        runs.add(new String[] {"gpu", "gpu", Integer.toString(cores), "0.25"});
      }
      runs.removeIf(run -> skipRuns.contains(run[0]));
      // Rounds outermost, runs interleaved within a round: a change of machine load hits every
      // run alike. Round 0 warms up and is not reported.
      Map<String, List<Double>> rowsPerSecond = new LinkedHashMap<>();
      for (int round = 0; round <= rounds; round++) {
        for (String[] run : runs) {
          JniUtils.setNumThreads(Integer.parseInt(run[2]));
          Path checkpoints = work.resolve(m.name() + "-" + run[0] + "-" + round);
          Checkpoints.deleteTree(checkpoints);
          List<EpochMetrics> epochs = new ArrayList<>();
          new Trainer(onDevice(spec, run), task)
              .withDeviceOptions(options(run))
              .train(train, validation, checkpoints, epochs::add);
          Checkpoints.deleteTree(checkpoints);
          EpochMetrics e = epochs.get(0);
          List<Double> runFigures = rowsPerSecond.computeIfAbsent(run[0], k -> new ArrayList<>());
          if (round > 0) {
            runFigures.add(e.trainRows() / e.trainSeconds());
          }
        }
      }
      for (String[] run : runs) {
        JniUtils.setNumThreads(Integer.parseInt(run[2]));
        Device device = run[1].equals("gpu") ? Device.gpu() : Device.cpu();
        DeviceOptions options = options(run);
        double probe =
            new Trainer(onDevice(spec, run), task).withDeviceOptions(options).probe(device, steps);
        int batch = options.forDevice(spec, device.isGpu()).batchSize();
        List<Double> measured = rowsPerSecond.get(run[0]);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("threads", Integer.parseInt(run[2]));
        f.put("batch", batch);
        f.put("trainer_rows_per_s_median", Math.round(Stats.median(measured)));
        f.put("trainer_rows_per_s_all", measured.stream().map(Math::round).toList());
        f.put("step_ms", round2(1000.0 * batch / probe));
        if (device.isGpu()) {
          MemoryUsage memory = CudaUtils.getGpuMemory(device);
          f.put("gpu_memory_used_mib", memory.getUsed() >> 20);
          f.put("gpu_memory_total_mib", memory.getMax() >> 20);
        }
        figures.put(run[0], f);
        System.out.printf(
            "%-6s %-22s batch %5d: trainer %,10d rows/s (median of %d), step %8.2f ms%n",
            m.name(),
            run[0],
            batch,
            Math.round(Stats.median(measured)),
            measured.size(),
            1000.0 * batch / probe);
      }
      figures.put("gpu_vs_cpu_1_thread", ratio(figures, "gpu", "cpu_1_thread"));
      figures.put("gpu_vs_cpu_all_cores", ratio(figures, "gpu", "cpu_all_cores"));
      if (m.name().equals("demo")) {
        figures.put(
            "resident_vs_streamed_cpu", ratio(figures, "cpu_1_thread", "cpu_1_thread_streamed"));
      }
      result.put(m.name(), figures);
    }
    result.put("pytorch_reference", pytorchReference(reference, steps));
    result.put("load_average_before", loadBefore);
    result.put("load_average_after", Machine.loadAverage());
    JsonFiles.write(out, result);
    System.out.println(JsonFiles.toJson(result));
  }

  private static DeviceOptions options(String[] run) {
    return DeviceOptions.defaults().withResidentShare(Double.parseDouble(run[3]));
  }

  private static ModelSpec onDevice(ModelSpec spec, String[] run) {
    return spec.withDevice(
        run[1].equals("gpu") ? ModelSpec.DeviceChoice.GPU : ModelSpec.DeviceChoice.CPU);
  }

  private static Object ratio(Map<String, Object> figures, String a, String b) {
    if (!(figures.get(a) instanceof Map<?, ?> x) || !(figures.get(b) instanceof Map<?, ?> y)) {
      return null;
    }
    double top = ((Number) x.get("trainer_rows_per_s_median")).doubleValue();
    double bottom = ((Number) y.get("trainer_rows_per_s_median")).doubleValue();
    return round2(top / bottom);
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  /** The reference script's JSON, or why there is none. */
  private static Object pytorchReference(Path script, int steps)
      throws IOException, InterruptedException {
    Process check = new ProcessBuilder("python3", "-c", "import torch").start();
    if (!check.waitFor(120, TimeUnit.SECONDS) || check.exitValue() != 0) {
      System.out.println("no PyTorch for python3: PyTorch reference skipped");
      return "no PyTorch for python3: skipped";
    }
    Process p =
        new ProcessBuilder("python3", script.toString(), "--steps", Integer.toString(steps))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String json = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
      return "reference failed: see the log";
    }
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
  }
}
