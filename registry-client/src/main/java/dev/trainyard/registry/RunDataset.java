package dev.trainyard.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A dataset a run used, as MLflow's Datasets panel shows it ({@code runs/log-inputs}): the dataset
 * (name, digest, source, schema, profile) and the input's tags, of which {@code
 * mlflow.data.context} says how the run used it ({@code training}, {@code validation}, {@code
 * test}, {@code scoring}).
 *
 * @param name the dataset's name
 * @param digest short content digest, at most {@value #MAX_DIGEST} characters (MLflow's limit)
 * @param sourceType where it lives, as MLflow names it: {@code local}, {@code s3}, {@code http}, …
 * @param source MLflow's source spec, a JSON object: {@code {"uri": "s3://…"}}
 * @param schema MLflow's schema JSON ({@code {"mlflow_colspec": [...]}}), or null
 * @param profile MLflow's profile JSON ({@code {"num_rows": …}}), or null
 * @param tags the input's tags, {@code mlflow.data.context} among them
 */
public record RunDataset(
    String name,
    String digest,
    String sourceType,
    String source,
    String schema,
    String profile,
    Map<String, String> tags) {
  /** MLflow refuses a longer digest. */
  public static final int MAX_DIGEST = 36;

  /** The input tag MLflow's UI shows as the dataset's use. */
  public static final String CONTEXT_TAG = "mlflow.data.context";

  public RunDataset {
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags == null ? Map.of() : tags));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The {@code mlflow.data.context} tag. */
  public Optional<String> context() {
    return Optional.ofNullable(tags.get(CONTEXT_TAG));
  }

  /** The URI in {@link #source()}, for sources written as {@code {"uri": …}}. */
  public Optional<String> sourceUri() {
    try {
      return Json.optText(Json.MAPPER.readTree(source), "uri");
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** {@code num_rows} of the profile, when there is one. */
  public Optional<Long> rows() {
    if (profile == null) {
      return Optional.empty();
    }
    try {
      JsonNode p = Json.MAPPER.readTree(profile);
      return p.has("num_rows") ? Optional.of(p.get("num_rows").asLong()) : Optional.empty();
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** MLflow's source type for a URI's scheme: {@code s3}, {@code local} (file), else the scheme. */
  public static String sourceTypeOf(String uri) {
    int colon = uri.indexOf(':');
    String scheme = colon <= 0 ? "file" : uri.substring(0, colon);
    return switch (scheme) {
      case "s3", "s3a", "s3n" -> "s3";
      case "file" -> "local";
      default -> scheme;
    };
  }

  ObjectNode toJson() {
    ObjectNode input = MlflowHttp.object();
    ObjectNode d = input.putObject("dataset");
    d.put("name", name).put("digest", digest).put("source_type", sourceType).put("source", source);
    if (schema != null) {
      d.put("schema", schema);
    }
    if (profile != null) {
      d.put("profile", profile);
    }
    ArrayNode ts = input.putArray("tags");
    tags.forEach((k, v) -> ts.addObject().put("key", k).put("value", v));
    return input;
  }

  static RunDataset fromJson(JsonNode input) {
    JsonNode d = input.path("dataset");
    return new RunDataset(
        Json.text(d, "name"),
        Json.text(d, "digest"),
        Json.text(d, "source_type"),
        Json.text(d, "source"),
        Json.optText(d, "schema").orElse(null),
        Json.optText(d, "profile").orElse(null),
        Json.keyValues(input.path("tags")));
  }

  /** One column of the schema: its name and MLflow type (double, long, string, boolean, …). */
  public record Column(String name, String type) {}

  /**
   * {@code setName}, {@code setDigest} and {@code setSource} are required; the source type follows
   * the URI unless set.
   */
  public static final class Builder {
    private String name;
    private String digest;
    private String sourceUri;
    private String sourceType;
    private final List<Column> columns = new ArrayList<>();
    private final Map<String, Object> profile = new LinkedHashMap<>();
    private final Map<String, String> tags = new LinkedHashMap<>();

    private Builder() {}

    public Builder setName(String name) {
      this.name = name;
      return this;
    }

    /**
     * The content digest; a longer one (a SHA-256 in hex) keeps its first {@value #MAX_DIGEST}
     * characters.
     */
    public Builder setDigest(String digest) {
      this.digest = digest.length() > MAX_DIGEST ? digest.substring(0, MAX_DIGEST) : digest;
      return this;
    }

    public Builder setSource(String uri) {
      this.sourceUri = uri;
      return this;
    }

    public Builder optSourceType(String sourceType) {
      this.sourceType = sourceType;
      return this;
    }

    public Builder optColumn(String name, String mlflowType) {
      columns.add(new Column(name, mlflowType));
      return this;
    }

    public Builder optRows(long rows) {
      profile.put("num_rows", rows);
      return this;
    }

    /** Another profile entry (numbers and strings). */
    public Builder optProfile(String key, Object value) {
      profile.put(key, value);
      return this;
    }

    /** {@code training}, {@code validation}, {@code test}, {@code scoring}. */
    public Builder optContext(String context) {
      tags.put(CONTEXT_TAG, context);
      return this;
    }

    public Builder optTag(String key, String value) {
      tags.put(key, value);
      return this;
    }

    public RunDataset build() {
      if (name == null || digest == null || sourceUri == null) {
        throw new IllegalStateException("a dataset input needs a name, a digest and a source");
      }
      String source = MlflowHttp.object().put("uri", sourceUri).toString();
      String schema = null;
      if (!columns.isEmpty()) {
        ObjectNode s = MlflowHttp.object();
        ArrayNode spec = s.putArray("mlflow_colspec");
        for (Column c : columns) {
          spec.addObject().put("type", c.type()).put("name", c.name()).put("required", true);
        }
        schema = s.toString();
      }
      String profileJson = profile.isEmpty() ? null : Json.MAPPER.valueToTree(profile).toString();
      return new RunDataset(
          name,
          digest,
          sourceType == null ? sourceTypeOf(sourceUri) : sourceType,
          source,
          schema,
          profileJson,
          tags);
    }
  }
}
