package dev.trainyard.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/** One metric value at a training step. */
public record Metric(String key, double value, long step, Instant timestamp) {
  public Metric {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(timestamp, "timestamp");
  }

  /** A metric value at {@code step}, stamped now. */
  public static Metric of(String key, double value, long step) {
    return new Metric(key, value, step, Instant.now());
  }

  static Metric fromJson(JsonNode m) {
    return new Metric(
        Json.text(m, "key"),
        m.path("value").asDouble(),
        Json.number(m, "step"),
        Json.instant(m, "timestamp"));
  }
}
