package dev.trainyard.activities.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.activities.pipeline.RegistryActivitiesImpl;
import dev.trainyard.activities.runtime.ActivityEnvironment;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.workflows.pipeline.Payloads;
import dev.trainyard.workflows.pipeline.PipelineActivities;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.SpecDefaults;
import dev.trainyard.workflows.scoring.ScoringActivities;
import dev.trainyard.workflows.scoring.ScoringPayloads.ResolvedModel;
import dev.trainyard.workflows.scoring.ScoringPayloads.ScoreBatchRequest;
import dev.trainyard.workflows.scoring.ScoringPayloads.ScoreBatchResult;
import dev.trainyard.workflows.scoring.ScoringSpec;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scoring step on real Spark and Parquet, against the real MLflow: a published day is left
 * alone under {@code ifOutputExists=skip}, and a model version without the files scoring needs is
 * bad input (non-retryable, saying what is missing) that writes nothing.
 */
@ExtendWith(MlflowExtension.class)
class ScoringDataActivitiesIT {
  @TempDir Path dir;
  private TestActivityEnvironment env;
  private MlflowClient mlflow;
  private ScoringActivities.Data scoring;
  private Payloads.PipelineRun run;

  @BeforeEach
  void setUp(MlflowServer server) {
    mlflow = new MlflowClient(server.trackingUri());
    ActivityEnvironment where =
        new ActivityEnvironment(mlflow, dir.resolve("lake"), dir.resolve("work"), "test", "test");
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(
        new RegistryActivitiesImpl(where), new ScoringDataActivitiesImpl(where));
    ActivityOptions options =
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(10))
            .setRetryOptions(
                RetryOptions.newBuilder()
                    .setMaximumAttempts(3)
                    .setInitialInterval(Duration.ofMillis(10))
                    .build())
            .build();
    scoring = env.newActivityStub(ScoringActivities.Data.class, options);
    // A real MLflow run to report to (the workflow starts one before scoring).
    run =
        env.newActivityStub(PipelineActivities.Registry.class, options)
            .startPipelineRun(
                SpecDefaults.apply(
                    PipelineSpec.builder()
                        .setName("score-" + UUID.randomUUID())
                        .setDataset(new PipelineSpec.Dataset("file:///data/x.parquet", null))
                        .setLabel("y")
                        .setTask("binary")
                        .setFeatures(new PipelineSpec.Features(List.of("a"), null, null))
                        .setRegisteredModel("churn")
                        .build()),
                "score-wf");
  }

  @AfterEach
  void tearDown() {
    env.close();
    mlflow.close();
  }

  private String input() {
    String uri = dir.resolve("events").toUri().toString();
    SparkSessions.local()
        .range(50)
        .selectExpr("id", "CAST(id AS DOUBLE) AS tenure", "'basic' AS plan")
        .write()
        .parquet(uri);
    return uri;
  }

  private ScoringSpec spec(String output, String policy) {
    return ScoringSpec.of("churn/7", input(), output)
        .withIfOutputExists(policy)
        .resolved(LocalDate.parse("2026-11-20"));
  }

  @Test
  void aPublishedOutputIsLeftAloneUnderSkipAndTheRunSaysSo() throws Exception {
    Path output = dir.resolve("scores");
    SparkSessions.local().range(3).selectExpr("id").write().parquet(output.toUri().toString());
    Path success = output.resolve("_SUCCESS");
    FileTime before = Files.getLastModifiedTime(success);
    ScoringSpec spec = spec(output.toString(), ScoringSpec.SKIP);
    // No such model anywhere: a skipped day must not even fetch it.
    ResolvedModel model =
        new ResolvedModel("churn", "7", null, run.artifactUri() + "/no-model", "run-7");

    ScoreBatchResult r = scoring.scoreBatch(new ScoreBatchRequest(spec, model, run));

    assertTrue(r.skipped());
    assertEquals(spec.output(), r.outputUri());
    assertEquals(0, r.scored());
    assertEquals(before, Files.getLastModifiedTime(success));
    assertThat(dir.resolve("work").resolve("models")).doesNotExist();
    Map<String, String> tags = mlflow.tracking().getRun(run.runId()).data().tags();
    assertEquals("output already published", tags.get("trainyard.skipped"));
  }

  @Test
  void aModelVersionTheRegistryDoesNotHoldIsANonRetryableFailureThatWritesNothing()
      throws Exception {
    // The version's artifacts hold only a README: no djl/, no feature-pipeline/.
    Path readme = Files.writeString(dir.resolve("README.txt"), "not a model");
    mlflow.artifacts().upload(run.artifactUri(), readme, "model/README.txt");
    ResolvedModel model =
        new ResolvedModel("churn", "7", "champion", run.artifactUri() + "/model", "run-7");
    Path output = dir.resolve("scores");
    ScoringSpec spec = spec(output.toString(), ScoringSpec.REPLACE);

    ActivityFailure e =
        assertThrows(
            ActivityFailure.class,
            () -> scoring.scoreBatch(new ScoreBatchRequest(spec, model, run)));

    ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, e.getCause());
    // Since fetches are verified against the registry (issue 11), a version the registry does not
    // hold is refused before its files are even looked at.
    assertEquals("ModelVersionNotFound", cause.getType());
    assertTrue(cause.isNonRetryable());
    assertThat(cause.getOriginalMessage()).contains("churn");
    assertThat(output).doesNotExist();
    assertThat(Path.of(java.net.URI.create(spec.quarantine()))).doesNotExist();
  }
}
