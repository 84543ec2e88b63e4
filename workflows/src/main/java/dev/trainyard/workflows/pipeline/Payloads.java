package dev.trainyard.workflows.pipeline;

import java.util.List;
import java.util.Map;

/**
 * What the pipeline's activities take and return: references (URIs) and summaries, never data, so
 * every payload stays far below Temporal's 2 MB limit.
 */
public final class Payloads {
  private Payloads() {}

  /** The MLflow parent run that collects everything one pipeline run produces. */
  public record PipelineRun(String experimentId, String runId, String artifactUri) {}

  /** The current champion, if any: where its model and its training profile are. */
  public record Champion(
      String version,
      String runId,
      String modelUri,
      String featurePipelineUri,
      String profileUri) {}

  public record ValidateDataRequest(PipelineSpec spec, PipelineRun run, Champion champion) {}

  /**
   * @param violations one readable line per violation (empty when passed)
   * @param reportUri the full JSON report (an MLflow artifact)
   * @param fingerprint SHA-256 over the dataset's bytes
   */
  public record ValidationResult(
      boolean passed,
      long rows,
      List<String> violations,
      String reportUri,
      String fingerprint,
      String profileUri) {}

  public record BuildFeaturesRequest(PipelineSpec spec, PipelineRun run, String fingerprint) {}

  /**
   * Build one with {@link #builder()}.
   *
   * @param featuresUri folder with train/, validation/, test/, raw-test/, pipeline/, features.json
   * @param cacheHit the outputs were reused from an earlier run over the same data and spec
   */
  public record FeaturesResult(
      String featuresUri,
      String cacheKey,
      boolean cacheHit,
      long trainRows,
      long validationRows,
      long testRows,
      int numFeatures,
      int numClasses) {

    public static Builder builder() {
      return new Builder();
    }

    /** {@code setFeaturesUri} and {@code setCacheKey} are required; counts default to 0. */
    public static final class Builder {
      private String featuresUri;
      private String cacheKey;
      private boolean cacheHit;
      private long trainRows;
      private long validationRows;
      private long testRows;
      private int numFeatures;
      private int numClasses;

      private Builder() {}

      public Builder setFeaturesUri(String featuresUri) {
        this.featuresUri = featuresUri;
        return this;
      }

      public Builder setCacheKey(String cacheKey) {
        this.cacheKey = cacheKey;
        return this;
      }

      public Builder optCacheHit(boolean cacheHit) {
        this.cacheHit = cacheHit;
        return this;
      }

      public Builder setTrainRows(long trainRows) {
        this.trainRows = trainRows;
        return this;
      }

      public Builder setValidationRows(long validationRows) {
        this.validationRows = validationRows;
        return this;
      }

      public Builder setTestRows(long testRows) {
        this.testRows = testRows;
        return this;
      }

      public Builder setNumFeatures(int numFeatures) {
        this.numFeatures = numFeatures;
        return this;
      }

      /** 2 or more for a classifier, 1 for regression. */
      public Builder setNumClasses(int numClasses) {
        this.numClasses = numClasses;
        return this;
      }

      public FeaturesResult build() {
        if (featuresUri == null || cacheKey == null) {
          throw new IllegalStateException(
              "features name where they are and their cache key: call setFeaturesUri and"
                  + " setCacheKey");
        }
        return new FeaturesResult(
            featuresUri,
            cacheKey,
            cacheHit,
            trainRows,
            validationRows,
            testRows,
            numFeatures,
            numClasses);
      }
    }
  }

  public record TrainRequest(PipelineSpec spec, PipelineRun run, FeaturesResult features) {}

  public record TrainResult(
      String modelUri,
      int epochsRun,
      int bestEpoch,
      int resumedFromEpoch,
      Map<String, Double> validationMetrics,
      String device) {}

  /** Evaluates the candidate (its own features) or the champion (raw test rows, its pipeline). */
  public record EvaluateRequest(
      PipelineSpec spec,
      PipelineRun run,
      FeaturesResult features,
      String modelUri,
      Champion champion) {}

  public record RegisterRequest(
      PipelineSpec spec,
      PipelineRun run,
      FeaturesResult features,
      TrainResult training,
      Map<String, Double> testMetrics,
      ValidationResult validation,
      String workflowId) {

    public static Builder builder() {
      return new Builder();
    }

    /** Builds {@link RegisterRequest}; every field is required. */
    public static final class Builder {
      private PipelineSpec spec;
      private PipelineRun run;
      private FeaturesResult features;
      private TrainResult training;
      private Map<String, Double> testMetrics;
      private ValidationResult validation;
      private String workflowId;

      private Builder() {}

      public Builder setSpec(PipelineSpec spec) {
        this.spec = spec;
        return this;
      }

      public Builder setRun(PipelineRun run) {
        this.run = run;
        return this;
      }

      public Builder setFeatures(FeaturesResult features) {
        this.features = features;
        return this;
      }

      public Builder setTraining(TrainResult training) {
        this.training = training;
        return this;
      }

      public Builder setTestMetrics(Map<String, Double> testMetrics) {
        this.testMetrics = testMetrics;
        return this;
      }

      public Builder setValidation(ValidationResult validation) {
        this.validation = validation;
        return this;
      }

      public Builder setWorkflowId(String workflowId) {
        this.workflowId = workflowId;
        return this;
      }

      public RegisterRequest build() {
        return new RegisterRequest(
            spec, run, features, training, testMetrics, validation, workflowId);
      }
    }
  }

  public record ModelVersionRef(String name, String version, String source) {}

  /**
   * @param expectedChampion the champion version the gate compared against (null: there was none);
   *     promotion moves champion only from that version
   */
  public record PromoteRequest(
      String registeredModel, String version, List<String> reasons, String expectedChampion) {}

  public record Promotion(String name, String version, String previousChampion) {}

  public record FinishRunRequest(PipelineRun run, String status, String outcome) {}
}
