package dev.trainyard.spark.cluster;

import dev.trainyard.spark.features.FeatureColumns;
import dev.trainyard.spark.features.SplitSpec;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.scoring.ScoringRequest;
import dev.trainyard.spark.validation.DataProfile;
import dev.trainyard.spark.validation.ValidationRules;
import java.util.Objects;

/**
 * One job for {@link JobMain}: its kind, where the driver writes its {@link JobOutcome}, and the
 * arguments of exactly one engine call. Travels as JSON (a file the driver reads by URI); build it
 * with {@link #features}, {@link #scoring} or {@link #validation} — {@link SparkSubmitter} fills in
 * {@code resultUri}.
 *
 * @param resultUri where the driver writes the outcome ({@code file:} in client deploy mode; a
 *     location the driver and the submitter both see, e.g. {@code s3a://}, in cluster deploy mode)
 */
public record JobRequest(
    JobKind kind,
    String resultUri,
    Features features,
    ScoringRequest scoring,
    Validation validation) {

  /** {@code FeatureJob.fitAndWrite(spark, input, columns, split, outputUri)}. */
  public record Features(
      DatasetInput input, FeatureColumns columns, SplitSpec split, String outputUri) {
    public Features {
      Objects.requireNonNull(input, "input");
      Objects.requireNonNull(columns, "columns");
      Objects.requireNonNull(split, "split");
      Objects.requireNonNull(outputUri, "outputUri");
    }
  }

  /**
   * {@code DataValidation.validate(spark, input, columns, rules, championProfile)}.
   *
   * @param rules null for the defaults
   * @param championProfile null when there is no champion to compare with
   */
  public record Validation(
      DatasetInput input,
      FeatureColumns columns,
      ValidationRules rules,
      DataProfile championProfile) {
    public Validation {
      Objects.requireNonNull(input, "input");
      Objects.requireNonNull(columns, "columns");
    }
  }

  public JobRequest {
    Objects.requireNonNull(kind, "kind");
    Object args =
        switch (kind) {
          case FEATURES -> features;
          case SCORING -> scoring;
          case VALIDATION -> validation;
        };
    int given =
        (features == null ? 0 : 1) + (scoring == null ? 0 : 1) + (validation == null ? 0 : 1);
    if (args == null || given != 1) {
      throw new IllegalArgumentException(
          "a " + kind + " job request needs its '" + kind + "' arguments and no others");
    }
  }

  public static JobRequest features(
      DatasetInput input, FeatureColumns columns, SplitSpec split, String outputUri) {
    return new JobRequest(
        JobKind.FEATURES, null, new Features(input, columns, split, outputUri), null, null);
  }

  public static JobRequest scoring(ScoringRequest request) {
    return new JobRequest(JobKind.SCORING, null, null, request, null);
  }

  public static JobRequest validation(
      DatasetInput input,
      FeatureColumns columns,
      ValidationRules rules,
      DataProfile championProfileOrNull) {
    return new JobRequest(
        JobKind.VALIDATION,
        null,
        null,
        null,
        new Validation(input, columns, rules, championProfileOrNull));
  }

  public JobRequest withResultUri(String uri) {
    return new JobRequest(kind, uri, features, scoring, validation);
  }

  public String toJson() {
    return ClusterJson.write(this);
  }

  public static JobRequest fromJson(String json) {
    return ClusterJson.read(json, JobRequest.class);
  }
}
