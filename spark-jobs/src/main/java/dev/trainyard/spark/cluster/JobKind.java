package dev.trainyard.spark.cluster;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The Spark steps {@link JobMain} runs on a cluster. */
public enum JobKind {
  /** {@code FeatureJob.fitAndWrite}: result {@code FeatureResult}. */
  FEATURES,
  /** {@code ScoringJob.score}: result {@code ScoringReport}. */
  SCORING,
  /** {@code DataValidation.validate}: result {@code ValidationReport}. */
  VALIDATION;

  /** The name on the command line and in JSON: {@code features}, {@code scoring}, ... */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static JobKind parse(String id) {
    for (JobKind kind : values()) {
      if (kind.id().equals(id == null ? "" : id.trim().toLowerCase(Locale.ROOT))) {
        return kind;
      }
    }
    throw new IllegalArgumentException(
        "unknown job kind '"
            + id
            + "'; use one of "
            + Arrays.stream(values()).map(JobKind::id).collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return id();
  }
}
