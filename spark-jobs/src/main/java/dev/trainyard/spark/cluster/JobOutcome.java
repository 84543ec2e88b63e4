package dev.trainyard.spark.cluster;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import dev.trainyard.spark.features.FeatureResult;
import dev.trainyard.spark.scoring.ScoringReport;
import dev.trainyard.spark.validation.ValidationReport;

/**
 * What {@link JobMain} writes to the request's {@code resultUri} before it stops: the engine's
 * result, or the error that ended the job (its class and message, as the driver saw them).
 *
 * @param status {@code succeeded} or {@code failed}
 * @param appId the Spark application id ({@code app-...}, {@code application_...}, {@code
 *     spark-...})
 * @param result the engine's result as JSON (succeeded only)
 * @param errorType the exception's class name, e.g. {@code
 *     dev.trainyard.spark.io.DataInputException} (failed only)
 * @param errorMessage the exception's message, causes appended (failed only)
 */
public record JobOutcome(
    JobKind kind,
    String status,
    String appId,
    double seconds,
    JsonNode result,
    String errorType,
    String errorMessage) {

  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";

  @JsonIgnore
  public boolean succeeded() {
    return SUCCEEDED.equals(status);
  }

  /** The result of a {@link JobKind#FEATURES} job. */
  public FeatureResult featureResult() {
    return ClusterJson.convert(require(JobKind.FEATURES), FeatureResult.class);
  }

  /** The result of a {@link JobKind#SCORING} job. */
  public ScoringReport scoringReport() {
    return ScoringReport.fromJson(require(JobKind.SCORING).toString());
  }

  /** The result of a {@link JobKind#VALIDATION} job. */
  public ValidationReport validationReport() {
    return ValidationReport.fromJson(require(JobKind.VALIDATION).toString());
  }

  private JsonNode require(JobKind expected) {
    if (kind != expected) {
      throw new IllegalStateException("this is the outcome of a " + kind + " job, not " + expected);
    }
    if (!succeeded() || result == null) {
      throw new IllegalStateException(
          "the " + kind + " job failed (" + errorType + ": " + errorMessage + "); no result");
    }
    return result;
  }

  public String toJson() {
    return ClusterJson.write(this);
  }

  public static JobOutcome fromJson(String json) {
    return ClusterJson.read(json, JobOutcome.class);
  }
}
