package dev.trainyard.registry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What to register as a new model version: {@code setName} and {@code setSource} are required.
 * {@link Builder#fromRunArtifacts} fills source and run id from a run's artifacts, which is what
 * MLflow 3 wants (it rejects a source outside the run's artifact root when a run id is given, and a
 * {@code file:} source without one).
 */
public record ModelVersionSpec(
    String name,
    String source,
    Optional<String> runId,
    Map<String, String> tags,
    Optional<String> description) {

  public ModelVersionSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(source, "source");
    tags = Map.copyOf(tags);
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private String name;
    private String source;
    private String runId;
    private final Map<String, String> tags = new LinkedHashMap<>();
    private String description;

    private Builder() {}

    /**
     * Source and run id for the artifacts at {@code artifactPath} under {@code run}'s artifact
     * root, e.g. {@code fromRunArtifacts(run, "model")}.
     */
    public Builder fromRunArtifacts(RunInfo run, String artifactPath) {
      String path = ArtifactPaths.normalize(artifactPath);
      String root = run.artifactUri();
      while (root.endsWith("/")) {
        root = root.substring(0, root.length() - 1);
      }
      this.source = path.isEmpty() ? root : root + "/" + path;
      this.runId = run.runId();
      return this;
    }

    public Builder setName(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    public Builder setSource(String source) {
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    public Builder optRunId(String runId) {
      this.runId = Objects.requireNonNull(runId, "runId");
      return this;
    }

    public Builder optTag(String key, String value) {
      tags.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    public Builder optTags(Map<String, String> tags) {
      tags.forEach(this::optTag);
      return this;
    }

    public Builder optDescription(String description) {
      this.description = Objects.requireNonNull(description, "description");
      return this;
    }

    public ModelVersionSpec build() {
      if (name == null) {
        throw new IllegalStateException("a model version needs a registered model: call setName");
      }
      if (source == null) {
        throw new IllegalStateException(
            "a model version needs a source: call setSource or fromRunArtifacts");
      }
      return new ModelVersionSpec(
          name, source, Optional.ofNullable(runId), tags, Optional.ofNullable(description));
    }
  }
}
