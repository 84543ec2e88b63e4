package dev.trainyard.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Dataset inputs logged with {@code runs/log-inputs} and read back from the real MLflow. */
@ExtendWith(MlflowExtension.class)
class RunDatasetsIT {
  private static final String SHA =
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  private final MlflowClient mlflow;

  RunDatasetsIT(MlflowServer server) {
    this.mlflow = TestClients.client(server);
  }

  @AfterEach
  void close() {
    mlflow.close();
  }

  @Test
  void datasetsReadBackWithNameDigestSourceSchemaRowsAndContext() throws Exception {
    Experiment exp = mlflow.tracking().getOrCreateExperiment(TestClients.unique("datasets"));
    Run run =
        mlflow.tracking().createRun(RunSpec.builder().setExperimentId(exp.experimentId()).build());
    RunDataset training =
        RunDataset.builder()
            .setName("churn")
            .setDigest(SHA)
            .setSource("s3://lake/churn/2026-11-24.parquet")
            .optColumn("tenure", "double")
            .optColumn("plan", "string")
            .optRows(4000)
            .optProfile("sha256", SHA)
            .optContext("training")
            .optTag("trainyard.sha256", SHA)
            .build();
    RunDataset test =
        RunDataset.builder()
            .setName("churn-test")
            .setDigest("abc123")
            .setSource("file:///lake/features/k/test")
            .optRows(600)
            .optContext("test")
            .build();

    mlflow.tracking().logInputs(run.runId(), List.of(training, test));
    // A retried step logs the same again: still one input each.
    mlflow.tracking().logInputs(run.runId(), List.of(training));

    Map<String, RunDataset> back =
        mlflow.tracking().getDatasetInputs(run.runId()).stream()
            .collect(Collectors.toMap(RunDataset::name, d -> d));
    assertEquals(2, back.size(), back.toString());
    RunDataset t = back.get("churn");
    assertEquals(SHA.substring(0, RunDataset.MAX_DIGEST), t.digest());
    assertEquals("s3", t.sourceType());
    assertEquals("s3://lake/churn/2026-11-24.parquet", t.sourceUri().orElseThrow());
    assertEquals("training", t.context().orElseThrow());
    assertEquals(4000L, t.rows().orElseThrow());
    assertEquals(SHA, t.tags().get("trainyard.sha256"));
    JsonNode schema = Json.MAPPER.readTree(t.schema());
    assertEquals("tenure", schema.path("mlflow_colspec").get(0).path("name").asText());
    assertEquals("string", schema.path("mlflow_colspec").get(1).path("type").asText());
    RunDataset te = back.get("churn-test");
    assertEquals("local", te.sourceType());
    assertEquals("test", te.context().orElseThrow());
    assertEquals("file:///lake/features/k/test", te.sourceUri().orElseThrow());
    assertTrue(te.schema() == null || te.schema().isEmpty());
  }
}
