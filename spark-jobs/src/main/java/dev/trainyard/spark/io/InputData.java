package dev.trainyard.spark.io;

import dev.trainyard.spark.features.FeatureColumns;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/** Reads a {@link DatasetInput} and checks it against a {@link FeatureColumns} spec. */
public final class InputData {
  private InputData() {}

  /** Opens the dataset (schema only; no rows are read yet). */
  public static Dataset<Row> read(SparkSession spark, DatasetInput input) {
    Path path = new Path(input.uri());
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try {
      FileSystem fs = path.getFileSystem(conf);
      boolean glob = input.uri().matches(".*[*?\\[{].*");
      FileStatus[] matches = glob ? fs.globStatus(path) : null;
      if (glob ? matches == null || matches.length == 0 : !fs.exists(path)) {
        throw new DataInputException(
            "dataset not found: "
                + input.uri()
                + " does not exist"
                + (S3Access.isS3(input.uri())
                    ? " (looked up on " + S3Access.describeEndpoint(input.uri(), conf) + ")"
                    : "")
                + ". Check the URI (scheme, bucket, path) and that the step that produces it has"
                + " run.");
      }
    } catch (IOException e) {
      if (S3Access.isS3(input.uri()) && S3Access.isMissingBucket(e)) {
        throw new DataInputException(
            "dataset not found: "
                + input.uri()
                + " does not exist: its bucket "
                + path.toUri().getHost()
                + " does not exist on "
                + S3Access.describeEndpoint(input.uri(), conf)
                + ". Check the bucket name in the URI (and the endpoint).",
            e);
      }
      String access = S3Access.accessProblem(input.uri(), e, conf);
      throw new DataInputException(
          access != null
              ? "cannot read dataset " + input.uri() + ": " + access + "."
              : "cannot look up dataset "
                  + input.uri()
                  + ": "
                  + S3Access.cause(input.uri(), e, conf)
                  + ". Check that the storage is reachable and the credentials allow listing it.",
          e);
    }
    try {
      Dataset<Row> data =
          input.format().equals("csv")
              ? spark.read().option("header", "true").option("inferSchema", "true").csv(input.uri())
              : spark.read().parquet(input.uri());
      data.schema();
      return data;
    } catch (Exception e) {
      throw unreadable(input, e);
    }
  }

  /**
   * Runs a Spark action over the dataset, turning read failures (corrupt or truncated files) into a
   * {@link DataInputException}; other failures pass through unchanged.
   */
  public static <T> T action(DatasetInput input, Supplier<T> action) {
    try {
      return action.get();
    } catch (RuntimeException e) {
      if (!(e instanceof DataInputException) && isReadFailure(e)) {
        throw unreadable(input, e);
      }
      throw e;
    }
  }

