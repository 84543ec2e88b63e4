package dev.trainyard.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Experiments and runs: {@code /api/2.0/mlflow/experiments/*}, {@code runs/*}, {@code metrics/*}.
 */
public final class TrackingClient {
  // MLflow takes at most 1000 entities per runs/log-batch request, of them at most 100 params
  // and 100 tags; 800 metrics leave room for both.
  static final int MAX_METRICS_PER_BATCH = 800;
  static final int MAX_PARAMS_PER_BATCH = 100;
  static final int MAX_TAGS_PER_BATCH = 100;
  private static final int SEARCH_PAGE_SIZE = 1000;

  private final MlflowHttp http;

  TrackingClient(MlflowHttp http) {
    this.http = http;
  }

  // ---- experiments

  /**
   * The active experiment called {@code name}, created (artifacts at the server's default) if
   * absent.
   */
  public Experiment getOrCreateExperiment(String name) {
    return getOrCreateExperiment(name, Optional.empty());
  }

  /**
   * The active experiment called {@code name}, created with {@code artifactLocation} (e.g. {@code
   * s3://bucket/prefix} or {@code file:///data/mlflow}) if absent. An existing experiment keeps its
   * own location. Safe against concurrent callers: whoever loses the race to create reads the
   * winner's experiment.
   *
   * @throws InvalidParameterException if an experiment of that name exists but is deleted
   */
  public Experiment getOrCreateExperiment(String name, String artifactLocation) {
    return getOrCreateExperiment(name, Optional.of(artifactLocation));
  }

  private Experiment getOrCreateExperiment(String name, Optional<String> artifactLocation) {
    Optional<Experiment> existing = findExperimentByName(name);
    if (existing.isEmpty()) {
      ObjectNode body = MlflowHttp.object().put("name", name);
      artifactLocation.ifPresent(l -> body.put("artifact_location", l));
      try {
        String id = http.post("experiments/create", body).path("experiment_id").asText();
        return getExperiment(id);
      } catch (ResourceAlreadyExistsException raced) {
        existing = findExperimentByName(name);
        if (existing.isEmpty()) {
          throw raced;
        }
      }
    }
    Experiment e = existing.get();
    if (!e.isActive()) {
      throw new InvalidParameterException(
          MlflowErrors.INVALID_PARAMETER,
          "experiment '"
              + name
              + "' (id "
              + e.experimentId()
              + ") is deleted: restore it in the MLflow UI or choose another name",
          0,
          "getOrCreateExperiment",
          null);
    }
    return e;
  }

  /**
   * @throws ResourceNotFoundException if there is no such experiment
   */
  public Experiment getExperiment(String experimentId) {
    JsonNode r = http.get("experiments/get", Map.of("experiment_id", experimentId));
    return Experiment.fromJson(r.path("experiment"));
  }

  /**
   * @throws ResourceNotFoundException if there is no experiment of that name
   */
  public Experiment getExperimentByName(String name) {
    JsonNode r = http.get("experiments/get-by-name", Map.of("experiment_name", name));
    return Experiment.fromJson(r.path("experiment"));
  }

  /** The experiment called {@code name} (active or deleted), or empty. */
  public Optional<Experiment> findExperimentByName(String name) {
    try {
      return Optional.of(getExperimentByName(name));
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    }
  }

  // ---- runs

  public Run createRun(RunSpec spec) {
    ObjectNode body =
        MlflowHttp.object()
            .put("experiment_id", spec.experimentId())
            .put("start_time", spec.startTime().orElseGet(Instant::now).toEpochMilli());
    spec.runName().ifPresent(n -> body.put("run_name", n));
    Map<String, String> tags = new LinkedHashMap<>(spec.tags());
    spec.parentRunId().ifPresent(p -> tags.put(Run.PARENT_RUN_ID_TAG, p));
    body.set("tags", keyValues(tags));
    return Run.fromJson(http.post("runs/create", body).path("run"));
  }

  /**
   * @throws ResourceNotFoundException if there is no such run
   */
  public Run getRun(String runId) {
    return Run.fromJson(http.get("runs/get", Map.of("run_id", runId)).path("run"));
  }

  /**
   * Logs the datasets a run used ({@code runs/log-inputs}), which MLflow's run page lists under
   * Datasets. Logging the same dataset (name and digest) with the same tags again is fine: MLflow
   * keeps one input, so a retried step does not duplicate it.
   */
  public void logInputs(String runId, List<RunDataset> inputs) {
    if (inputs.isEmpty()) {
      return;
    }
    ObjectNode body = MlflowHttp.object().put("run_id", runId);
    ArrayNode datasets = body.putArray("datasets");
    for (RunDataset input : inputs) {
      datasets.add(input.toJson());
    }
    http.post("runs/log-inputs", body);
  }

  /** The datasets logged on a run ({@code runs/get}'s {@code inputs.dataset_inputs}). */
  public List<RunDataset> getDatasetInputs(String runId) {
    JsonNode run = http.get("runs/get", Map.of("run_id", runId)).path("run");
    List<RunDataset> out = new ArrayList<>();
    for (JsonNode input : Json.elements(run.path("inputs"), "dataset_inputs")) {
      out.add(RunDataset.fromJson(input));
    }
    return out;
  }

  /**
   * Logs params. Logging the same value again is fine (retries are safe); a different value for a
   * logged key is rejected by MLflow with {@link InvalidParameterException}.
   */
  public void logParams(String runId, Map<String, String> params) {
    logBatch(runId, List.of(), params, Map.of());
  }

  /** Logs metric values, each with its own step and timestamp. */
  public void logMetrics(String runId, List<Metric> metrics) {
    logBatch(runId, metrics, Map.of(), Map.of());
  }

  public void logMetric(String runId, String key, double value, long step) {
    logMetrics(runId, List.of(Metric.of(key, value, step)));
  }

  /** Sets tags (an existing tag is overwritten). */
  public void setTags(String runId, Map<String, String> tags) {
    logBatch(runId, List.of(), Map.of(), tags);
  }

  public void setTag(String runId, String key, String value) {
    setTags(runId, Map.of(key, value));
  }

  /**
   * Logs metrics, params and tags through {@code runs/log-batch}, split into as many requests as
   * MLflow's per-request limits need.
   */
  public void logBatch(
      String runId, List<Metric> metrics, Map<String, String> params, Map<String, String> tags) {
    if (metrics.isEmpty() && params.isEmpty() && tags.isEmpty()) {
      return;
    }
    List<Map.Entry<String, String>> paramList = new ArrayList<>(params.entrySet());
    List<Map.Entry<String, String>> tagList = new ArrayList<>(tags.entrySet());
    int m = 0;
    int p = 0;
    int t = 0;
    do {
      ObjectNode body = MlflowHttp.object().put("run_id", runId);
      ArrayNode ms = body.putArray("metrics");
      int mEnd =
          Math.min(
              metrics.size(),
              m + MAX_METRICS_PER_BATCH - MAX_PARAMS_PER_BATCH - MAX_TAGS_PER_BATCH);
      for (; m < mEnd; m++) {
        Metric metric = metrics.get(m);
        ms.addObject()
            .put("key", metric.key())
            .put("value", metric.value())
            .put("timestamp", metric.timestamp().toEpochMilli())
            .put("step", metric.step());
      }
      ArrayNode ps = body.putArray("params");
      for (int end = Math.min(paramList.size(), p + MAX_PARAMS_PER_BATCH); p < end; p++) {
        ps.addObject()
            .put("key", paramList.get(p).getKey())
            .put("value", paramList.get(p).getValue());
      }
      ArrayNode ts = body.putArray("tags");
      for (int end = Math.min(tagList.size(), t + MAX_TAGS_PER_BATCH); t < end; t++) {
        ts.addObject().put("key", tagList.get(t).getKey()).put("value", tagList.get(t).getValue());
      }
      http.post("runs/log-batch", body);
    } while (m < metrics.size() || p < paramList.size() || t < tagList.size());
  }

  /** Every logged value of one metric, in step order as MLflow returns it. */
  public List<Metric> getMetricHistory(String runId, String metricKey) {
    List<Metric> out = new ArrayList<>();
    String pageToken = "";
    do {
      Map<String, String> q = new LinkedHashMap<>();
      q.put("run_id", runId);
      q.put("metric_key", metricKey);
      q.put("max_results", "25000");
      if (!pageToken.isEmpty()) {
        q.put("page_token", pageToken);
      }
      JsonNode r = http.get("metrics/get-history", q);
      Json.elements(r, "metrics").forEach(n -> out.add(Metric.fromJson(n)));
      pageToken = Json.text(r, "next_page_token");
    } while (!pageToken.isEmpty());
    return out;
  }

  /**
   * Sets the run's status; a terminal status ({@code FINISHED}, {@code FAILED}, {@code KILLED})
   * also records now as its end time.
   */
  public RunInfo setRunStatus(String runId, RunStatus status) {
    ObjectNode body = MlflowHttp.object().put("run_id", runId).put("status", status.name());
    if (status.isTerminal()) {
      body.put("end_time", Instant.now().toEpochMilli());
    }
    return RunInfo.fromJson(http.post("runs/update", body).path("run_info"));
  }

  /**
   * Runs in the given experiments matching an MLflow filter string (see {@link SearchFilters}),
   * newest first; every page is fetched.
   */
  public List<Run> searchRuns(List<String> experimentIds, String filter) {
    List<Run> out = new ArrayList<>();
    String pageToken = "";
    do {
      ObjectNode body =
          MlflowHttp.object().put("filter", filter).put("max_results", SEARCH_PAGE_SIZE);
      ArrayNode ids = body.putArray("experiment_ids");
      experimentIds.forEach(ids::add);
      body.putArray("order_by").add("attributes.start_time DESC");
      if (!pageToken.isEmpty()) {
        body.put("page_token", pageToken);
      }
      JsonNode r = http.post("runs/search", body);
      Json.elements(r, "runs").forEach(n -> out.add(Run.fromJson(n)));
      pageToken = Json.text(r, "next_page_token");
    } while (!pageToken.isEmpty());
    return out;
  }

  /** Runs in the given experiments whose tag {@code key} equals {@code value}, newest first. */
  public List<Run> searchRunsByTag(List<String> experimentIds, String key, String value) {
    return searchRuns(experimentIds, SearchFilters.tagEquals(key, value));
  }

  static ArrayNode keyValues(Map<String, String> map) {
    ArrayNode list = Json.MAPPER.createArrayNode();
    map.forEach((k, v) -> list.addObject().put("key", k).put("value", v));
    return list;
  }
}
