package dev.trainyard.app.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trainyard.app.cli.Cli;
import dev.trainyard.app.pipeline.PipelineStack;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.testing.TemporalExtension;
import dev.trainyard.testing.TemporalServer;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.PipelineResult;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A split fleet on the real Temporal dev server, MLflow and S3: one `trainyard worker --queues
 * control,spark` and one `trainyard worker --queues train`, each its own JVM. A training pipeline
 * completes across both, and its lineage shows each step ran on the worker that owns its queue.
 */
@ExtendWith({TemporalExtension.class, MlflowExtension.class})
class WorkerFleetIT {

  @Test
  void aPipelineRunsAcrossTwoWorkersAndLineageNamesTheWorkerOfEachStep(
      TemporalServer temporal, MlflowServer mlflow) throws Exception {
    StackConfig config = PipelineStack.config(temporal, mlflow);
    Map<String, String> env = Fleet.env(temporal, mlflow, config);
    Map<String, String> sparkEnv = new LinkedHashMap<>(env);
    sparkEnv.put("TRAINYARD_WORKER_CONCURRENCY_SPARK", "3");
    Path cpuLog = config.stateDir().resolve("cpu-worker.log");
    Path gpuLog = config.stateDir().resolve("train-worker.log");
    Process cpu =
        Cli.command(sparkEnv, "worker", "--queues", "control,spark")
            .redirectErrorStream(true)
            .redirectOutput(cpuLog.toFile())
            .start();
    Process train = null;
    WorkflowServiceStubs service = Fleet.service(temporal);
    try {
      // One JVM start at a time: on a loaded 2-core machine two at once can outlast the CLI's
      // 10 s Temporal connect timeout.
      Fleet.awaitLog(cpuLog, "polling trainyard-control, trainyard-spark on", cpu);
      train =
          Cli.command(env, "worker", "--queues", "train")
              .redirectErrorStream(true)
              .redirectOutput(gpuLog.toFile())
              .start();
      assertThat(Fleet.awaitLog(cpuLog, "Temporal UI:", cpu))
          .contains("concurrent activities: control 20, spark 3")
          .doesNotContain("training device");
      Fleet.awaitLog(gpuLog, "polling trainyard-train on", train);
      assertThat(Fleet.awaitLog(gpuLog, "Temporal UI:", train))
          .contains("concurrent activities: train 1")
          // No GPU on the test machines: DJL's PyTorch engine reports the CPU.
          .containsPattern("training device: (cpu|gpu\\(\\d+\\) of \\d+ GPU\\(s\\)) \\[PyTorch ");

      String model = "fleet-" + UUID.randomUUID();
      PipelineResult r =
          Fleet.train(Fleet.client(service, temporal), Fleet.churnSpec(config, model));

      assertEquals("promoted", r.outcome(), r.gateReasons().toString());
      Map<String, JsonNode> lineage = Fleet.lineage(mlflow, r.mlflowRunId(), config.stateDir());
      Map<String, String> expected =
          Map.of(
              "validate", TaskQueues.SPARK,
              "features", TaskQueues.SPARK,
              "train", TaskQueues.TRAIN,
              "evaluate", TaskQueues.TRAIN,
              "register", TaskQueues.CONTROL);
      for (var e : expected.entrySet()) {
        JsonNode worker = lineage.get(e.getKey()).path("worker");
        long pid = e.getValue().equals(TaskQueues.TRAIN) ? train.pid() : cpu.pid();
        assertThat(worker.path("identity").asText())
            .as("worker of step %s", e.getKey())
            .startsWith(pid + "@");
        assertEquals(e.getValue(), worker.path("taskQueue").asText(), e.getKey());
      }
      // `trainyard lineage` shows it too.
      Cli.Result shown = Cli.run(env, "lineage", model + "/1");
      assertEquals(0, shown.exitCode(), shown.stderr());
      assertThat(shown.stdout())
          .contains("  worker: " + train.pid() + "@")
          .contains(" (trainyard-train)")
          .contains("  worker: " + cpu.pid() + "@")
          .contains(" (trainyard-spark)")
          .contains(" (trainyard-control)");
      System.out.println(shown.stdout());
    } finally {
      cpu.destroy();
      if (train != null) {
        train.destroy();
        if (!train.waitFor(40, TimeUnit.SECONDS)) {
          train.destroyForcibly();
        }
      }
      if (!cpu.waitFor(40, TimeUnit.SECONDS)) {
        cpu.destroyForcibly();
      }
      service.shutdownNow();
      System.out.println("control,spark worker log:\n" + Files.readString(cpuLog));
      if (Files.exists(gpuLog)) {
        System.out.println("train worker log:\n" + Files.readString(gpuLog));
      }
    }
  }
}
