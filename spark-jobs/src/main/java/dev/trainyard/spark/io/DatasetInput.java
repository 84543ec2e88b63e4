package dev.trainyard.spark.io;

import java.util.Locale;
import java.util.Objects;

/**
 * Where a dataset lives and how it is stored.
 *
 * @param uri a file or directory: {@code file:///...}, a plain local path, or {@code s3a://...}
 * @param format {@code parquet} or {@code csv} (CSV is read with a header row and inferred types)
 */
public record DatasetInput(String uri, String format) {
  public DatasetInput {
    Objects.requireNonNull(uri, "uri");
    if (uri.isBlank()) {
      throw new IllegalArgumentException("dataset uri is blank");
    }
    format = format == null ? "parquet" : format.trim().toLowerCase(Locale.ROOT);
    if (!format.equals("parquet") && !format.equals("csv")) {
      throw new IllegalArgumentException(
          "dataset format '" + format + "' is not supported; use 'parquet' or 'csv'");
    }
  }

  public static DatasetInput parquet(String uri) {
    return new DatasetInput(uri, "parquet");
  }

  public static DatasetInput csv(String uri) {
    return new DatasetInput(uri, "csv");
  }
}
