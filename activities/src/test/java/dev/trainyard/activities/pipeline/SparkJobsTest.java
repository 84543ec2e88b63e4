package dev.trainyard.activities.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.trainyard.activities.runtime.ActivityEnvironment;
import dev.trainyard.activities.runtime.SparkJobs;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.spark.cluster.ClusterSettings;
import dev.trainyard.workflows.pipeline.Payloads;
import dev.trainyard.workflows.pipeline.PipelineActivities;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.SpecDefaults;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark steps' activities with a cluster master configured take the submission path, and a
 * cluster that is down becomes a retryable failure naming the master (the submission itself is
 * tested against a real standalone cluster in spark-jobs' SparkClusterIT).
 */
class SparkJobsTest {
  @TempDir Path dir;

  @Test
  void anUnreachableMasterIsARetryableFailureThatNamesIt() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    String master = "spark://127.0.0.1:" + port;
    Path jar = Files.writeString(dir.resolve("job.jar"), "not used: the master is checked first");
    SparkJobs jobs = SparkJobs.cluster(ClusterSettings.of(master, jar, dir.resolve("submit")));
    assertEquals(master, jobs.where());

    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    try (MlflowClient mlflow = new MlflowClient(URI.create("http://127.0.0.1:1"))) {
      env.registerActivitiesImplementations(
          new DataActivitiesImpl(
              new ActivityEnvironment(mlflow, dir.resolve("lake"), dir.resolve("work"), "test"),
              jobs));
      PipelineActivities.Data data =
          env.newActivityStub(
              PipelineActivities.Data.class,
              ActivityOptions.newBuilder()
                  .setStartToCloseTimeout(Duration.ofMinutes(1))
                  .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                  .build());
      PipelineSpec spec =
          SpecDefaults.apply(
              PipelineSpec.builder()
                  .setName("cluster")
                  .setDataset(new PipelineSpec.Dataset("file:///data/x.parquet", null))
                  .setLabel("y")
                  .setTask("binary")
                  .setFeatures(new PipelineSpec.Features(List.of("a"), null, null))
                  .setRegisteredModel("m")
                  .build());

      ActivityFailure e =
          assertThrows(
              ActivityFailure.class,
              () ->
                  data.validateData(
                      new Payloads.ValidateDataRequest(
                          spec, new Payloads.PipelineRun("0", "r", "file:///tmp/x"), null)));

      ApplicationFailure cause = (ApplicationFailure) e.getCause();
      assertEquals("SparkJobUNREACHABLE_MASTER", cause.getType());
      assertFalse(cause.isNonRetryable(), "a cluster that is down may come back: retry");
      assertThat(cause.getOriginalMessage()).contains(master);
    } finally {
      env.close();
    }
  }
}
