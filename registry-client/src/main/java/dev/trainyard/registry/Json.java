package dev.trainyard.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * MLflow's JSON: the module's one mapper, and reading helpers. Proto3 JSON leaves out default
 * values (empty strings, zero, empty lists), so every field may be absent.
 */
final class Json {
  /** Request bodies out, response trees in; plain defaults, as MLflow speaks plain JSON. */
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? "" : v.asText();
  }

  static Optional<String> optText(JsonNode node, String field) {
    String v = text(node, field);
    return v.isEmpty() ? Optional.empty() : Optional.of(v);
  }

  static long number(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? 0L : v.asLong();
  }

  static Instant instant(JsonNode node, String field) {
    return Instant.ofEpochMilli(number(node, field));
  }

  static Optional<Instant> optInstant(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull()
        ? Optional.empty()
        : Optional.of(Instant.ofEpochMilli(v.asLong()));
  }

  /** {@code [{"key": k, "value": v}, ...]} as an ordered, unmodifiable map. */
  static Map<String, String> keyValues(JsonNode list) {
    if (list == null || !list.isArray()) {
      return Map.of();
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (JsonNode kv : list) {
      m.put(text(kv, "key"), text(kv, "value"));
    }
    return Collections.unmodifiableMap(m);
  }

  static List<JsonNode> elements(JsonNode node, String field) {
    JsonNode list = node.get(field);
    if (list == null || !list.isArray()) {
      return List.of();
    }
    List<JsonNode> out = new ArrayList<>(list.size());
    list.forEach(out::add);
    return out;
  }
}
