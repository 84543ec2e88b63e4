package dev.trainyard.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Optional;

/** The metadata of a run; {@code artifactUri} is the root of its artifacts. */
public record RunInfo(
    String runId,
    String experimentId,
    String runName,
    RunStatus status,
    Instant startTime,
    Optional<Instant> endTime,
    String artifactUri,
    String lifecycleStage) {

  static RunInfo fromJson(JsonNode info) {
    String status = Json.text(info, "status");
    return new RunInfo(
        Json.optText(info, "run_id").orElse(Json.text(info, "run_uuid")),
        Json.text(info, "experiment_id"),
        Json.text(info, "run_name"),
        status.isEmpty() ? RunStatus.RUNNING : RunStatus.valueOf(status),
        Json.instant(info, "start_time"),
        Json.optInstant(info, "end_time"),
        Json.text(info, "artifact_uri"),
        Json.text(info, "lifecycle_stage"));
  }
}
