package dev.trainyard.app;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The app's one JSON mapper: pipeline specs in (their unknown fields are reported by {@code
 * PipelineSpecFile} itself, so the mapper tolerates them), lineage documents read back, and the
 * {@code --json} output of the CLI.
 */
public final class Json {
  public static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private Json() {}
}
