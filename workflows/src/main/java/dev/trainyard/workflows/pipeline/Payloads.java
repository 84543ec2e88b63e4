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

  /**
   * Scores the candidate and the champion on the same raw test rows (each through its own feature
   * pipeline), compares them pairwise as {@code spec.gate()} says, and writes the evaluation
   * report.
   */
  public record CompareRequest(
      PipelineSpec spec,
      PipelineRun run,
      FeaturesResult features,
      String candidateModelUri,
      Champion champion) {}

  /**
   * The candidate's gain over the champion on one metric, oriented so that positive means the
   * candidate is better (also for log_loss, rmse, mae).
   *
   * @param lower the interval's lower end; null with confidence off, or when the metric was
   *     undefined in most resamples
   * @param upper the interval's upper end; null likewise
   */
  public record Difference(
      Double candidate, Double champion, Double estimate, Double lower, Double upper) {

    public static Builder builder() {
      return new Builder();
    }

    /** Builds {@link Difference}; five numbers of one kind, so each is named. */
    public static final class Builder {
      private Double candidate;
      private Double champion;
      private Double estimate;
      private Double lower;
      private Double upper;

      private Builder() {}

      public Builder setCandidate(Double candidate) {
        this.candidate = candidate;
        return this;
      }

      public Builder setChampion(Double champion) {
        this.champion = champion;
        return this;
      }

      public Builder setEstimate(Double estimate) {
        this.estimate = estimate;
        return this;
      }

      public Builder setLower(Double lower) {
        this.lower = lower;
        return this;
      }

      public Builder setUpper(Double upper) {
        this.upper = upper;
        return this;
      }

      public Difference build() {
        return new Difference(candidate, champion, estimate, lower, upper);
      }
    }
  }

  /** A bootstrap interval of one value; its ends are null when undefined. */
  public record Interval(Double lower, Double upper) {}

  /**
   * One segment value the gate compared the models on (it had at least {@code gate.minRows} test
   * rows).
   *
   * @param difference on the gate's metric ({@code minImprovement.metric})
   */
  public record SegmentComparison(String column, String value, long rows, Difference difference) {}

  /**
   * The paired comparison's summary; the per-row predictions and the resampled differences stay in
   * files (the report). Build one with {@link #builder()}.
   *
   * @param championMetrics the champion's metrics on the paired rows
   * @param confidence the interval level; null when {@code gate.confidence} is off
   * @param rows the paired test rows
   * @param differences per metric of the task
   * @param metric the metric segments are compared on
   * @param segments every segment value with at least {@code minRows} rows, by column then value
   * @param segmentsBelowMinRows segment values left out for having fewer rows
   * @param reportUri the evaluation report (JSON) on the MLflow run
   * @param bootstrapSeconds time the bootstrap took (overall and segments), for the cost record
   * @param candidateIntervals per metric: the interval of the candidate's own value over the same
   *     resamples (what a threshold {@code withConfidence} checks); empty when confidence is off or
   *     from runs that predate it
   */
  public record Comparison(
      Map<String, Double> championMetrics,
      Double confidence,
      int resamples,
      long rows,
      Map<String, Difference> differences,
      String metric,
      List<SegmentComparison> segments,
      int segmentsBelowMinRows,
      String reportUri,
      double bootstrapSeconds,
      Map<String, Interval> candidateIntervals) {

    public Comparison {
      candidateIntervals = candidateIntervals == null ? Map.of() : Map.copyOf(candidateIntervals);
    }

    public static Builder builder() {
      return new Builder();
    }

    /** {@code setChampionMetrics} and {@code setDifferences} are required. */
    public static final class Builder {
      private Map<String, Double> championMetrics;
      private Double confidence;
      private int resamples;
      private long rows;
      private Map<String, Difference> differences;
      private String metric;
      private List<SegmentComparison> segments = List.of();
      private int segmentsBelowMinRows;
      private String reportUri;
      private double bootstrapSeconds;
      private Map<String, Interval> candidateIntervals = Map.of();

      private Builder() {}

      public Builder optCandidateIntervals(Map<String, Interval> candidateIntervals) {
        this.candidateIntervals = candidateIntervals;
        return this;
      }

      public Builder setChampionMetrics(Map<String, Double> championMetrics) {
        this.championMetrics = championMetrics;
        return this;
      }

      /** The interval level; leave out (null) for the point rule. */
      public Builder optConfidence(Double confidence) {
        this.confidence = confidence;
        return this;
      }

      public Builder optResamples(int resamples) {
        this.resamples = resamples;
        return this;
      }

      public Builder setRows(long rows) {
        this.rows = rows;
        return this;
      }

      public Builder setDifferences(Map<String, Difference> differences) {
        this.differences = differences;
        return this;
      }

      public Builder setMetric(String metric) {
        this.metric = metric;
        return this;
      }

      public Builder optSegments(List<SegmentComparison> segments, int belowMinRows) {
        this.segments = segments;
        this.segmentsBelowMinRows = belowMinRows;
        return this;
      }

      public Builder optReportUri(String reportUri) {
        this.reportUri = reportUri;
        return this;
      }

      public Builder optBootstrapSeconds(double bootstrapSeconds) {
        this.bootstrapSeconds = bootstrapSeconds;
        return this;
      }

      public Comparison build() {
        if (championMetrics == null || differences == null) {
          throw new IllegalStateException(
              "a comparison needs the champion's metrics and the differences: call"
                  + " setChampionMetrics and setDifferences");
        }
        return new Comparison(
            championMetrics,
            confidence,
            resamples,
            rows,
            differences,
            metric,
            segments,
            segmentsBelowMinRows,
            reportUri,
            bootstrapSeconds,
            candidateIntervals);
      }
    }
  }

  /**
   * @param gateReasons the gate's reasons, recorded on the version (tag {@code trainyard.gate})
   *     whether or not it is promoted; null from runs that predate it
   */
  public record RegisterRequest(
      PipelineSpec spec,
      PipelineRun run,
      FeaturesResult features,
      TrainResult training,
      Map<String, Double> testMetrics,
      ValidationResult validation,
      String workflowId,
      List<String> gateReasons) {

    public static Builder builder() {
      return new Builder();
    }

    /** Builds {@link RegisterRequest}; every field but the gate reasons is required. */
    public static final class Builder {
      private PipelineSpec spec;
      private PipelineRun run;
      private FeaturesResult features;
      private TrainResult training;
      private Map<String, Double> testMetrics;
      private ValidationResult validation;
      private String workflowId;
      private List<String> gateReasons = List.of();

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

      /** What the gate said (recorded on the version); none when left out. */
      public Builder optGateReasons(List<String> gateReasons) {
        this.gateReasons = gateReasons;
        return this;
      }

      public RegisterRequest build() {
        return new RegisterRequest(
            spec, run, features, training, testMetrics, validation, workflowId, gateReasons);
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
