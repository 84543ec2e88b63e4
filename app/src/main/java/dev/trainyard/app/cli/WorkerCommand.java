package dev.trainyard.app.cli;

import dev.trainyard.app.config.TrainyardConfig;
import dev.trainyard.app.config.TrainyardConfig.MetricsEndpoint;
import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.app.worker.WorkerHealth;
import dev.trainyard.stack.StackException;
import dev.trainyard.training.Devices;
import dev.trainyard.workflows.TaskQueues;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = {
      "Run a Temporal worker for Trainyard's task queues until stopped (Ctrl-C or SIGTERM).",
      "On stop it polls no more and lets running activities finish (see --shutdown-grace).",
      "Per-queue limits on concurrent activities come from worker.concurrency.{control,spark,train}"
          + " in the config file or TRAINYARD_WORKER_CONCURRENCY_{CONTROL,SPARK,TRAIN}"
          + " (defaults: control 20, spark 2, train 1).",
      "Prometheus metrics (GET /metrics) are served when worker.metrics.port or"
          + " TRAINYARD_METRICS_PORT is set (or --metrics-port), on 127.0.0.1 unless"
          + " worker.metrics.host / TRAINYARD_METRICS_HOST says otherwise."
    })
public final class WorkerCommand implements Callable<Integer> {
  @Mixin Context ctx;

  @Option(
      names = "--queues",
      split = ",",
      paramLabel = "QUEUE",
      defaultValue = "control,spark,train",
      description = "Queues to poll: control, spark, train (default: all).")
  List<String> queues;

  @Option(
      names = "--shutdown-grace",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description =
          "How long running activities may take to finish on stop (default: ${DEFAULT-VALUE}s).")
  long graceSeconds;

  @Option(
      names = "--health-file",
      paramLabel = "FILE",
      defaultValue = "${env:TRAINYARD_HEALTH_FILE}",
      description =
          "Touch FILE every 10 s while polling, for a container health check"
              + " (java -cp ... dev.trainyard.app.worker.WorkerHealth FILE 60); default:"
              + " TRAINYARD_HEALTH_FILE, unset: none.")
  Path healthFile;

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      description =
          "Serve Prometheus metrics on PORT (0: any free port), overriding"
              + " TRAINYARD_METRICS_PORT / worker.metrics.port; default: off.")
  Integer metricsPort;

  @Override
  public Integer call() throws InterruptedException {
    List<String> taskQueues = taskQueues(queues);
    TrainyardConfig config = ctx.config();
    if (metricsPort != null) {
      if (metricsPort < 0 || metricsPort > 65535) {
        throw new StackException(
            "--metrics-port " + metricsPort + " is not a port.",
            "Give a port from 1 to 65535, or 0 for any free one.");
      }
      config = config.withMetrics(new MetricsEndpoint(config.metrics().host(), metricsPort));
    }
    TrainyardWorker worker = new TrainyardWorker(config, taskQueues);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.err.println(
                      "worker stopping: no new tasks; running activities have "
                          + graceSeconds
                          + "s to finish");
                  boolean clean = worker.shutdown(Duration.ofSeconds(graceSeconds));
                  System.err.println(
                      clean
                          ? "worker stopped cleanly"
                          : "worker stopped; unfinished activities were handed back to Temporal");
                  stopped.countDown();
                },
                "worker-shutdown"));
    worker.start();
    if (healthFile != null) {
      WorkerHealth.beat(healthFile, worker::polling, WorkerHealth.EVERY);
    }
    System.err.println(
        "worker "
            + worker.identity()
            + " polling "
            + String.join(", ", taskQueues)
            + " on "
            + ctx.stack().temporal().address()
            + " (namespace "
            + ctx.stack().temporal().namespace()
            + ")");
    System.err.println(
        "concurrent activities: "
            + String.join(
                ", ",
                taskQueues.stream()
                    .map(q -> TrainyardWorker.shortName(q) + " " + worker.concurrency(q))
                    .toList()));
    if (taskQueues.contains(TaskQueues.TRAIN)) {
      System.err.println("training device: " + trainingDevice());
    }
    if (worker.searchAttributeWarning() != null) {
      System.err.println("warning: " + worker.searchAttributeWarning());
    } else if (taskQueues.contains(TaskQueues.CONTROL)) {
      System.err.println(
          "search attributes: runs upsert TrainyardPipeline, TrainyardModel,"
              + " TrainyardModelVersion, TrainyardOutcome, TrainyardStep");
    }
    if (worker.metricsUrl() != null) {
      System.err.println("metrics: " + worker.metricsUrl() + " (Prometheus)");
    }
    System.err.println("Temporal UI: " + ctx.stack().temporal().uiUri());
    stopped.await();
    return 0;
  }

  /**
   * Which device DJL trains on here, loading the PyTorch engine now rather than on the first job.
   */
  private static String trainingDevice() {
    try {
      return Devices.describe();
    } catch (RuntimeException | LinkageError e) {
      return "unavailable: the PyTorch engine did not load ("
          + e.getMessage()
          + "); training on this worker will fail until it does";
    }
  }

  /** Maps short names (control, spark, train) or full queue names to Trainyard's task queues. */
  static List<String> taskQueues(List<String> names) {
    List<String> result = new ArrayList<>();
    for (String raw : names) {
      String name = raw.trim();
      String queue =
          switch (name) {
            case "control", TaskQueues.CONTROL -> TaskQueues.CONTROL;
            case "spark", TaskQueues.SPARK -> TaskQueues.SPARK;
            case "train", TaskQueues.TRAIN -> TaskQueues.TRAIN;
            default ->
                throw new StackException(
                    "Unknown queue '" + name + "' in --queues.",
                    "Use any of: control, spark, train (comma-separated).");
          };
      if (!result.contains(queue)) {
        result.add(queue);
      }
    }
    return result;
  }
}
