package dev.trainyard.app.pipeline;

import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.testing.TemporalServer;
import dev.trainyard.workflows.TaskQueues;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A worker on all three queues against the test JVM's real Temporal, MLflow and S3. */
public final class PipelineStack {
  public static StackConfig config(TemporalServer temporal, MlflowServer mlflow)
      throws IOException {
    Path home = home();
    Path state =
        Files.createTempDirectory(
            Files.createDirectories(Path.of("target").toAbsolutePath()), "pipeline-");
    return new StackConfig(
        home,
        state,
        home.resolve(".trainyard/tools"),
        new StackConfig.TemporalEndpoint(
            temporal.address().substring(0, temporal.address().lastIndexOf(':')),
            Integer.parseInt(temporal.address().substring(temporal.address().lastIndexOf(':') + 1)),
            temporal.namespace(),
            temporal.uiUri()),
        mlflow.trackingUri(),
        new StackConfig.S3Endpoint(
            mlflow.s3().endpoint(),
            mlflow.s3().region(),
            mlflow.s3().accessKeyId(),
            mlflow.s3().secretAccessKey(),
            mlflow.s3().lakeBucket(),
            mlflow.s3().artifactBucket()));
  }

  public static TrainyardWorker worker(StackConfig config) {
    TrainyardWorker w = new TrainyardWorker(config, TaskQueues.ALL);
    w.start();
    return w;
  }

  public static MlflowClient mlflow(MlflowServer server) {
    return new MlflowClient(server.trackingUri());
  }

  /**
   * {@code trainyard worker ARGS} in its own JVM, as the launcher runs it (with Spark's {@code
   * --add-opens} from failsafe's argLine), its output in {@code log}: for tests that kill a worker
   * or give it settings of its own (Spark's S3 settings are per JVM).
   */
  public static ProcessBuilder workerJvm(Map<String, String> env, Path log, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens")
          || arg.startsWith("-XX:+IgnoreUnrecognizedVMOptions")
          || arg.startsWith("-Djdk.reflect")
          || arg.startsWith("-Dio.netty")) {
        cmd.add(arg);
      }
    }
    cmd.add("-Dai.djl.pytorch.num_threads=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.trainyard.app.cli.Main");
    cmd.add("worker");
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("TRAINYARD_HOME", home().toString());
    pb.environment().putAll(env);
    return pb;
  }

  public static Path home() {
    return dev.trainyard.testing.Checkout.root();
  }

  private PipelineStack() {}
}
