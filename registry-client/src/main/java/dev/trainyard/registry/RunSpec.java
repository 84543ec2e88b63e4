package dev.trainyard.registry;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** What to create a run with: {@code setExperimentId} is required, the rest optional. */
public record RunSpec(
    String experimentId,
    Optional<String> runName,
    Map<String, String> tags,
    Optional<String> parentRunId,
    Optional<Instant> startTime) {

  public RunSpec {
    Objects.requireNonNull(experimentId, "experimentId");
    tags = Map.copyOf(tags);
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private String experimentId;
    private String runName;
    private final Map<String, String> tags = new LinkedHashMap<>();
    private String parentRunId;
    private Instant startTime;

    private Builder() {}

    public Builder setExperimentId(String experimentId) {
      this.experimentId = Objects.requireNonNull(experimentId, "experimentId");
      return this;
    }

    public Builder optRunName(String runName) {
      this.runName = Objects.requireNonNull(runName, "runName");
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

    /** Nests the run under {@code parentRunId} (MLflow's {@code mlflow.parentRunId} tag). */
    public Builder optParentRunId(String parentRunId) {
      this.parentRunId = Objects.requireNonNull(parentRunId, "parentRunId");
      return this;
    }

    /** Defaults to now. */
    public Builder optStartTime(Instant startTime) {
      this.startTime = Objects.requireNonNull(startTime, "startTime");
      return this;
    }

    public RunSpec build() {
      if (experimentId == null) {
        throw new IllegalStateException("a run needs an experiment: call setExperimentId");
      }
      return new RunSpec(
          experimentId,
          Optional.ofNullable(runName),
          tags,
          Optional.ofNullable(parentRunId),
          Optional.ofNullable(startTime));
    }
  }
}
