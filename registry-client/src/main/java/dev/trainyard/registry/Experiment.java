package dev.trainyard.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/** An MLflow experiment. {@code artifactLocation} is where its runs' artifacts go. */
public record Experiment(
    String experimentId,
    String name,
    String artifactLocation,
    String lifecycleStage,
    Map<String, String> tags,
    Instant creationTime,
    Instant lastUpdateTime) {

  public Experiment {
    tags = Map.copyOf(tags);
  }

  public boolean isActive() {
    return "active".equals(lifecycleStage);
  }

  static Experiment fromJson(JsonNode e) {
    return new Experiment(
        Json.text(e, "experiment_id"),
        Json.text(e, "name"),
        Json.text(e, "artifact_location"),
        Json.text(e, "lifecycle_stage"),
        Json.keyValues(e.get("tags")),
        Json.instant(e, "creation_time"),
        Json.instant(e, "last_update_time"));
  }
}
