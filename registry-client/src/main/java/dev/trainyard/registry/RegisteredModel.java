package dev.trainyard.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A registered model; {@code aliases} maps each alias to the version it points at. */
public record RegisteredModel(
    String name,
    String description,
    Map<String, String> tags,
    Map<String, String> aliases,
    List<ModelVersion> latestVersions,
    Instant creationTime,
    Instant lastUpdatedTime) {

  public RegisteredModel {
    tags = Map.copyOf(tags);
    aliases = Map.copyOf(aliases);
    latestVersions = List.copyOf(latestVersions);
  }

  static RegisteredModel fromJson(JsonNode m) {
    Map<String, String> aliases = new LinkedHashMap<>();
    for (JsonNode a : Json.elements(m, "aliases")) {
      aliases.put(Json.text(a, "alias"), Json.text(a, "version"));
    }
    List<ModelVersion> latest = new ArrayList<>();
    Json.elements(m, "latest_versions").forEach(v -> latest.add(ModelVersion.fromJson(v)));
    return new RegisteredModel(
        Json.text(m, "name"),
        Json.text(m, "description"),
        Json.keyValues(m.get("tags")),
        aliases,
        latest,
        Json.instant(m, "creation_timestamp"),
        Json.instant(m, "last_updated_timestamp"));
  }
}
