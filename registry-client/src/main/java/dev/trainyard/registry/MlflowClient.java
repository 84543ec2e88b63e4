package dev.trainyard.registry;

import java.net.URI;

/**
 * The entry point: one client per tracking server, thread-safe, to be closed when done.
 *
 * <pre>{@code
 * try (MlflowClient mlflow = new MlflowClient(MlflowConfig.of(URI.create(trackingUri)))) {
 *   Experiment e = mlflow.tracking().getOrCreateExperiment("churn");
 *   Run run = mlflow.tracking().createRun(RunSpec.builder().setExperimentId(e.experimentId()).build());
 *   mlflow.artifacts().upload(run.info().artifactUri(), modelDir, "model");
 *   mlflow.registry().createRegisteredModel("churn");
 *   ModelVersion v = mlflow.registry().createModelVersion(
 *       ModelVersionSpec.builder().setName("churn").fromRunArtifacts(run.info(), "model").build());
 * }
 * }</pre>
 */
public final class MlflowClient implements AutoCloseable {
  private final MlflowConfig config;
  private final TrackingClient tracking;
  private final ModelRegistryClient registry;
  private final ArtifactStore artifacts;

  public MlflowClient(MlflowConfig config) {
    this.config = config;
    MlflowHttp http = new MlflowHttp(config);
    this.tracking = new TrackingClient(http);
    this.registry = new ModelRegistryClient(http);
    this.artifacts = new ArtifactStore(http, config.s3());
  }

  /** A client for an unauthenticated server, S3 settings from the environment. */
  public MlflowClient(URI trackingUri) {
    this(MlflowConfig.of(trackingUri));
  }

  public MlflowConfig config() {
    return config;
  }

  /** Experiments, runs, params, metrics, tags. */
  public TrackingClient tracking() {
    return tracking;
  }

  /** Registered models, versions, aliases. */
  public ModelRegistryClient registry() {
    return registry;
  }

  /** Artifact upload, download and listing for any run or experiment artifact URI. */
  public ArtifactStore artifacts() {
    return artifacts;
  }

  @Override
  public void close() {
    artifacts.close();
  }

  @Override
  public String toString() {
    return "MlflowClient{" + config + '}';
  }
}
