package dev.trainyard.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A version of a registered model. {@code source} is the artifact URI its files were registered
 * from; {@code runId} the run that produced them (empty when none); {@code version} is MLflow's
 * version number as text, as the REST API has it.
 */
public record ModelVersion(
    String name,
    String version,
    String source,
    String runId,
    ModelVersionStatus status,
    String statusMessage,
    String description,
    Map<String, String> tags,
    List<String> aliases,
    Instant creationTime,
    Instant lastUpdatedTime) {

  public ModelVersion {
    tags = Map.copyOf(tags);
    aliases = List.copyOf(aliases);
  }

  public boolean isReady() {
    return status == ModelVersionStatus.READY;
  }

  static ModelVersion fromJson(JsonNode v) {
    String status = Json.text(v, "status");
    List<String> aliases = new ArrayList<>();
    Json.elements(v, "aliases").forEach(a -> aliases.add(a.asText()));
    return new ModelVersion(
        Json.text(v, "name"),
        Json.text(v, "version"),
        Json.text(v, "source"),
        Json.text(v, "run_id"),
        status.isEmpty()
            ? ModelVersionStatus.PENDING_REGISTRATION
            : ModelVersionStatus.valueOf(status),
        Json.text(v, "status_message"),
        Json.text(v, "description"),
        Json.keyValues(v.get("tags")),
        aliases,
        Json.instant(v, "creation_timestamp"),
        Json.instant(v, "last_updated_timestamp"));
  }
}
