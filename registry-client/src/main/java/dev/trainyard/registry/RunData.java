package dev.trainyard.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a run has logged: the latest value of each metric (see {@link
 * TrackingClient#getMetricHistory} for every step), params and tags.
 */
public record RunData(
    Map<String, Metric> metrics, Map<String, String> params, Map<String, String> tags) {

  public RunData {
    metrics = Map.copyOf(metrics);
    params = Map.copyOf(params);
    tags = Map.copyOf(tags);
  }

  static RunData fromJson(JsonNode data) {
    Map<String, Metric> metrics = new LinkedHashMap<>();
    for (JsonNode m : Json.elements(data, "metrics")) {
      Metric metric = Metric.fromJson(m);
      metrics.put(metric.key(), metric);
    }
    return new RunData(
        metrics, Json.keyValues(data.get("params")), Json.keyValues(data.get("tags")));
  }
}
