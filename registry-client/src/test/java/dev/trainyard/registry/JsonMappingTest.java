package dev.trainyard.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Responses as MLflow 3.17 sends them (default values left out, extra fields present). */
class JsonMappingTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void runWithLatestMetricsParamsTagsAndNoEndTime() throws Exception {
    JsonNode n =
        JSON.readTree(
            """
            {"info": {"run_uuid": "r1", "experiment_id": "3", "run_name": "trial",
                      "user_id": "", "status": "RUNNING", "start_time": 1700000000000,
                      "artifact_uri": "mlflow-artifacts:/3/r1/artifacts",
                      "lifecycle_stage": "active", "run_id": "r1"},
             "data": {"metrics": [{"key": "loss", "value": 0.25, "timestamp": 1700000000002,
                                   "step": 2}],
                      "params": [{"key": "lr", "value": "0.1"}],
                      "tags": [{"key": "mlflow.parentRunId", "value": "p0"}]},
             "inputs": {}, "outputs": {}}
            """);
    Run run = Run.fromJson(n);
    assertEquals("r1", run.runId());
    assertEquals(RunStatus.RUNNING, run.info().status());
    assertEquals(Optional.empty(), run.info().endTime());
    assertEquals(Instant.ofEpochMilli(1700000000000L), run.info().startTime());
    assertEquals(
        new Metric("loss", 0.25, 2, Instant.ofEpochMilli(1700000000002L)),
        run.data().metrics().get("loss"));
    assertEquals(Map.of("lr", "0.1"), run.data().params());
    assertEquals(Optional.of("p0"), run.parentRunId());
  }

  @Test
  void modelVersionWithAliasesAndOmittedDefaults() throws Exception {
    ModelVersion v =
        ModelVersion.fromJson(
            JSON.readTree(
                """
                {"name": "m", "version": "2", "creation_timestamp": 1, "last_updated_timestamp": 2,
                 "current_stage": "None", "source": "mlflow-artifacts:/1/r/artifacts/model",
                 "run_id": "r", "status": "READY", "tags": [{"key": "k", "value": "v"}],
                 "run_link": "", "aliases": ["champion"]}
                """));
    assertEquals("2", v.version());
    assertTrue(v.isReady());
    assertEquals("", v.description());
    assertEquals("", v.statusMessage());
    assertEquals(List.of("champion"), v.aliases());
    assertEquals(Map.of("k", "v"), v.tags());
  }

  @Test
  void registeredModelAliasesMapToVersions() throws Exception {
    RegisteredModel m =
        RegisteredModel.fromJson(
            JSON.readTree(
                """
                {"name": "m", "creation_timestamp": 1, "last_updated_timestamp": 2,
                 "aliases": [{"alias": "champion", "version": "1"}],
                 "latest_versions": [{"name": "m", "version": "1", "status": "READY"}]}
                """));
    assertEquals(Map.of("champion", "1"), m.aliases());
    assertEquals("1", m.latestVersions().get(0).version());
    assertEquals(Map.of(), m.tags());
  }

  @Test
  void experimentWithUnknownFields() throws Exception {
    Experiment e =
        Experiment.fromJson(
            JSON.readTree(
                """
                {"experiment_id": "1", "name": "probe", "artifact_location": "mlflow-artifacts:/1",
                 "lifecycle_stage": "active", "last_update_time": 5, "creation_time": 4,
                 "workspace": "default"}
                """));
    assertEquals("1", e.experimentId());
    assertTrue(e.isActive());
    assertEquals(Instant.ofEpochMilli(4), e.creationTime());
  }
}
