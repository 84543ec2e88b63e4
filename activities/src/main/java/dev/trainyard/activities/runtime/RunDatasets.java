package dev.trainyard.activities.runtime;

import dev.trainyard.registry.RunDataset;
import dev.trainyard.spark.validation.ValidationReport;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TaskKind;
import java.util.Map;

/**
 * The datasets a run used, as MLflow's Datasets panel shows them ({@code runs/log-inputs}): the
 * name is the URI's last path segment, the digest the first {@value RunDataset#MAX_DIGEST} hex
 * digits of Trainyard's content fingerprint (SHA-256; MLflow allows no longer digest), with the
 * full SHA-256 in the profile and in the input tag {@code trainyard.sha256}. URIs only: no
 * credentials.
 */
public final class RunDatasets {
  /** The input tag holding the full content fingerprint. */
  public static final String SHA256_TAG = "trainyard.sha256";

  private RunDatasets() {}

  /**
   * The pipeline's dataset (context {@code training}), with the schema Trainyard reads it with:
   * numeric features as double, categorical features as string, the label as double (regression) or
   * string.
   */
  public static RunDataset training(
      PipelineSpec spec, String uri, String sha256, ValidationReport report) {
    RunDataset.Builder b = base(uri, sha256, report.rows(), "training");
    Map<String, String> columns = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, ValidationReport.ColumnStats> c : report.columns().entrySet()) {
      String kind = c.getValue().kind();
      String type =
          switch (kind) {
            case "numeric" -> "double";
            case "label" -> spec.taskKind() == TaskKind.REGRESSION ? "double" : "string";
            default -> "string";
          };
      b.optColumn(c.getKey(), type);
      columns.put(c.getKey(), type);
    }
    // The same schema goes on the dataset in the step's OpenLineage events.
    OpenLineageInterceptor.schema(uri, columns);
    return b.build();
  }

  /** A split the features step wrote (context {@code validation} or {@code test}). */
  public static RunDataset split(String uri, String digest, long rows, String context) {
    return base(uri, digest, rows, context).build();
  }

  /** A scoring run's input batch (context {@code scoring}). */
  public static RunDataset scoring(String uri, String sha256, long rows) {
    return base(uri, sha256, rows, "scoring").build();
  }

  private static RunDataset.Builder base(String given, String sha256, long rows, String context) {
    // A bare absolute path is a local file: MLflow's source is a URI.
    String uri = given.startsWith("/") ? "file://" + given : given;
    return RunDataset.builder()
        .setName(name(uri))
        .setDigest(sha256)
        .setSource(uri)
        .optRows(rows)
        .optProfile("sha256", sha256)
        .optContext(context)
        .optTag(SHA256_TAG, sha256);
  }

  /** The last path segment without its extension: {@code churn} for {@code …/churn.parquet}. */
  static String name(String uri) {
    String path = uri.replaceAll("/+$", "");
    String last = path.substring(path.lastIndexOf('/') + 1);
    int dot = last.lastIndexOf('.');
    return dot > 0 ? last.substring(0, dot) : last.isEmpty() ? uri : last;
  }
}
