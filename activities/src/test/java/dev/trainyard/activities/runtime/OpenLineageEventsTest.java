package dev.trainyard.activities.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.activities.runtime.OpenLineageEvents.DatasetName;
import dev.trainyard.activities.runtime.OpenLineageEvents.Step;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenLineageEventsTest {
  @Test
  void datasetNamesFollowOpenLineageNamingConventions() {
    assertEquals(
        new DatasetName("s3://lake", "features/churn/train"),
        DatasetName.of("s3://lake/features/churn/train"));
    assertEquals(new DatasetName("s3://lake", "a/b"), DatasetName.of("s3a://lake/a/b"));
    assertEquals(
        new DatasetName("file", "/data/churn.parquet"), DatasetName.of("/data/churn.parquet"));
    assertEquals(
        new DatasetName("file", "/data/churn.parquet"),
        DatasetName.of("file:///data/churn.parquet"));
    assertEquals(
        new DatasetName("file", "/data/churn.parquet"), DatasetName.of("file:/data/churn.parquet"));
    assertEquals(new DatasetName("mlflow", "churn/3"), DatasetName.of("models:/churn/3"));
    assertEquals(
        new DatasetName("file", "/data/churn.parquet"),
        DatasetName.of("file:/data/churn.parquet/"));
  }

  @Test
  void everyAttemptOfAStepIsTheSameRunAndItsParentIsTheWorkflowRun() {
    Step a = new Step("TrainingPipelineWorkflow", "nightly", "run-1", "TrainModel", "7");
    Step retried = new Step("TrainingPipelineWorkflow", "nightly", "run-1", "TrainModel", "7");
    Step nextRun = new Step("TrainingPipelineWorkflow", "nightly", "run-2", "TrainModel", "7");
    assertEquals(a.runId(), retried.runId());
    assertNotEquals(a.runId(), nextRun.runId());
    assertNotEquals(a.runId(), a.parentRunId());
    assertEquals("TrainingPipelineWorkflow.TrainModel", a.jobName());
    assertEquals("TrainingPipelineWorkflow.nightly", a.parentJobName());
  }

  @Test
  void eventsGoToTheFileTransportWithDatasetsDigestAndRowCounts(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("events.jsonl");
    Step step = new Step("BatchScoringWorkflow", "score-1", "r1", "ScoreBatch", "3");
    try (OpenLineageEvents events = OpenLineageEvents.toFile(file, "1.2.3")) {
      events.start(step, Instant.parse("2026-01-01T00:00:00Z"));
      events.complete(
          step,
          Instant.parse("2026-01-01T00:01:00Z"),
          List.of(new LineageRecord.Dataset("s3://lake/in", "ab".repeat(32), 10L)),
          List.of(new LineageRecord.Dataset("/tmp/out", null, 9L)));
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2);
    ObjectMapper json = new ObjectMapper();
    JsonNode start = json.readTree(lines.get(0));
    JsonNode done = json.readTree(lines.get(1));
    assertEquals("START", start.at("/eventType").asText());
    assertEquals("COMPLETE", done.at("/eventType").asText());
    assertEquals(start.at("/run/runId"), done.at("/run/runId"));
    assertEquals(step.parentRunId().toString(), done.at("/run/facets/parent/run/runId").asText());
    assertEquals("s3://lake", done.at("/inputs/0/namespace").asText());
    assertEquals("in", done.at("/inputs/0/name").asText());
    assertEquals(10, done.at("/inputs/0/inputFacets/inputStatistics/rowCount").asLong());
    JsonNode digest = done.at("/inputs/0/facets/trainyard_contentDigest");
    assertEquals("ab".repeat(32), digest.get("digest").asText());
    assertEquals("sha256", digest.get("algorithm").asText());
    assertThat(digest.get("_producer").asText()).startsWith("https://");
    assertThat(digest.get("_schemaURL").asText()).startsWith("https://");
    assertEquals(9, done.at("/outputs/0/outputFacets/outputStatistics/rowCount").asLong());
    assertEquals("1.2.3", done.at("/run/facets/processing_engine/version").asText());
  }

  @Test
  void aTransportThatCannotWriteDoesNotFailTheStep(@TempDir Path dir) throws Exception {
    // A folder where the file should be: every write fails.
    Path notAFile = Files.createDirectories(dir.resolve("events.jsonl"));
    try (OpenLineageEvents events = OpenLineageEvents.toFile(notAFile, "1")) {
      events.start(new Step("W", "w", "r", "A", "1"), Instant.now());
    }
  }

  @Test
  void offUnlessConfigured() {
    assertThat(OpenLineageEvents.fromEnvironment(java.util.Map.of(), "1").enabled()).isFalse();
    assertThat(
            OpenLineageEvents.fromEnvironment(
                    java.util.Map.of("OPENLINEAGE_URL", "http://x", "OPENLINEAGE_DISABLED", "true"),
                    "1")
                .enabled())
        .isFalse();
    // OPENLINEAGE_URL alone: HTTP to a collector that is not there; a send only logs a warning.
    try (OpenLineageEvents http =
        OpenLineageEvents.fromEnvironment(
            java.util.Map.of("OPENLINEAGE_URL", "http://127.0.0.1:9"), "1")) {
      assertThat(http.enabled()).isTrue();
      http.start(new Step("W", "w", "r", "A", "1"), Instant.now());
    }
  }
}
