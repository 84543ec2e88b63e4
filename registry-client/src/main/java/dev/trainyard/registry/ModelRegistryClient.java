package dev.trainyard.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The model registry: {@code /api/2.0/mlflow/registered-models/*} and {@code model-versions/*},
 * aliases included.
 */
public final class ModelRegistryClient {
  private static final int SEARCH_PAGE_SIZE = 200;
  // MLflow answers a missing alias of an existing model with INVALID_PARAMETER_VALUE.
  private static final Pattern ALIAS_NOT_FOUND =
      Pattern.compile("alias .* not found", Pattern.CASE_INSENSITIVE);

  private final MlflowHttp http;

  ModelRegistryClient(MlflowHttp http) {
    this.http = http;
  }

  /** The registered model {@code name}, created if absent (an existing one is returned as is). */
  public RegisteredModel createRegisteredModel(String name) {
    return createRegisteredModel(name, Map.of(), null);
  }

  /**
   * The registered model {@code name}, created with {@code tags} and {@code description} (may be
   * null) if absent. When it exists already it is returned unchanged, so retries are safe.
   */
  public RegisteredModel createRegisteredModel(
      String name, Map<String, String> tags, String description) {
    ObjectNode body = MlflowHttp.object().put("name", name);
    body.set("tags", TrackingClient.keyValues(tags));
    if (description != null) {
      body.put("description", description);
    }
    try {
      return RegisteredModel.fromJson(
          http.post("registered-models/create", body).path("registered_model"));
    } catch (ResourceAlreadyExistsException exists) {
      return getRegisteredModel(name);
    }
  }

  /**
   * @throws ResourceNotFoundException if there is no such model
   */
  public RegisteredModel getRegisteredModel(String name) {
    return RegisteredModel.fromJson(
        http.get("registered-models/get", Map.of("name", name)).path("registered_model"));
  }

  /** Sets (or replaces) the registered model's tag {@code key}. */
  public void setRegisteredModelTag(String name, String key, String value) {
    http.post(
        "registered-models/set-tag",
        MlflowHttp.object().put("name", name).put("key", key).put("value", value));
  }

  /** Deletes the registered model with all its versions. */
  public void deleteRegisteredModel(String name) {
    http.delete("registered-models/delete", MlflowHttp.object().put("name", name));
  }

  /**
   * Registers a new version. The version may start as {@code PENDING_REGISTRATION}: see {@link
   * #waitUntilReady}.
   *
   * @throws ResourceNotFoundException if the registered model does not exist
   * @throws InvalidParameterException if MLflow rejects the source (outside the run's artifacts)
   */
  public ModelVersion createModelVersion(ModelVersionSpec spec) {
    ObjectNode body = MlflowHttp.object().put("name", spec.name()).put("source", spec.source());
    spec.runId().ifPresent(r -> body.put("run_id", r));
    spec.description().ifPresent(d -> body.put("description", d));
    body.set("tags", TrackingClient.keyValues(spec.tags()));
    return ModelVersion.fromJson(http.post("model-versions/create", body).path("model_version"));
  }

  /**
   * @throws ResourceNotFoundException if there is no such version
   */
  public ModelVersion getModelVersion(String name, String version) {
    return ModelVersion.fromJson(
        http.get("model-versions/get", Map.of("name", name, "version", version))
            .path("model_version"));
  }

  /**
   * Polls until the version is {@code READY}.
   *
   * @throws MlflowException {@code MODEL_VERSION_REGISTRATION_FAILED} (not retryable) if MLflow
   *     marks it {@code FAILED_REGISTRATION}, or {@code TIMEOUT} (retryable) if it is still pending
   *     after {@code timeout}
   */
  public ModelVersion waitUntilReady(String name, String version, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    long sleepMillis = 100;
    while (true) {
      ModelVersion v = getModelVersion(name, version);
      switch (v.status()) {
        case READY:
          return v;
        case FAILED_REGISTRATION:
          throw new MlflowException(
              "MODEL_VERSION_REGISTRATION_FAILED",
              "registration of " + name + " version " + version + " failed: " + v.statusMessage(),
              0,
              false,
              "waitUntilReady",
              null);
        default:
          break;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new MlflowException(
            "TIMEOUT",
            name + " version " + version + " still " + v.status() + " after " + timeout,
            0,
            true,
            "waitUntilReady",
            null);
      }
      try {
        Thread.sleep(sleepMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new MlflowException(
            "INTERRUPTED", "interrupted waiting for " + name + " v" + version, 0, true, null, e);
      }
      sleepMillis = Math.min(sleepMillis * 2, 2000);
    }
  }

  /**
   * Model versions matching an MLflow filter string, e.g. {@code
   * SearchFilters.and(SearchFilters.nameEquals("m"), SearchFilters.tagEquals("k", "v"))}; every
   * page is fetched.
   */
  public List<ModelVersion> searchModelVersions(String filter) {
    List<ModelVersion> out = new ArrayList<>();
    String pageToken = "";
    do {
      Map<String, String> q = new LinkedHashMap<>();
      q.put("filter", filter);
      q.put("max_results", Integer.toString(SEARCH_PAGE_SIZE));
      if (!pageToken.isEmpty()) {
        q.put("page_token", pageToken);
      }
      JsonNode r = http.get("model-versions/search", q);
      Json.elements(r, "model_versions").forEach(n -> out.add(ModelVersion.fromJson(n)));
      pageToken = Json.text(r, "next_page_token");
    } while (!pageToken.isEmpty());
    return out;
  }

  /** All versions of one registered model. */
  public List<ModelVersion> listModelVersions(String name) {
    return searchModelVersions(SearchFilters.nameEquals(name));
  }

  public void setModelVersionTag(String name, String version, String key, String value) {
    http.post(
        "model-versions/set-tag",
        MlflowHttp.object()
            .put("name", name)
            .put("version", version)
            .put("key", key)
            .put("value", value));
  }

  /** Points {@code alias} at {@code version}, moving it from any other version. */
  public void setAlias(String name, String alias, String version) {
    http.post(
        "registered-models/alias",
        MlflowHttp.object().put("name", name).put("alias", alias).put("version", version));
  }

  /** Removes {@code alias}; removing an alias that is not set is not an error. */
  public void deleteAlias(String name, String alias) {
    http.delete(
        "registered-models/alias", MlflowHttp.object().put("name", name).put("alias", alias));
  }

  /**
   * The version {@code alias} points at.
   *
   * @throws ResourceNotFoundException if the model does not exist or the alias is not set
   */
  public ModelVersion getModelVersionByAlias(String name, String alias) {
    try {
      return ModelVersion.fromJson(
          http.get("registered-models/alias", Map.of("name", name, "alias", alias))
              .path("model_version"));
    } catch (InvalidParameterException e) {
      if (ALIAS_NOT_FOUND.matcher(e.serverMessage()).find()) {
        throw new ResourceNotFoundException(
            MlflowErrors.NOT_FOUND, e.serverMessage(), e.httpStatus(), "getModelVersionByAlias", e);
      }
      throw e;
    }
  }

  /** The version {@code alias} points at, or empty when the alias is not set. */
  public Optional<ModelVersion> findModelVersionByAlias(String name, String alias) {
    try {
      return Optional.of(getModelVersionByAlias(name, alias));
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * @throws ResourceNotFoundException if there is no such version
   */
  public void deleteModelVersion(String name, String version) {
    http.delete(
        "model-versions/delete", MlflowHttp.object().put("name", name).put("version", version));
  }
}
