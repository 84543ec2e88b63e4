package dev.trainyard.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/** A run: its metadata and what it logged. */
public record Run(RunInfo info, RunData data) {
  /** The tag MLflow uses to nest a run under a parent run. */
  public static final String PARENT_RUN_ID_TAG = "mlflow.parentRunId";

  public String runId() {
    return info.runId();
  }

  public Optional<String> tag(String key) {
    return Optional.ofNullable(data.tags().get(key));
  }

  public Optional<String> parentRunId() {
    return tag(PARENT_RUN_ID_TAG);
  }

  static Run fromJson(JsonNode run) {
    return new Run(RunInfo.fromJson(run.path("info")), RunData.fromJson(run.path("data")));
  }
}
