package dev.trainyard.activities.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.activities.runtime.ActivityEnvironment;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.workflows.pipeline.Payloads;
import dev.trainyard.workflows.pipeline.PipelineActivities;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.SpecDefaults;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to the Spark steps, on real Spark and real Parquet: the step fails at once, without
 * retries, saying what is wrong and how to fix it, and leaves no output behind. Bad input is found
 * before MLflow is called, so MLflow here is an address where nothing listens.
 */
class DataActivitiesTest {
  @TempDir Path dir;
  private TestActivityEnvironment env;
  private MlflowClient mlflow;
  private PipelineActivities.Data data;

  @BeforeEach
  void setUp() {
    env = TestActivityEnvironment.newInstance();
    mlflow = new MlflowClient(URI.create("http://127.0.0.1:1"));
    env.registerActivitiesImplementations(
        new DataActivitiesImpl(
            new ActivityEnvironment(mlflow, dir.resolve("lake"), dir.resolve("work"), "test")));
    // Up to three attempts: a non-retryable failure must still end after the first.
    data =
        env.newActivityStub(
            PipelineActivities.Data.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(10))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setMaximumAttempts(3)
                        .setInitialInterval(Duration.ofMillis(10))
                        .build())
                .build());
  }

  @AfterEach
  void tearDown() {
    env.close();
    mlflow.close();
  }

  private static PipelineSpec spec(String uri, String label) {
    return SpecDefaults.apply(
        PipelineSpec.builder()
            .setName("churn")
            .setDataset(new PipelineSpec.Dataset(uri, null))
            .setLabel(label)
            .setTask("binary")
            .setFeatures(new PipelineSpec.Features(List.of("tenure"), List.of("plan"), null))
            .setRegisteredModel("churn")
            .build());
  }

  private static final Payloads.PipelineRun RUN =
      new Payloads.PipelineRun("0", "run-0", "mlflow-artifacts:/0/run-0/artifacts");

  private static ApplicationFailure failure(ActivityFailure e) {
    return assertInstanceOf(ApplicationFailure.class, e.getCause());
  }

  @Test
  void aMissingInputPathIsANonRetryableFailureNamingThePath() {
    String missing = dir.resolve("no-such-table").toString();

    ActivityFailure e =
        assertThrows(
            ActivityFailure.class,
            () ->
                data.validateData(
                    new Payloads.ValidateDataRequest(spec(missing, "churned"), RUN, null)));

    ApplicationFailure cause = failure(e);
    assertEquals("BadInputData", cause.getType());
    assertTrue(cause.isNonRetryable());
    assertThat(cause.getOriginalMessage())
        .contains("dataset not found: file://" + missing)
        .contains("Check the URI");
    assertThat(dir.resolve("work")).doesNotExist();
  }

  @Test
  void aMissingLabelColumnIsANonRetryableFailureListingTheColumnsThere() throws Exception {
    String table = dir.resolve("customers").toUri().toString();
    SparkSessions.local()
        .range(100)
        .selectExpr(
            "CAST(id AS DOUBLE) AS tenure",
            "IF(id % 2 = 0, 'basic', 'pro') AS plan",
            "IF(id % 3 = 0, 'yes', 'no') AS churn")
        .write()
        .parquet(table);

    ActivityFailure e =
        assertThrows(
            ActivityFailure.class,
            () ->
                data.buildFeatures(
                    new Payloads.BuildFeaturesRequest(spec(table, "churned"), RUN, "sha-0")));

    ApplicationFailure cause = failure(e);
    assertEquals("BadInputData", cause.getType());
    assertTrue(cause.isNonRetryable());
    assertThat(cause.getOriginalMessage())
        .contains("lacks a column named in the spec: [churned]")
        .contains("Columns in the data: [tenure, plan, churn]")
        .contains("Fix the column names in the spec");
    // Nothing half-written that a later run could mistake for a finished feature build.
    Path features = dir.resolve("lake").resolve("features");
    if (Files.exists(features)) {
      try (Stream<Path> all = Files.walk(features)) {
        assertThat(all.filter(p -> p.getFileName().toString().equals("_SUCCESS"))).isEmpty();
      }
    }
  }

  @Test
  void aLookupTableThatIsNotThereFailsTheFeatureStepNamingTheStep() {
    String table = dir.resolve("customers").toUri().toString();
    SparkSessions.local()
        .range(100)
        .selectExpr(
            "CAST(id AS DOUBLE) AS tenure",
            "IF(id % 2 = 0, 'basic', 'pro') AS plan",
            "IF(id % 3 = 0, 'yes', 'no') AS churned")
        .write()
        .parquet(table);
    String plans = dir.resolve("plans.csv").toUri().toString();
    PipelineSpec spec =
        spec(table, "churned").toBuilder()
            .optTransform(
                List.of(
                    PipelineSpec.TransformStep.sql("SELECT * FROM __THIS__"),
                    PipelineSpec.TransformStep.of(
                        new PipelineSpec.Lookup(plans, "csv", "plan", List.of("price")))))
            .build();

    ActivityFailure e =
        assertThrows(
            ActivityFailure.class,
            () -> data.buildFeatures(new Payloads.BuildFeaturesRequest(spec, RUN, "sha-0")));

    ApplicationFailure cause = failure(e);
    assertEquals("BadInputData", cause.getType());
    assertTrue(cause.isNonRetryable());
    assertThat(cause.getOriginalMessage())
        .startsWith("transform step 2 (lookup): cannot read the lookup table")
        .contains("plans.csv");
    assertThat(dir.resolve("lake").resolve("features")).doesNotExist();
  }
}
