package dev.trainyard.activities.runtime;

import dev.trainyard.registry.MlflowClient;
import java.nio.file.Path;

/**
 * What every activity (training pipeline and batch scoring) needs from the worker that hosts it.
 *
 * @param lakeDir where feature outputs live, keyed by their cache key so runs can share them
 * @param workDir per-workflow scratch space (checkpoints, downloads), keyed by workflow id and step
 *     so a retried activity finds what its previous attempt left
 * @param codeVersion recorded in lineage and in the feature cache key
 * @param workerIdentity the hosting worker's Temporal identity (e.g. {@code 4242@gpu-node-1}),
 *     recorded in lineage so a step can be traced to the machine that ran it; null means "the
 *     identity of the client the activity runs under"
 * @param metrics where the activities record Trainyard's metrics (rows, training throughput);
 *     {@link TrainyardMetrics#NONE} records nothing
 */
public record ActivityEnvironment(
    MlflowClient mlflow,
    Path lakeDir,
    Path workDir,
    String codeVersion,
    String workerIdentity,
    TrainyardMetrics metrics) {

  /** An environment recording no metrics ({@link TrainyardMetrics#NONE}). */
  public ActivityEnvironment(
      MlflowClient mlflow, Path lakeDir, Path workDir, String codeVersion, String workerIdentity) {
    this(mlflow, lakeDir, workDir, codeVersion, workerIdentity, TrainyardMetrics.NONE);
  }

  /** An environment whose lineage names the worker by its Temporal client identity. */
  public ActivityEnvironment(MlflowClient mlflow, Path lakeDir, Path workDir, String codeVersion) {
    this(mlflow, lakeDir, workDir, codeVersion, null);
  }
}
