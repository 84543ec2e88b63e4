package dev.trainyard.activities.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.workflows.pipeline.Payloads.PipelineRun;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Stores each step's lineage with the MLflow run: the full record as artifact {@code
 * lineage/<step>.json} (a retry overwrites it) and a one-line summary tag {@code
 * trainyard.lineage.<step>} that the MLflow UI shows. Each record names the worker that ran the
 * step (identity and task queue), so a split fleet shows which machine did what.
 */
public final class LineageRecorder {
  public static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private final MlflowClient mlflow;
  private final String codeVersion;
  private final Path scratch;
  private final String workerIdentity;

  /** A recorder for the activities of the worker that {@code env} describes. */
  public LineageRecorder(ActivityEnvironment env, Path scratch) {
    this(env.mlflow(), env.codeVersion(), scratch, env.workerIdentity());
  }

  /** Names the worker by the identity of the Temporal client the activity runs under. */
  public LineageRecorder(MlflowClient mlflow, String codeVersion, Path scratch) {
    this(mlflow, codeVersion, scratch, null);
  }

  private LineageRecorder(
      MlflowClient mlflow, String codeVersion, Path scratch, String workerIdentity) {
    this.mlflow = mlflow;
    this.codeVersion = codeVersion;
    this.scratch = scratch;
    this.workerIdentity = workerIdentity;
  }

  public LineageRecord record(
      PipelineRun run,
      ActivityInfo info,
      String step,
      Instant start,
      List<LineageRecord.Dataset> inputs,
      List<LineageRecord.Dataset> outputs,
      Map<String, String> parameters,
      boolean cacheHit) {
    LineageRecord r =
        new LineageRecord(
            step,
            inputs,
            outputs,
            parameters,
            codeVersion,
            info.getWorkflowId(),
            info.getRunId(),
            info.getAttempt(),
            start,
            Instant.now(),
            cacheHit,
            new LineageRecord.Worker(workerIdentity(), info.getActivityTaskQueue()));
    // The same datasets go out as the step's OpenLineage COMPLETE event, if it is on.
    OpenLineageInterceptor.collect(inputs, outputs);
    try {
      Path dir = Files.createDirectories(scratch.resolve("lineage-" + step));
      Path file = dir.resolve(step + ".json");
      JSON.writeValue(file.toFile(), r);
      mlflow.artifacts().upload(run.artifactUri(), file, "lineage/" + step + ".json");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    mlflow
        .tracking()
        .setTag(
            run.runId(),
            "trainyard.lineage." + step,
            summary(inputs) + " -> " + summary(outputs) + (cacheHit ? " (cache hit)" : ""));
    return r;
  }

  private String workerIdentity() {
    if (workerIdentity != null) {
      return workerIdentity;
    }
    try {
      return Activity.getExecutionContext().getWorkflowClient().getOptions().getIdentity();
    } catch (RuntimeException notInAnActivity) {
      return null;
    }
  }

  private static String summary(List<LineageRecord.Dataset> ds) {
    return String.join(
        ", ",
        ds.stream()
            .map(
                d ->
                    d.uri()
                        + (d.fingerprint() == null
                            ? ""
                            : " sha256:"
                                + d.fingerprint()
                                    .substring(0, Math.min(12, d.fingerprint().length())))
                        + (d.rows() == null ? "" : " rows=" + d.rows()))
            .toList());
  }
}
