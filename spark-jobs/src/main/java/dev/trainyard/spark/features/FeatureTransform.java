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
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

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
   * One step, exactly one of: {@code sql}, a single {@code SELECT … FROM __THIS__}; {@code
   * datetime}, parts of a timestamp column; {@code bucketize}, bins of a numeric column; {@code
   * text}, hashed term counts of a text column; {@code lookup}, columns of a small reference table
   * joined on a key.
   */
  public record Step(String sql, Datetime datetime, Bucketize bucketize, Text text, Lookup lookup) {
    public Step(String sql) {
      this(sql, null, null, null, null);
    }

    public Step(String sql, Datetime datetime) {
      this(sql, datetime, null, null, null);
    }

    public static Step of(Bucketize bucketize) {
      return new Step(null, null, bucketize, null, null);
    }

    public static Step of(Text text) {
      return new Step(null, null, null, text, null);
    }

    public static Step of(Lookup lookup) {
      return new Step(null, null, null, null, lookup);
    }

    @JsonIgnore
    public String kind() {
      if (sql != null) {
        return "sql";
      }
      return datetime != null
          ? "datetime"
          : bucketize != null
              ? "bucketize"
              : text != null ? "text" : lookup != null ? "lookup" : "sql";
    }

    /** How many kinds the step gives (a well-formed step gives one). */
    int kinds() {
      int n = 0;
      for (Object part : new Object[] {sql, datetime, bucketize, text, lookup}) {
        n += part == null ? 0 : 1;
      }
      return n;
    }
  }

  /**
   * A {@code bucketize} step: adds {@code output} (default {@code COLUMN_bucket}), the bin of a
   * numeric column as an integer 0..k: bin i holds {@code edges[i-1] <= x < edges[i]}; a null or
   * NaN value gets null. Either fixed {@code edges} (strictly increasing), or {@code quantiles}:
   * that many bins of about equal size, their edges fitted on the training split (then {@code
   * edges} holds the fitted ones, which the saved pipeline applies).
   */
  public record Bucketize(String column, Integer quantiles, List<Double> edges, String output) {
    /** The column the step adds. */
    @JsonIgnore
    public String outputColumn() {
      return output == null || output.isBlank() ? column + "_bucket" : output;
    }
  }

  /**
   * A {@code text} step: adds {@code output} (default {@code COLUMN_terms}), a vector of {@code
   * numFeatures} hashed term counts of the column (lower-cased, split at every run of characters
   * that are not letters or digits; a null text has no terms). Every text step's output joins the
   * feature vector after the categorical slots, as {@code OUTPUT[0]} … {@code OUTPUT[N-1]}.
   */
  public record Text(String column, Integer numFeatures, String output) {
    /** The column the step adds. */
    @JsonIgnore
    public String outputColumn() {
      return output == null || output.isBlank() ? column + "_terms" : output;
    }
  }

  /**
   * A {@code lookup} step: adds {@code columns} of a small reference table ({@code table} a Parquet
   * or CSV URI, {@code format} default parquet) where its {@code key} column equals the rows'
   * column of the same name (compared as text). A key the table lacks gives nulls; no row is
   * dropped. The table is read when the step is applied and held in the saved pipeline as a
   * literal, so scoring uses the snapshot training saw; {@code sha256} is that table's fingerprint
   * (filled when the feature job fits the transform).
   */
  public record Lookup(
      String table, String format, String key, List<String> columns, String sha256) {}

  /** At most this many rows in a lookup table: it is held in the saved pipeline. */
  public static final int MAX_LOOKUP_ROWS = 10_000;

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
    if (step != null && step.kinds() > 1) {
      return "give one of sql, datetime, bucketize, text or lookup per step, not several";
    }
    if (step != null && step.datetime() != null) {
      Datetime d = step.datetime();
      if (d.column() == null || d.column().isBlank()) {
        return "datetime.column is missing (the timestamp, date or string column to take parts of)";
      }
      if (d.parts() == null || d.parts().isEmpty() || !DATETIME_PARTS.containsAll(d.parts())) {
        return "datetime.parts " + d.parts() + " must be some of " + DATETIME_PARTS;
      }
      return null;
    }
    if (step != null && step.bucketize() != null) {
      return bucketizeProblem(step.bucketize());
    }
    if (step != null && step.text() != null) {
      Text t = step.text();
      if (t.column() == null || t.column().isBlank()) {
        return "text.column is missing (the text column to count terms of)";
      }
      if (t.numFeatures() == null || t.numFeatures() < 1 || t.numFeatures() > 1 << 20) {
        return "text.numFeatures "
            + t.numFeatures()
            + " must be between 1 and 1048576 (the vector's width, e.g. 1024)";
      }
      return null;
    }
    if (step != null && step.lookup() != null) {
      Lookup l = step.lookup();
      if (l.table() == null || l.table().isBlank()) {
        return "lookup.table is missing (a Parquet or CSV URI, e.g. file:///data/carriers.csv)";
      }
      if (l.format() != null && !List.of("parquet", "csv").contains(l.format())) {
        return "lookup.format '" + l.format() + "' is not one of [csv, parquet]";
      }
      if (l.key() == null || l.key().isBlank()) {
        return "lookup.key is missing (the column the rows and the table share)";
      }
      if (l.columns() == null || l.columns().isEmpty()) {
        return "lookup.columns is missing (the table's columns to add)";
      }
      if (l.columns().contains(l.key())) {
        return "lookup.columns lists the key '" + l.key() + "'; the rows have it already";
      }
      return null;
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

  private static String bucketizeProblem(Bucketize b) {
    if (b.column() == null || b.column().isBlank()) {
      return "bucketize.column is missing (the numeric column to bin)";
    }
    if (b.quantiles() == null && (b.edges() == null || b.edges().isEmpty())) {
      return "bucketize: give quantiles: N (bins of equal size, fitted on the training split) or"
          + " edges: [e1, e2, ...]";
    }
    if (b.quantiles() != null && (b.quantiles() < 2 || b.quantiles() > 1000)) {
      return "bucketize.quantiles " + b.quantiles() + " must be between 2 and 1000";
    }
    if (b.edges() != null) {
      for (int i = 0; i < b.edges().size(); i++) {
        Double e = b.edges().get(i);
        if (e == null || !Double.isFinite(e)) {
          return "bucketize.edges[" + i + "] " + e + " is not a finite number";
        }
        if (i > 0 && e <= b.edges().get(i - 1)) {
          return "bucketize.edges "
              + b.edges()
              + " must be strictly increasing ("
              + e
              + " follows "
              + b.edges().get(i - 1)
              + ")";
        }
      }
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

  /** The rows after the steps, the steps as the transformers that made them, and the transform. */
  public record Applied(Dataset<Row> rows, List<Transformer> stages, FeatureTransform transform) {}

  /**
   * One Spark ML transformer per step, built for the rows it gets (a lookup reads its table here):
   * the first stages of the saved feature pipeline. A {@code quantiles} bucketize step not yet
   * {@link #fit fitted} adds a null column in its place.
   */
  private Transformer stage(int i, Dataset<Row> rows, String inputUri) {
    Step step = steps.get(i);
    if (step.bucketize() != null) {
      Bucketize b = step.bucketize();
      requireColumn(i, rows, b.column());
      if (!(rows.schema().apply(b.column()).dataType()
          instanceof org.apache.spark.sql.types.NumericType)) {
        throw new DataInputException(
            where(i, step)
                + ": column '"
                + b.column()
                + "' is "
                + rows.schema().apply(b.column()).dataType().simpleString()
                + ", and bucketize bins numbers: cast it in a sql step first (CAST(x AS DOUBLE))");
      }
    }
    if (step.text() != null) {
      Text t = step.text();
      requireColumn(i, rows, t.column());
      String text = FeatureJob.WORK + "text_" + t.outputColumn();
      String tokens = FeatureJob.WORK + "tokens_" + t.outputColumn();
      return new PipelineModel(
          Identifiable.randomUID("text"),
          new Transformer[] {
            new SQLTransformer()
                .setStatement(
                    "SELECT *, coalesce(CAST("
                        + InputData.quoted(t.column())
                        + " AS STRING), '') AS "
                        + InputData.quoted(text)
                        + " FROM __THIS__"),
            new RegexTokenizer()
                .setInputCol(text)
                .setOutputCol(tokens)
                .setPattern("[^\\p{L}\\p{N}]+")
                .setToLowercase(true)
                .setMinTokenLength(1),
            new HashingTF()
                .setInputCol(tokens)
                .setOutputCol(t.outputColumn())
                .setNumFeatures(t.numFeatures())
          });
    }
    if (step.lookup() != null) {
      return new SQLTransformer().setStatement(lookupStatement(i, rows, inputUri));
    }
    return new SQLTransformer().setStatement(statement(step));
  }

  private void requireColumn(int i, Dataset<Row> rows, String column) {
    if (!Arrays.asList(rows.columns()).contains(column)) {
      throw new DataInputException(
          where(i, steps.get(i))
              + ": column '"
              + column
              + "' is not in the rows it reads (they have "
              + Arrays.asList(rows.columns())
              + "): name a raw column, or one an earlier step adds");
    }
  }

  /**
   * A lookup step's SQL: the table read now, checked, and written into the statement as a map from
   * key to a struct of the columns, so the saved pipeline holds this snapshot.
   */
  private String lookupStatement(int i, Dataset<Row> rows, String inputUri) {
    Step step = steps.get(i);
    Lookup l = step.lookup();
    requireColumn(i, rows, l.key());
    String format = l.format() == null ? "parquet" : l.format();
    Dataset<Row> table;
    List<Row> content;
    try {
      table =
          InputData.read(
              rows.sparkSession(), new dev.trainyard.spark.io.DatasetInput(l.table(), format));
      List<String> has = Arrays.asList(table.columns());
      if (!has.contains(l.key())) {
        throw new DataInputException(
            where(i, step)
                + ": key '"
                + l.key()
                + "' is not a column of the lookup table "
                + l.table()
                + " (it has "
                + has
                + "): name the column the rows and the table share");
      }
      List<String> missing = l.columns().stream().filter(c -> !has.contains(c)).toList();
      if (!missing.isEmpty()) {
        throw new DataInputException(
            where(i, step)
                + ": the lookup table "
                + l.table()
                + " has no column "
                + missing
                + " (it has "
                + has
                + ")");
      }
      List<Column> cols = new ArrayList<>();
      cols.add(functions.col(InputData.quoted(l.key())).cast("string"));
      for (String c : l.columns()) {
        cols.add(functions.col(InputData.quoted(c)).cast("string"));
      }
      content =
          table.select(cols.toArray(Column[]::new)).limit(MAX_LOOKUP_ROWS + 1).collectAsList();
    } catch (DataInputException e) {
      if (e.getMessage().startsWith(where(i, step))) {
        throw e;
      }
      throw new DataInputException(
          where(i, step) + ": cannot read the lookup table: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new DataInputException(
          where(i, step)
              + ": cannot read the lookup table "
              + l.table()
              + " as "
              + format
              + ": "
              + firstLine(InputData.rootMessage(e)),
          e);
    }
    if (content.size() > MAX_LOOKUP_ROWS) {
      throw new DataInputException(
          where(i, step)
              + ": the lookup table "
              + l.table()
              + " has more than "
              + MAX_LOOKUP_ROWS
              + " rows; a lookup holds a small reference table in the saved pipeline. Join a"
              + " larger one upstream");
    }
    Set<String> keys = new HashSet<>();
    List<String> entries = new ArrayList<>();
    for (Row r : content) {
      if (r.isNullAt(0)) {
        continue; // no row's key is null-equal to it
      }
      String key = r.getString(0);
      if (!keys.add(key)) {
        throw new DataInputException(
            where(i, step)
                + ": key '"
                + l.key()
                + "' of the lookup table "
                + l.table()
                + " has the value '"
                + key
                + "' more than once; a lookup needs one row per key");
      }
      List<String> fields = new ArrayList<>();
      for (int c = 0; c < l.columns().size(); c++) {
        fields.add(literal(l.columns().get(c)));
        fields.add(r.isNullAt(c + 1) ? "CAST(NULL AS STRING)" : literal(r.getString(c + 1)));
      }
      entries.add(literal(key) + ", named_struct(" + String.join(", ", fields) + ")");
    }
    org.apache.spark.sql.types.StructType types = table.schema();
    String found = FeatureJob.WORK + "lookup_" + (i + 1);
    List<String> out = new ArrayList<>();
    for (String c : l.columns()) {
      out.add(
          "CAST("
              + InputData.quoted(found)
              + "."
              + InputData.quoted(c)
              + " AS "
              + types.apply(c).dataType().sql()
              + ") AS "
              + InputData.quoted(c));
    }
    String k = "CAST(" + InputData.quoted(l.key()) + " AS STRING)";
    String map =
        entries.isEmpty()
            ? "CAST(NULL AS MAP<STRING, STRUCT<"
                + String.join(
                    ", ", l.columns().stream().map(c -> InputData.quoted(c) + ": STRING").toList())
                + ">>)"
            : "map(" + String.join(", ", entries) + ")";
    return "SELECT *, "
        + String.join(", ", out)
        + " FROM (SELECT *, CASE WHEN "
        + k
        + " IS NULL THEN NULL ELSE try_element_at("
        + map
        + ", "
        + k
        + ") END AS "
        + InputData.quoted(found)
        + " FROM __THIS__)";
  }

  private static String literal(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /**
   * This transform with what it learns filled in: the edges of each {@code quantiles} bucketize
   * step, from the training rows (after every step: the binned column must still be there), and
   * each lookup table's fingerprint. Unchanged when there is nothing to learn.
   *
   * @param training the transformed training rows
   */
  public FeatureTransform fit(Dataset<Row> training, String inputUri) {
    List<Step> fitted = new ArrayList<>();
    boolean changed = false;
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      Bucketize b = step.bucketize();
      Lookup l = step.lookup();
      if (b != null && b.quantiles() != null) {
        requireColumn(i, training, b.column());
        double[] p = new double[b.quantiles() - 1];
        for (int q = 1; q < b.quantiles(); q++) {
          p[q - 1] = (double) q / b.quantiles();
        }
        Column x = functions.col(InputData.quoted(b.column())).cast("double");
        Row r =
            InputData.action(
                new dev.trainyard.spark.io.DatasetInput(inputUri, null),
                () ->
                    training
                        .where(x.isNotNull().and(functions.not(functions.isnan(x))))
                        .agg(
                            functions.percentile_approx(x, functions.lit(p), functions.lit(10_000)))
                        .first());
        if (r.isNullAt(0)) {
          throw new DataInputException(
              where(i, step)
                  + ": column '"
                  + b.column()
                  + "' has no values in the training split of "
                  + inputUri
                  + ", so there are no quantiles to bin at");
        }
        java.util.TreeSet<Double> edges = new java.util.TreeSet<>(r.<Double>getList(0));
        fitted.add(
            Step.of(new Bucketize(b.column(), b.quantiles(), List.copyOf(edges), b.output())));
        changed = true;
      } else if (l != null) {
        fitted.add(
            Step.of(
                new Lookup(
                    l.table(),
                    l.format(),
                    l.key(),
                    l.columns(),
                    dev.trainyard.spark.io.Fingerprints.of(l.table()).sha256())));
        changed = true;
      } else {
        fitted.add(step);
      }
    }
    return changed
        ? new FeatureTransform(fitted, trainingFilter, maxFilteredFraction, encodings)
        : this;
  }

  /** Whether {@link #fit} learns anything. */
  @JsonIgnore
  public boolean learns() {
    return steps.stream().anyMatch(s -> s.bucketize() != null && s.bucketize().quantiles() != null);
  }

  /**
   * Columns whose values {@link #fit} decides (quantile bins): the split does not look at them, so
   * the rows it picks are the same before and after fitting.
   */
  @JsonIgnore
  public List<String> fittedOutputs() {
    return steps.stream()
        .filter(s -> s.bucketize() != null && s.bucketize().quantiles() != null)
        .map(s -> s.bucketize().outputColumn())
        .toList();
  }

  /** Text steps' outputs: term-count vectors that join the feature vector, in step order. */
  @JsonIgnore
  public List<Text> texts() {
    return steps.stream().filter(s -> s.text() != null).map(Step::text).toList();
  }

  /** The lookup tables the steps read (for the feature cache key). */
  @JsonIgnore
  public List<Lookup> lookups() {
    return steps.stream().filter(s -> s.lookup() != null).map(Step::lookup).toList();
  }

  /** The SQL a step runs: its own, or the one a datetime step stands for. */
  static String statement(Step step) {
    if (step.bucketize() != null) {
      return bucketStatement(step.bucketize());
    }
    if (step.text() != null || step.lookup() != null) {
      return describe(step);
    }
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

  /** A bucketize step's SQL: the bin of each value (null for null or NaN; null until fitted). */
  private static String bucketStatement(Bucketize b) {
    String out = InputData.quoted(b.outputColumn());
    if (b.edges() == null || b.edges().isEmpty()) {
      return "SELECT *, CAST(NULL AS INT) AS " + out + " FROM __THIS__";
    }
    String x = "CAST(" + InputData.quoted(b.column()) + " AS DOUBLE)";
    StringBuilder sql =
        new StringBuilder("CASE WHEN " + x + " IS NULL OR isnan(" + x + ") THEN NULL");
    for (int i = 0; i < b.edges().size(); i++) {
      sql.append(" WHEN ").append(x).append(" < ").append(edge(b.edges().get(i)));
      sql.append(" THEN ").append(i);
    }
    sql.append(" ELSE ").append(b.edges().size()).append(" END");
    return "SELECT *, " + sql + " AS " + out + " FROM __THIS__";
  }

  /** An edge as an exact SQL double literal. */
  private static String edge(double e) {
    return "CAST('" + Double.toString(e) + "' AS DOUBLE)";
  }

  /** A step in words: what lineage and messages show (a lookup's table is not repeated). */
  private static String describe(Step step) {
    if (step.text() != null) {
      Text t = step.text();
      return t.column()
          + " -> "
          + t.outputColumn()
          + " ("
          + t.numFeatures()
          + " hashed term counts)";
    }
    if (step.lookup() != null) {
      Lookup l = step.lookup();
      return "join "
          + l.columns()
          + " of "
          + l.table()
          + " ("
          + (l.format() == null ? "parquet" : l.format())
          + (l.sha256() == null ? "" : ", sha256 " + l.sha256())
          + ") on "
          + l.key();
    }
    if (step.bucketize() != null) {
      Bucketize b = step.bucketize();
      return b.column()
          + " -> "
          + b.outputColumn()
          + (b.quantiles() != null ? " (" + b.quantiles() + " quantiles)" : "")
          + (b.edges() != null ? " at " + b.edges() : "");
    }
    return statement(step);
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
   * analyses each statement here, before any data is read (a lookup reads its table).
   *
   * @throws DataInputException naming the step, its position and Spark's reason
   */
  public Dataset<Row> apply(Dataset<Row> raw, String inputUri) {
    return applied(raw, inputUri).rows();
  }

  /** {@link #apply}, keeping the transformers: what the feature job saves. */
  public Applied applied(Dataset<Row> raw, String inputUri) {
    Dataset<Row> rows = raw;
    List<Transformer> stages = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      Transformer stage = stage(i, rows, inputUri);
      stages.add(stage);
      rows = applyStage(i, stage, rows, inputUri);
    }
    return new Applied(rows, stages, this);
  }

  /** {@link #apply} with stages loaded from a saved pipeline (scoring). */
  public Dataset<Row> apply(List<Transformer> stages, Dataset<Row> raw, String inputUri) {
    Dataset<Row> rows = raw;
    for (int i = 0; i < stages.size(); i++) {
      rows = applyStage(i, stages.get(i), rows, inputUri);
    }
    return rows;
  }

  private Dataset<Row> applyStage(int i, Transformer stage, Dataset<Row> in, String inputUri) {
    Step step = i < steps.size() ? steps.get(i) : null;
    Dataset<Row> rows;
    try {
      rows = stage.transform(in);
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
    Set<String> before = new HashSet<>(Arrays.asList(in.columns()));
    for (String column : rows.columns()) {
      if (!seen.add(column.toLowerCase(java.util.Locale.ROOT))) {
        throw new DataInputException(
            where(i, step)
                + " produces two columns named '"
                + column
                + "' (a new column with the name of an existing one?): rename it with AS, or"
                + " list the columns instead of SELECT *");
      }
      // The pipeline's own steps (text, lookup) keep working columns; a user's SQL may not add
      // one.
      if (column.startsWith(FeatureJob.WORK)
          && !before.contains(column)
          && (step == null || step.sql() != null)) {
        throw new DataInputException(
            where(i, step)
                + " produces column '"
                + column
                + "'; names starting with "
                + FeatureJob.WORK
                + " are the pipeline's own: rename it");
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
      parts.add((i + 1) + " " + steps.get(i).kind() + ": " + describe(steps.get(i)));
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
