package dev.trainyard.spark.features;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.trainyard.spark.io.DataInputException;
import dev.trainyard.spark.io.InputData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The spec's feature engineering before the feature pipeline: an ordered list of steps applied to
 * the raw rows, and a filter choosing the rows to train and evaluate on. The steps are saved as the
 * first stages of the fitted feature pipeline, so batch scoring applies exactly these (the filter
 * is not: at scoring there is no label to filter on).
 *
 * @param steps applied in order; each sees the previous step's output
 * @param trainingFilter a Spark SQL predicate over the transformed rows (e.g. {@code arr_delay IS
 *     NOT NULL}); rows where it is not true are left out of training and evaluation; null keeps all
 * @param maxFilteredFraction the largest share of rows the filter may remove before validation
 *     fails; null means {@link #DEFAULT_MAX_FILTERED_FRACTION}
 */
public record FeatureTransform(
    List<Step> steps,
    String trainingFilter,
    Double maxFilteredFraction,
    Map<String, Encoding> encodings) {

  public static final double DEFAULT_MAX_FILTERED_FRACTION = 0.5;
  public static final FeatureTransform NONE = new FeatureTransform(List.of(), null, null);

  /** Steps and a filter, every categorical column one-hot encoded. */
  public FeatureTransform(List<Step> steps, String trainingFilter, Double maxFilteredFraction) {
    this(steps, trainingFilter, maxFilteredFraction, null);
  }

  /** Date and time parts a {@code datetime} step can add. */
  public static final List<String> DATETIME_PARTS =
      List.of(
          "hour",
          "dayofweek",
          "month",
          "dayofyear",
          "hour_cyclic",
          "dayofweek_cyclic",
          "month_cyclic",
          "dayofyear_cyclic");

  /** The placeholder a {@code sql} step reads from, as in Spark ML's SQLTransformer. */
  public static final String THIS = "__THIS__";

  private static final Pattern SINGLE_SELECT =
      Pattern.compile("(?is)\\s*SELECT\\s.+\\sFROM\\s+__THIS__\\b.*");

  public FeatureTransform {
    steps = List.copyOf(steps == null ? List.of() : steps);
    trainingFilter =
        trainingFilter == null || trainingFilter.isBlank() ? null : trainingFilter.trim();
    maxFilteredFraction =
        maxFilteredFraction == null ? DEFAULT_MAX_FILTERED_FRACTION : maxFilteredFraction;
    encodings = encodings == null ? Map.of() : new TreeMap<>(encodings);
    encodings.forEach(
        (column, e) -> {
          if (e == null
              || (e.hash() == null) == (e.topK() == null)
              || (e.hash() != null && e.hash() < 2)
              || (e.topK() != null && e.topK() < 1)) {
            throw new IllegalArgumentException(
                "encoding of '"
                    + column
                    + "': give exactly one of hash (buckets, at least 2) or topK (at least 1), got "
                    + e);
          }
        });
    for (int i = 0; i < steps.size(); i++) {
      String problem = problem(steps.get(i));
      if (problem != null) {
        throw new IllegalArgumentException(where(i, steps.get(i)) + ": " + problem);
      }
    }
  }

  /**
   * One step: either {@code sql}, a single {@code SELECT … FROM __THIS__}, or {@code datetime},
   * parts of a timestamp column added as new columns.
   */
  public record Step(String sql, Datetime datetime) {
    public Step(String sql) {
      this(sql, null);
    }

    @JsonIgnore
    public String kind() {
      return sql == null && datetime != null ? "datetime" : "sql";
    }
  }

  /**
   * A {@code datetime} step: adds {@code COLUMN_PART} for each part (a {@code _cyclic} part adds
   * {@code COLUMN_PART_sin} and {@code _cos}, so 23h sits next to 0h). A string column is parsed
   * with {@code pattern} (Spark datetime pattern, e.g. {@code yyyy-MM-dd HH:mm}); a value that does
   * not parse gives null parts, which validation reports.
   */
  public record Datetime(String column, String pattern, List<String> parts) {}

  /**
   * How a categorical column becomes slots, instead of one-hot of every value: {@code hash} into
   * that many buckets (for thousands of values), or the {@code topK} most frequent values in the
   * training split and one {@code __other__} value. Either way the unknown slot is kept.
   */
  public record Encoding(Integer hash, Integer topK) {}

  /** The value every category outside a {@code topK} list becomes. */
  public static final String OTHER = "__other__";

  /**
   * What is wrong with a step as written, or null. Shared with the spec check, which cannot run
   * Spark: the statement must be one SELECT over {@code __THIS__}; Spark finds the rest.
   */
  public static String problem(Step step) {
    if (step != null && step.sql() == null && step.datetime() != null) {
      Datetime d = step.datetime();
      if (d.column() == null || d.column().isBlank()) {
        return "datetime.column is missing (the timestamp, date or string column to take parts of)";
      }
      if (d.parts() == null || d.parts().isEmpty() || !DATETIME_PARTS.containsAll(d.parts())) {
        return "datetime.parts " + d.parts() + " must be some of " + DATETIME_PARTS;
      }
      return null;
    }
    if (step != null && step.sql() != null && step.datetime() != null) {
      return "give sql or datetime, not both";
    }
    if (step == null || step.sql() == null || step.sql().isBlank()) {
      return "the step is empty; write e.g. sql: SELECT *, a / b AS ratio FROM __THIS__";
    }
    String sql = step.sql().trim();
    if (sql.endsWith(";")) {
      sql = sql.substring(0, sql.length() - 1);
    }
    if (sql.contains(";")) {
      return "holds more than one statement (';'); a sql step is a single SELECT … FROM __THIS__";
    }
    if (!SINGLE_SELECT.matcher(sql).matches()) {
      return "is not a SELECT … FROM __THIS__: '"
          + abbreviated(sql)
          + "'. A sql step reads the rows as __THIS__, e.g. SELECT *, a / b AS ratio FROM"
          + " __THIS__";
    }
    return null;
  }

  /** "transform step 2 (sql)": how messages name a step (1-based, as a user counts). */
  public static String where(int index, Step step) {
    return "transform step " + (index + 1) + " (" + (step == null ? "?" : step.kind()) + ")";
  }

  @JsonIgnore
  public boolean isEmpty() {
    return steps.isEmpty() && trainingFilter == null && encodings.isEmpty();
  }

  /** The steps as Spark ML transformers: the first stages of the saved feature pipeline. */
  public List<Transformer> stages() {
    List<Transformer> stages = new ArrayList<>();
    for (Step step : steps) {
      stages.add(new SQLTransformer().setStatement(statement(step)));
    }
    return stages;
  }

  /** The SQL a step runs: its own, or the one a datetime step stands for. */
  static String statement(Step step) {
    if (step.sql() != null) {
      String sql = step.sql().trim();
      return sql.endsWith(";") ? sql.substring(0, sql.length() - 1) : sql;
    }
    Datetime d = step.datetime();
    String ts = timestamp(d);
    List<String> out = new ArrayList<>();
    for (String part : d.parts()) {
      String base = part.replace("_cyclic", "");
      String value = base + "(" + ts + ")";
      String name = d.column() + "_" + base;
      if (part.endsWith("_cyclic")) {
        // Position in the cycle, in [0, 1): hour/24, (weekday-1)/7, (month-1)/12, (day-1)/365.
        String phase =
            switch (base) {
              case "hour" -> value + " / 24.0";
              case "dayofweek" -> "(" + value + " - 1) / 7.0";
              case "month" -> "(" + value + " - 1) / 12.0";
              default -> "(" + value + " - 1) / 365.0";
            };
        out.add("sin(2 * pi() * " + phase + ") AS " + InputData.quoted(name + "_sin"));
        out.add("cos(2 * pi() * " + phase + ") AS " + InputData.quoted(name + "_cos"));
      } else {
        out.add("CAST(" + value + " AS DOUBLE) AS " + InputData.quoted(name));
      }
    }
    return "SELECT *, " + String.join(", ", out) + " FROM __THIS__";
  }

  /**
   * The step's column as a timestamp. A string is parsed with the pattern; a timestamp or date
   * column (a CSV read may infer one) is taken as it is, the pattern ignored: cast to a string it
   * would have Spark's own format, which the pattern need not match.
   */
  private static String timestamp(Datetime d) {
    String c = InputData.quoted(d.column());
    return d.pattern() == null
        ? "try_cast(" + c + " AS TIMESTAMP)"
        : "try_to_timestamp(" + c + ", '" + d.pattern().replace("'", "\\'") + "')";
  }

  /**
   * Datetime steps whose pattern leaves values unparsed in {@code transformed} (rows after every
   * step, whose source column is still there): "transform step 2 (datetime): 'dep_time' does not
   * parse with pattern 'p' in 12 of 600 rows", one per such step.
   */
  public List<String> unparsed(Dataset<Row> transformed) {
    List<String> problems = new ArrayList<>();
    List<String> present = Arrays.asList(transformed.columns());
    for (int i = 0; i < steps.size(); i++) {
      Datetime d = steps.get(i).datetime();
      if (steps.get(i).sql() != null || d == null || !present.contains(d.column())) {
        continue;
      }
      String c = InputData.quoted(d.column());
      String ts = timestamp(d);
      Row r =
          transformed
              .selectExpr(
                  "count_if(" + c + " IS NOT NULL AND " + ts + " IS NULL)",
                  "count(*)",
                  "first(CASE WHEN " + ts + " IS NULL THEN CAST(" + c + " AS STRING) END, true)")
              .first();
      if (r.getLong(0) > 0) {
        problems.add(
            where(i, steps.get(i))
                + ": '"
                + d.column()
                + "' does not parse"
                + (d.pattern() == null ? " as a timestamp" : " with pattern '" + d.pattern() + "'")
                + " in "
                + r.getLong(0)
                + " of "
                + r.getLong(1)
                + " rows (e.g. '"
                + r.getString(2)
                + "'): fix the pattern (Spark datetime patterns, e.g. yyyy-MM-dd HH:mm)");
      }
    }
    return problems;
  }

  /**
   * The expression a categorical column's values take before indexing: the value as a string, its
   * hash bucket, or the value when among {@code top} and {@link #OTHER} otherwise.
   */
  public String categoryExpression(String column, List<String> top) {
    String v = "CAST(" + InputData.quoted(column) + " AS STRING)";
    Encoding e = encodings.get(column);
    if (e == null) {
      return v;
    }
    if (e.hash() != null) {
      return "CAST(pmod(xxhash64(" + v + "), " + e.hash() + ") AS STRING)";
    }
    if (top.isEmpty()) {
      return "CASE WHEN " + v + " IS NULL THEN NULL ELSE '" + OTHER + "' END";
    }
    List<String> quoted = new ArrayList<>();
    for (String t : top) {
      quoted.add("'" + t.replace("\\", "\\\\").replace("'", "\\'") + "'");
    }
    return "CASE WHEN "
        + v
        + " IS NULL THEN NULL WHEN "
        + v
        + " IN ("
        + String.join(", ", quoted)
        + ") THEN "
        + v
        + " ELSE '"
        + OTHER
        + "' END";
  }

  /**
   * Applies the steps to raw rows, one at a time so that a problem names its step: SQL that does
   * not parse, an unknown function or column, or an output with two columns of one name. Spark
   * analyses each statement here, before any data is read.
   *
   * @throws DataInputException naming the step, its position and Spark's reason
   */
  public Dataset<Row> apply(Dataset<Row> raw, String inputUri) {
    return apply(stages(), raw, inputUri);
  }

  /** {@link #apply} with stages loaded from a saved pipeline (scoring). */
  public Dataset<Row> apply(List<Transformer> stages, Dataset<Row> raw, String inputUri) {
    Dataset<Row> rows = raw;
    for (int i = 0; i < stages.size(); i++) {
      Step step = i < steps.size() ? steps.get(i) : null;
      try {
        rows = stages.get(i).transform(rows);
      } catch (Exception e) {
        if (e instanceof org.apache.spark.sql.AnalysisException
            || e instanceof IllegalArgumentException) {
          throw new DataInputException(
              where(i, step)
                  + " fails on "
                  + inputUri
                  + ": "
                  + firstLine(InputData.rootMessage(e))
                  + (step == null ? "" : ". The statement: " + abbreviated(statement(step))),
              e);
        }
        throw e;
      }
      Set<String> seen = new HashSet<>();
      for (String column : rows.columns()) {
        if (!seen.add(column.toLowerCase(java.util.Locale.ROOT))) {
          throw new DataInputException(
              where(i, step)
                  + " produces two columns named '"
                  + column
                  + "' (a new column with the name of an existing one?): rename it with AS, or"
                  + " list the columns instead of SELECT *");
        }
        if (column.startsWith(FeatureJob.WORK)) {
          throw new DataInputException(
              where(i, step)
                  + " produces column '"
                  + column
                  + "'; names starting with "
                  + FeatureJob.WORK
                  + " are the pipeline's own: rename it");
        }
      }
    }
    return rows;
  }

  /** Every column the spec names must exist once the transform ran; says which step to look at. */
  public void requireColumns(Dataset<Row> rows, FeatureColumns columns) {
    if (steps.isEmpty()) {
      return;
    }
    List<String> present = Arrays.asList(rows.columns());
    List<String> missing = columns.allColumns().stream().filter(c -> !present.contains(c)).toList();
    if (!missing.isEmpty()) {
      int last = steps.size() - 1;
      throw new DataInputException(
          where(last, steps.get(last))
              + " leaves out "
              + missing.stream()
                  .map(c -> "'" + c + "'")
                  .collect(java.util.stream.Collectors.joining(", "))
              + (missing.contains(columns.label()) ? " (the label '" + columns.label() + "')" : "")
              + ", which the spec names; the transformed rows have "
              + present
              + ". Keep the column (SELECT *, … FROM __THIS__) or derive it with AS");
    }
  }

  /**
   * The rows the training filter keeps (all when there is none); a row where the predicate is null
   * is removed, as in SQL's WHERE.
   *
   * @throws DataInputException when the predicate does not parse or names an unknown column
   */
  public Dataset<Row> filter(Dataset<Row> transformed, String inputUri) {
    if (trainingFilter == null) {
      return transformed;
    }
    try {
      return transformed.where(trainingFilter);
    } catch (Exception e) {
      if (e instanceof org.apache.spark.sql.AnalysisException) {
        throw new DataInputException(
            "trainingFilter '"
                + trainingFilter
                + "' fails on "
                + inputUri
                + ": "
                + firstLine(InputData.rootMessage(e))
                + ". It is a SQL predicate over the transformed rows, e.g. arr_delay IS NOT NULL",
            e);
      }
      throw e;
    }
  }

  /**
   * @throws DataInputException when the training filter removed every one of {@code inputRows}
   */
  public void requireRowsLeft(long inputRows, long kept, String inputUri) {
    if (trainingFilter != null && kept == 0 && inputRows > 0) {
      throw new DataInputException(
          "trainingFilter '"
              + trainingFilter
              + "' removes all "
              + inputRows
              + " rows of "
              + inputUri
              + ": nothing is left to train on. Check the predicate (it keeps rows where it is"
              + " true)");
    }
  }

  /** The steps in words, for lineage: "1 sql: SELECT …; 2 sql: …". */
  public String describe() {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      parts.add((i + 1) + " " + steps.get(i).kind() + ": " + statement(steps.get(i)));
    }
    encodings.forEach((c, e) -> parts.add("encoding " + c + ": " + e));
    if (trainingFilter != null) {
      parts.add("trainingFilter: " + trainingFilter);
    }
    return String.join("; ", parts);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).trim();
  }

  private static String abbreviated(String s) {
    String one = s.trim().replaceAll("\\s+", " ");
    return one.length() <= 120 ? one : one.substring(0, 117) + "...";
  }
}