  private static boolean isReadFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException || t.getClass().getName().startsWith("org.apache.parquet")) {
        return true;
      }
      if (t instanceof SparkThrowable spark
          && spark.getCondition() != null
          && spark.getCondition().startsWith("FAILED_READ_FILE")) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private static DataInputException unreadable(DatasetInput input, Throwable e) {
    if (e instanceof DataInputException die) {
      return die;
    }
    return new DataInputException(
        "cannot read "
            + input.uri()
            + " as "
            + input.format()
            + ": "
            + rootMessage(e)
            + ". The file may be corrupt, truncated or not "
            + input.format()
            + " at all: rewrite it with the step that produces it, or point the URI (and"
            + " format) at the right data.",
        e);
  }

  public static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message =
        root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return message.strip().lines().findFirst().orElse(message);
  }

  /**
   * Checks that every named column exists and that features have usable types; throws one {@link
   * DataInputException} listing every problem of the first kind found (missing columns, then
   * types).
   *
   * @param otherColumns further columns the caller needs (e.g. named by validation rules)
   * @param numericColumns further columns that must be numeric (e.g. those with a range rule)
   */
  public static void check(
      StructType schema,
      DatasetInput input,
      FeatureColumns columns,
      Collection<String> otherColumns,
      Collection<String> numericColumns) {
    Set<String> named = new LinkedHashSet<>(columns.allColumns());
    named.addAll(otherColumns);
    named.addAll(numericColumns);
    List<String> existing = Arrays.asList(schema.fieldNames());
    Absent absent = absent(existing, named);
    List<String> missing = absent.columns();
    List<String> hints = absent.hints();
    if (!missing.isEmpty()) {
      throw new DataInputException(
          "dataset "
              + input.uri()
              + " lacks "
              + (missing.size() == 1 ? "a column" : missing.size() + " columns")
              + " named in the spec: "
              + missing
              + ". Columns in the data: "
              + existing
              + (hints.isEmpty() ? "" : ". Case differs: " + String.join(", ", hints))
              + ". Fix the column names in the spec, or the step that writes the data.");
    }
    List<String> problems = new ArrayList<>();
    Set<String> mustBeNumeric = new LinkedHashSet<>(columns.numeric());
    mustBeNumeric.addAll(numericColumns);
    for (String column : mustBeNumeric) {
      DataType type = schema.apply(column).dataType();
      if (!(type instanceof NumericType)) {
        problems.add(
            "numeric column '"
                + column
                + "' has type "
                + type.simpleString()
                + ", expected a number (int, bigint, float, double, decimal): cast it where the"
                + " data is written, or list it as categorical");
      }
    }
    for (String column : columns.categorical()) {
      DataType type = schema.apply(column).dataType();
      if (!isCategoryType(type)) {
        problems.add(
            "categorical feature '"
                + column
                + "' has type "
                + type.simpleString()
                + ", expected string, integer or boolean: list a continuous column as numeric,"
                + " or bin it into categories first");
      }
    }
    StructField label = schema.apply(columns.label());
    if (columns.isClassification()
        && !(isCategoryType(label.dataType()) || label.dataType() instanceof NumericType)) {
      problems.add(
          "label '"
              + label.name()
              + "' has type "
              + label.dataType().simpleString()
              + ", expected string, number or boolean class values");
    }
    if (!problems.isEmpty()) {
      throw new DataInputException(
          "dataset "
              + input.uri()
              + " has "
              + (problems.size() == 1 ? "a column" : problems.size() + " columns")
              + " of the wrong type: "
              + String.join("; ", problems)
              + ".");
    }
  }

  public static boolean isCategoryType(DataType type) {
    return type instanceof StringType
        || type instanceof IntegerType
        || type instanceof LongType
        || type instanceof ShortType
        || type instanceof ByteType
        || type instanceof BooleanType;
  }

  /**
   * A categorical value's text as the feature pipeline and validation see it ({@code CAST(v AS
   * STRING)}); null when missing. A string is returned as is, without copying: valid while {@code
   * row} is.
   *
   * @param type one of {@link #isCategoryType}
   */
  public static UTF8String categoryText(InternalRow row, int ordinal, DataType type) {
    if (row.isNullAt(ordinal)) {
      return null;
    }
    if (type instanceof StringType) {
      return row.getUTF8String(ordinal);
    }
    return UTF8String.fromString(String.valueOf(row.get(ordinal, type)));
  }

  public static boolean isFloating(DataType type) {
    String name = type.typeName().toLowerCase(Locale.ROOT);
    return name.equals("double") || name.equals("float");
  }

  /** A column reference safe for any column name. */
  public static String quoted(String column) {
    return "`" + column.replace("`", "``") + "`";
  }

  /** Columns a job needs that the data lacks, and case-only near misses as hints. */
  public record Absent(List<String> columns, List<String> hints) {}

  public static Absent absent(List<String> existing, Collection<String> needed) {
    List<String> missing = new ArrayList<>();
    List<String> hints = new ArrayList<>();
    for (String column : needed) {
      if (!existing.contains(column)) {
        missing.add(column);
        existing.stream()
            .filter(e -> e.equalsIgnoreCase(column))
            .findFirst()
            .ifPresent(e -> hints.add("'" + column + "' -> '" + e + "'?"));
      }
    }
    return new Absent(missing, hints);
  }
}
