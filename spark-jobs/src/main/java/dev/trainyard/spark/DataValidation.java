package dev.trainyard.spark;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.trainyard.spark.DataProfile.CategoricalProfile;
import dev.trainyard.spark.DataProfile.NumericProfile;
import dev.trainyard.spark.ValidationReport.CategoryCount;
import dev.trainyard.spark.ValidationReport.ColumnStats;
import dev.trainyard.spark.ValidationReport.Violation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

/**
 * Checks a dataset against a feature spec and validation rules, profiles it, and measures drift
 * against a champion model's profile. Everything is Spark SQL aggregates over at most three passes:
 * one aggregate over all columns (counts, nulls, min/max/mean, range and category rule counts,
 * approximate quantiles, champion-bin counts), one grouped count over all categorical columns
 * together, and one aggregate counting rows per quantile bin of this dataset.
 *
 * <p>Problems that make the data unusable throw {@link DataInputException}; rules the data breaks
 * are collected in {@link ValidationReport#violations()}, all of them.
 *
 * <p>Drift is the population stability index {@code sum((a - e) * ln(a / e))} over bins, with
 * {@value #PSI_EPSILON} added to every share so empty bins stay finite. Numeric features use the
 * champion's quantile bins; categorical ones use the champion's categories plus one bucket for
 * every other value (including categories the champion never saw).
 */
public final class DataValidation {
  static final double PSI_EPSILON = 1e-4;
  private static final int TOP_CATEGORIES = 10;
  private static final int EXAMPLES = 5;
  private static final int QUANTILE_ACCURACY = 10_000;

  private DataValidation() {}

  public static ValidationReport validate(
      SparkSession spark,
      DatasetInput input,
      FeatureColumns columns,
      ValidationRules rules,
      DataProfile championProfileOrNull) {
    ValidationRules limits = rules == null ? ValidationRules.defaults() : rules;
    Dataset<Row> data = InputData.read(spark, input);
    StructType schema = data.schema();
    Set<String> ruleColumns = new LinkedHashSet<>(limits.maxNullFractionByColumn().keySet());
    ruleColumns.addAll(limits.allowedCategories().keySet());
    InputData.check(schema, input, columns, ruleColumns, limits.ranges().keySet());
    return new Run(data, schema, input, columns, limits, championProfileOrNull).validate();
  }

  /** One validation: the passes over the data and what they found. */
  private static final class Run {
    private final Dataset<Row> data;
    private final StructType schema;
    private final DatasetInput input;
    private final FeatureColumns spec;
    private final ValidationRules rules;
    private final DataProfile champion;
    private final String label;
    private final boolean labelNumeric;
    private final List<Violation> violations = new ArrayList<>();
    private final Map<String, String[]> minMaxMean = new LinkedHashMap<>();

    Run(
        Dataset<Row> data,
        StructType schema,
        DatasetInput input,
        FeatureColumns spec,
        ValidationRules rules,
        DataProfile champion) {
      this.data = data;
      this.schema = schema;
      this.input = input;
      this.spec = spec;
      this.rules = rules;
      this.champion = champion;
      this.label = spec.label();
      this.labelNumeric = schema.apply(label).dataType() instanceof NumericType;
    }

    private boolean isNumeric(String column) {
      return schema.apply(column).dataType() instanceof NumericType;
    }

    /** Numbers as double with NaN read as missing; anything else as its string form. */
    private Column value(String column) {
      Column raw = col(InputData.quoted(column));
      if (isNumeric(column)) {
        Column number = raw.cast("double");
        return when(isnan(number), lit(null)).otherwise(number);
      }
      return raw.cast("string");
    }

    ValidationReport validate() {
      // Columns by role. Numeric stats cover numeric features, range-checked columns and a
      // numeric regression label; category counts cover categorical features, columns with an
      // allowed-categories rule and a classification label.
      Set<String> nullChecked = new LinkedHashSet<>(spec.features());
      nullChecked.addAll(rules.maxNullFractionByColumn().keySet());
      nullChecked.remove(label);
      Set<String> described = new LinkedHashSet<>(spec.numeric());
      described.addAll(rules.ranges().keySet());
      boolean regression = !spec.isClassification();
      if (regression && labelNumeric) {
        described.add(label);
      }
      Set<String> categorized = new LinkedHashSet<>(spec.categorical());
      categorized.addAll(rules.allowedCategories().keySet());
      if (spec.isClassification()) {
        categorized.add(label);
      }

      // Pass 1: one aggregate for everything that needs only a scan.
      Aggregates agg = new Aggregates();
      String rowsAlias = agg.add(count(lit(1)));
      Map<String, String> nulls = new LinkedHashMap<>();
      Set<String> counted = new LinkedHashSet<>(nullChecked);
      counted.add(label);
      counted.addAll(described);
      counted.addAll(categorized);
      for (String column : counted) {
        // The label's nulls are counted apart from its NaN and infinite values.
        Column v = column.equals(label) ? col(InputData.quoted(label)) : value(column);
        nulls.put(column, agg.add(count_if(v.isNull())));
      }
      for (String column : described) {
        Column v = value(column);
        minMaxMean.put(column, new String[] {agg.add(min(v)), agg.add(max(v)), agg.add(avg(v))});
      }
      Map<String, String> quantiles = new LinkedHashMap<>();
      Column probabilities = array(quantileProbabilities());
      for (String column : spec.numeric()) {
        quantiles.put(
            column,
            agg.add(percentile_approx(value(column), probabilities, lit(QUANTILE_ACCURACY))));
      }
      Map<String, String> outOfRange = new LinkedHashMap<>();
      rules
          .ranges()
          .forEach(
              (column, range) -> {
                Column v = value(column);
                outOfRange.put(
                    column, agg.add(count_if(v.lt(range.get(0)).or(v.gt(range.get(1))))));
              });
      Map<String, String> disallowed = new LinkedHashMap<>();
      rules
          .allowedCategories()
          .forEach(
              (column, allowed) -> {
                Column s = col(InputData.quoted(column)).cast("string");
                disallowed.put(
                    column, agg.add(count_if(s.isNotNull().and(not(s.isin(allowed.toArray()))))));
              });
      String labelNotFinite = null;
      if (InputData.isFloating(schema.apply(label).dataType())) {
        Column l = col(InputData.quoted(label)).cast("double");
        labelNotFinite =
            agg.add(
                count_if(
                    isnan(l)
                        .or(l.equalTo(lit(Double.POSITIVE_INFINITY)))
                        .or(l.equalTo(lit(Double.NEGATIVE_INFINITY)))));
      }
      Map<String, List<String>> championBins = new LinkedHashMap<>();
      if (champion != null) {
        for (String column : spec.numeric()) {
          NumericProfile reference = champion.numeric().get(column);
          if (reference != null && !reference.fractions().isEmpty()) {
            championBins.put(column, agg.cumulativeBinCounts(value(column), reference.edges()));
          }
        }
      }

      Row pass1 = InputData.action(input, () -> data.agg(agg.first(), agg.rest()).first());
      long rows = pass1.getLong(pass1.fieldIndex(rowsAlias));
      if (rows == 0) {
        throw new DataInputException(
            "dataset "
                + input.uri()
                + " has 0 rows. The step that writes it produced nothing (or a filter removed"
                + " everything): check its source and re-run it.");
      }
      if (rows < rules.minRows()) {
        violations.add(
            new Violation(
                "row_count",
                null,
                "dataset has "
                    + rows
                    + " rows, fewer than the minimum of "
                    + rules.minRows()
                    + " (minRows)"));
      }
      if (rules.maxRows() != null && rows > rules.maxRows()) {
        violations.add(
            new Violation(
                "row_count",
                null,
                "dataset has "
                    + rows
                    + " rows, more than the maximum of "
                    + rules.maxRows()
                    + " (maxRows)"));
      }

      // Pass 2: category counts of every categorical column at once.
      Map<String, CategoryCounts> categories = categoryCounts(categorized);

      // Pass 3: this dataset's quantile bins, for its profile.
      Map<String, List<Double>> edges = new LinkedHashMap<>();
      for (String column : spec.numeric()) {
        List<Double> q = pass1.getList(pass1.fieldIndex(quantiles.get(column)));
        edges.put(column, q == null ? List.of() : distinctFinite(q));
      }
      Map<String, List<String>> ownBins = new LinkedHashMap<>();
      Aggregates binAgg = new Aggregates();
      edges.forEach(
          (column, e) -> {
            if (!e.isEmpty()) {
              ownBins.put(column, binAgg.cumulativeBinCounts(value(column), e));
            }
          });
      Row pass3 =
          ownBins.isEmpty()
              ? null
              : InputData.action(input, () -> data.agg(binAgg.first(), binAgg.rest()).first());

      // Statistics, profile and per-column checks.
      Map<String, ColumnStats> stats = new LinkedHashMap<>();
      Map<String, NumericProfile> numericProfiles = new LinkedHashMap<>();
      Map<String, CategoricalProfile> categoricalProfiles = new LinkedHashMap<>();
      Set<String> reported = new LinkedHashSet<>(spec.features());
      reported.addAll(ruleColumns());
      reported.remove(label);
      for (String column : reported) {
        long nullCount = pass1.getLong(pass1.fieldIndex(nulls.get(column)));
        stats.put(column, columnStats(column, pass1, nullCount, rows, categories));
        long present = rows - nullCount;
        if (nullChecked.contains(column)) {
          checkNulls(column, nullCount, rows);
        }
        if (outOfRange.containsKey(column)) {
          checkRange(column, pass1, outOfRange.get(column), rows);
        }
        if (disallowed.containsKey(column)) {
          checkCategories(
              column, pass1.getLong(pass1.fieldIndex(disallowed.get(column))), categories);
        }
        if (spec.numeric().contains(column)) {
          List<Double> e = edges.get(column);
          List<Double> fractions =
              e.isEmpty()
                  ? (present == 0 ? List.of() : List.of(1.0))
                  : binFractions(pass3, ownBins.get(column), present);
          numericProfiles.put(column, new NumericProfile(present, e, fractions));
        } else if (spec.categorical().contains(column)) {
          categoricalProfiles.put(column, categories.get(column).profile(present));
        }
      }
      stats.put(label, labelChecks(pass1, rows, nulls, labelNotFinite, categories));
      if (outOfRange.containsKey(label)) {
        checkRange(label, pass1, outOfRange.get(label), rows);
      }
      if (disallowed.containsKey(label)) {
        checkCategories(label, pass1.getLong(pass1.fieldIndex(disallowed.get(label))), categories);
      }

      // Drift against the champion.
      Map<String, Double> psi = new LinkedHashMap<>();
      if (champion != null) {
        for (String column : spec.features()) {
          Double value = null;
          if (championBins.containsKey(column)) {
            long present = rows - pass1.getLong(pass1.fieldIndex(nulls.get(column)));
            value =
                numericPsi(
                    champion.numeric().get(column), pass1, championBins.get(column), present);
          } else if (champion.categorical().containsKey(column)
              && spec.categorical().contains(column)) {
            long present = rows - pass1.getLong(pass1.fieldIndex(nulls.get(column)));
            value = categories.get(column).psiAgainst(champion.categorical().get(column), present);
          }
          if (value != null) {
            psi.put(column, value);
            if (value > rules.maxPsi()) {
              violations.add(
                  new Violation(
                      "drift",
                      column,
                      "feature '"
                          + column
                          + "' drifted from the champion's training data: PSI "
                          + ValidationReport.number(value)
                          + " is over the limit of "
                          + ValidationReport.number(rules.maxPsi())
                          + " (maxPsi)"));
            }
          }
        }
      }

      DataProfile profile = new DataProfile(rows, numericProfiles, categoricalProfiles);
      return new ValidationReport(violations.isEmpty(), rows, violations, stats, psi, profile);
    }

    private Set<String> ruleColumns() {
      Set<String> columns = new LinkedHashSet<>(rules.maxNullFractionByColumn().keySet());
      columns.addAll(rules.ranges().keySet());
      columns.addAll(rules.allowedCategories().keySet());
      return columns;
    }

    private ColumnStats columnStats(
        String column,
        Row pass1,
        long nullCount,
        long rows,
        Map<String, CategoryCounts> categories) {
      String kind = spec.categorical().contains(column) ? "categorical" : "numeric";
      if (!spec.features().contains(column)) {
        kind = isNumeric(column) ? "numeric" : "categorical";
      }
      Double min = null;
      Double max = null;
      Double mean = null;
      String[] aliases = minMaxMean.get(column);
      if (aliases != null) {
        min = doubleOrNull(pass1, aliases[0]);
        max = doubleOrNull(pass1, aliases[1]);
        mean = doubleOrNull(pass1, aliases[2]);
      }
      Long distinct = null;
      List<CategoryCount> top = List.of();
      CategoryCounts counts = categories.get(column);
      if (counts != null) {
        distinct = counts.distinct;
        top = counts.top(TOP_CATEGORIES);
      }
      return new ColumnStats(
          kind, nullCount, (double) nullCount / rows, min, max, mean, distinct, top);
    }

    private void checkNulls(String column, long nullCount, long rows) {
      double limit = rules.maxNullFractionFor(column);
      double fraction = (double) nullCount / rows;
      String what = spec.features().contains(column) ? "feature" : "column";
      if (nullCount == rows) {
        violations.add(
            new Violation(
                "null_fraction",
                column,
                what
                    + " '"
                    + column
                    + "' is null in 100% of rows: it carries no information; fix the step that"
                    + " writes it or drop it from the spec"));
      } else if (fraction > limit) {
        violations.add(
            new Violation(
                "null_fraction",
                column,
                what
                    + " '"
                    + column
                    + "' is null in "
                    + ValidationReport.percent(fraction)
                    + " of rows ("
                    + nullCount
                    + " of "
                    + rows
                    + "), over the limit of "
                    + ValidationReport.percent(limit)));
      }
    }

    private void checkRange(String column, Row pass1, String outsideAlias, long rows) {
      long outside = pass1.getLong(pass1.fieldIndex(outsideAlias));
      if (outside == 0) {
        return;
      }
      List<Double> range = rules.ranges().get(column);
      String[] aliases = minMaxMean.get(column);
      double min = doubleOrNull(pass1, aliases[0]);
      double max = doubleOrNull(pass1, aliases[1]);
      violations.add(
          new Violation(
              "range",
              column,
              "column '"
                  + column
                  + "' has "
                  + outside
                  + " value"
                  + (outside == 1 ? "" : "s")
                  + " outside ["
                  + ValidationReport.number(range.get(0))
                  + ", "
                  + ValidationReport.number(range.get(1))
                  + "] ("
                  + ValidationReport.percent((double) outside / rows)
                  + " of rows; min "
                  + ValidationReport.number(min)
                  + ", max "
                  + ValidationReport.number(max)
                  + ")"));
    }

    private void checkCategories(
        String column, long outside, Map<String, CategoryCounts> categories) {
      if (outside == 0) {
        return;
      }
      List<String> allowed = rules.allowedCategories().get(column);
      CategoryCounts counts = categories.get(column);
      String examples =
          counts.disallowed.stream()
              .limit(EXAMPLES)
              .map(c -> "'" + c.value() + "' (" + c.count() + ")")
              .collect(Collectors.joining(", "));
      String allowedText =
          allowed.size() <= 10
              ? allowed.toString()
              : allowed.subList(0, 10).toString().replace("]", ", ...]");
      violations.add(
          new Violation(
              "allowed_categories",
              column,
              "column '"
                  + column
                  + "' has "
                  + outside
                  + " value"
                  + (outside == 1 ? "" : "s")
                  + " outside the allowed categories "
                  + allowedText
                  + " ("
                  + counts.disallowedDistinct
                  + " distinct), e.g. "
                  + examples));
    }

    private ColumnStats labelChecks(
        Row pass1,
        long rows,
        Map<String, String> nulls,
        String labelNotFinite,
        Map<String, CategoryCounts> categories) {
      long nullCount = pass1.getLong(pass1.fieldIndex(nulls.get(label)));
      long notFinite = labelNotFinite == null ? 0 : pass1.getLong(pass1.fieldIndex(labelNotFinite));
      long trueNulls = nullCount;
      if (trueNulls > 0) {
        violations.add(
            new Violation(
                "label_nulls",
                label,
                "label '"
                    + label
                    + "' is null in "
                    + trueNulls
                    + " row"
                    + (trueNulls == 1 ? "" : "s")
                    + " ("
                    + ValidationReport.percent((double) trueNulls / rows)
                    + "); rows without a label cannot be used for training"));
      }
      if (notFinite > 0) {
        violations.add(
            new Violation(
                "label_not_finite",
                label,
                "label '"
                    + label
                    + "' is NaN or infinite in "
                    + notFinite
                    + " row"
                    + (notFinite == 1 ? "" : "s")
                    + " ("
                    + ValidationReport.percent((double) notFinite / rows)
                    + ")"));
      }
      if (!spec.isClassification()) {
        if (!labelNumeric) {
          violations.add(
              new Violation(
                  "label_type",
                  label,
                  "label '"
                      + label
                      + "' has type "
                      + schema.apply(label).dataType().simpleString()
                      + "; regression needs a numeric label: cast it where the data is written,"
                      + " or choose a classification task"));
        }
        String[] aliases = minMaxMean.get(label);
        return new ColumnStats(
            "label",
            nullCount,
            (double) nullCount / rows,
            aliases == null ? null : doubleOrNull(pass1, aliases[0]),
            aliases == null ? null : doubleOrNull(pass1, aliases[1]),
            aliases == null ? null : doubleOrNull(pass1, aliases[2]),
            null,
            List.of());
      }
      CategoryCounts classes = categories.get(label);
      if (classes.distinct == 0) {
        violations.add(
            new Violation(
                "label_classes",
                label,
                "label '" + label + "' has no values; a classifier needs at least 2 classes"));
      } else if (classes.distinct == 1) {
        violations.add(
            new Violation(
                "label_classes",
                label,
                "label '"
                    + label
                    + "' has a single class ('"
                    + classes.ranked.get(0).value()
                    + "'); a classifier needs at least 2"));
      } else if (spec.task().equals(FeatureColumns.BINARY) && classes.distinct > 2) {
        violations.add(
            new Violation(
                "label_classes",
                label,
                "label '"
                    + label
                    + "' has "
                    + classes.distinct
                    + " classes but the task is binary: use task 'multiclass', or map the"
                    + " labels to two classes"));
      }
      return new ColumnStats(
          "label",
          nullCount,
          (double) nullCount / rows,
          null,
          null,
          null,
          classes.distinct,
          classes.top(TOP_CATEGORIES));
    }

    private Map<String, CategoryCounts> categoryCounts(Set<String> columns) {
      Map<String, CategoryCounts> result = new LinkedHashMap<>();
      for (String column : columns) {
        result.put(column, new CategoryCounts());
      }
      if (columns.isEmpty()) {
        return result;
      }
      List<Column> pairs = new ArrayList<>();
      for (String column : columns) {
        Column v = col(InputData.quoted(column));
        if (InputData.isFloating(schema.apply(column).dataType())) {
          v = when(isnan(v.cast("double")), lit(null)).otherwise(v);
        }
        pairs.add(struct(lit(column).as("column"), v.cast("string").as("value")));
      }
      Column name = col("column");
      Column value = col("value");
      Column isDisallowed = lit(false);
      for (var rule : rules.allowedCategories().entrySet()) {
        isDisallowed =
            when(name.equalTo(rule.getKey()), not(value.isin(rule.getValue().toArray())))
                .otherwise(isDisallowed);
      }
      Column isChampionCategory = lit(false);
      if (champion != null) {
        for (var reference : champion.categorical().entrySet()) {
          if (columns.contains(reference.getKey())) {
            isChampionCategory =
                when(
                        name.equalTo(reference.getKey()),
                        value.isin(reference.getValue().frequencies().keySet().toArray()))
                    .otherwise(isChampionCategory);
          }
        }
      }
      var byCount = Window.partitionBy("column").orderBy(col("count").desc(), value.asc());
      // Disallowed values first, so their row number is their rank among disallowed values.
      // Every window partitions by column alone: one shuffle serves all three.
      var byCountAndRule =
          Window.partitionBy("column")
              .orderBy(col("disallowed").desc(), col("count").desc(), value.asc());
      var perColumn = Window.partitionBy("column");
      Dataset<Row> counts =
          data.select(explode(array(pairs.toArray(Column[]::new))).as("pair"))
              .select(col("pair.column").as("column"), col("pair.value").as("value"))
              .where(value.isNotNull())
              .groupBy("column", "value")
              .count()
              .withColumn("disallowed", isDisallowed)
              .withColumn("champion", isChampionCategory)
              .withColumn("rank", row_number().over(byCount))
              .withColumn("ruleRank", row_number().over(byCountAndRule))
              .withColumn("distinct", count(lit(1)).over(perColumn))
              .withColumn(
                  "disallowedDistinct",
                  sum(when(col("disallowed"), 1).otherwise(0)).over(perColumn))
              .where(
                  col("rank")
                      .leq(DataProfile.MAX_CATEGORIES)
                      .or(col("champion"))
                      .or(col("disallowed").and(col("ruleRank").leq(EXAMPLES))));
      List<Row> collected = new ArrayList<>(InputData.action(input, counts::collectAsList));
      collected.sort(
          java.util.Comparator.comparingInt((Row row) -> row.getInt(row.fieldIndex("rank"))));
      for (Row row : collected) {
        CategoryCounts target = result.get(row.getString(row.fieldIndex("column")));
        CategoryCount entry =
            new CategoryCount(
                row.getString(row.fieldIndex("value")), row.getLong(row.fieldIndex("count")));
        target.distinct = row.getLong(row.fieldIndex("distinct"));
        target.disallowedDistinct = row.getLong(row.fieldIndex("disallowedDistinct"));
        if (row.getInt(row.fieldIndex("rank")) <= DataProfile.MAX_CATEGORIES) {
          target.ranked.add(entry);
        }
        target.all.put(entry.value(), entry.count());
        if (row.getBoolean(row.fieldIndex("disallowed"))
            && row.getInt(row.fieldIndex("ruleRank")) <= EXAMPLES) {
          target.disallowed.add(entry);
        }
      }
      return result;
    }
  }

  /** What pass 2 found for one categorical column. */
  private static final class CategoryCounts {
    long distinct;
    long disallowedDistinct;
    final List<CategoryCount> ranked = new ArrayList<>();
    final List<CategoryCount> disallowed = new ArrayList<>();
    final Map<String, Long> all = new LinkedHashMap<>();

    List<CategoryCount> top(int n) {
      return List.copyOf(ranked.subList(0, Math.min(n, ranked.size())));
    }

    CategoricalProfile profile(long present) {
      Map<String, Double> frequencies = new LinkedHashMap<>();
      double covered = 0;
      for (CategoryCount c : ranked) {
        double share = present == 0 ? 0 : (double) c.count() / present;
        frequencies.put(c.value(), share);
        covered += share;
      }
      return new CategoricalProfile(present, frequencies, Math.max(0, 1 - covered));
    }

    /**
     * PSI over the reference's categories plus one bucket for everything else. Every reference
     * category was kept by pass 2, so its count here is exact.
     */
    Double psiAgainst(CategoricalProfile reference, long present) {
      return categoricalPsi(reference, all, present);
    }
  }

  /**
   * Drift of {@code data} from a reference profile (a model's training profile): the PSI of each
   * listed feature that the reference profiles, computed exactly as {@link #validate} does, in one
   * aggregate pass (nothing but the counts reaches the driver). Numbers are read as double with NaN
   * as missing, categories as strings; missing values are left out of the shares. Features the
   * reference lacks, or with no values in {@code data}, get no entry.
   *
   * @param numeric numeric feature columns of {@code data} (any numeric type)
   * @param categorical categorical feature columns of {@code data} (string, integer or boolean)
   */
  public static Map<String, Double> psi(
      Dataset<Row> data, List<String> numeric, List<String> categorical, DataProfile reference) {
    PsiAggregates aggregates = psiAggregates(data.schema(), numeric, categorical, reference);
    if (aggregates.columns().isEmpty()) {
      return new LinkedHashMap<>();
    }
    Column[] columns = aggregates.columns().toArray(Column[]::new);
    Row row =
        data.agg(columns[0], java.util.Arrays.copyOfRange(columns, 1, columns.length)).first();
    return aggregates.psi(row);
  }

  /**
   * The aggregates behind {@link #psi}: one pass of counts, read back into PSI per feature.
   * (Scoring counts the same bins inside its scoring function instead, see {@code DriftBins}.)
   *
   * @param columns aggregate expressions over rows of {@code schema}; empty when the reference
   *     profiles none of the features
   */
  record PsiAggregates(
      List<Column> columns, java.util.function.Function<Row, Map<String, Double>> reader) {
    /** PSI per feature from a row holding {@link #columns()}' values (by alias). */
    Map<String, Double> psi(Row row) {
      return reader.apply(row);
    }
  }

  private static PsiAggregates psiAggregates(
      StructType schema, List<String> numeric, List<String> categorical, DataProfile reference) {
    Aggregates agg = new Aggregates("psi");
    Map<String, String> present = new LinkedHashMap<>();
    Map<String, List<String>> bins = new LinkedHashMap<>();
    for (String column : numeric) {
      NumericProfile profile = reference.numeric().get(column);
      if (profile != null && !profile.fractions().isEmpty()) {
        Column number = col(InputData.quoted(column)).cast("double");
        Column v = when(isnan(number), lit(null)).otherwise(number);
        present.put(column, agg.add(count(v)));
        bins.put(column, agg.cumulativeBinCounts(v, profile.edges()));
      }
    }
    Map<String, Map<String, String>> categoryAliases = new LinkedHashMap<>();
    for (String column : categorical) {
      CategoricalProfile profile = reference.categorical().get(column);
      if (profile != null) {
        Column v = col(InputData.quoted(column));
        if (InputData.isFloating(schema.apply(column).dataType())) {
          v = when(isnan(v.cast("double")), lit(null)).otherwise(v);
        }
        Column text = v.cast("string");
        present.put(column, agg.add(count(text)));
        Map<String, String> aliases = new LinkedHashMap<>();
        for (String category : profile.frequencies().keySet()) {
          aliases.put(category, agg.add(count_if(text.equalTo(category))));
        }
        categoryAliases.put(column, aliases);
      }
    }
    return new PsiAggregates(
        List.copyOf(agg.columns),
        row -> {
          Map<String, Double> psi = new LinkedHashMap<>();
          for (String column : present.keySet()) {
            long n = row.getLong(row.fieldIndex(present.get(column)));
            Double value;
            if (bins.containsKey(column)) {
              value = numericPsi(reference.numeric().get(column), row, bins.get(column), n);
            } else {
              Map<String, Long> counts = new LinkedHashMap<>();
              categoryAliases
                  .get(column)
                  .forEach(
                      (category, alias) ->
                          counts.put(category, row.getLong(row.fieldIndex(alias))));
              value = categoricalPsi(reference.categorical().get(column), counts, n);
            }
            if (value != null) {
              psi.put(column, value);
            }
          }
          return psi;
        });
  }

  /**
   * PSI of a numeric feature over the reference's quantile bins, from the cumulative bin counts in
   * {@code row}; null when there are no values.
   */
  private static Double numericPsi(
      NumericProfile reference, Row row, List<String> cumulativeAliases, long present) {
    long[] bins = new long[cumulativeAliases.size() + 1];
    long previous = 0;
    for (int i = 0; i < cumulativeAliases.size(); i++) {
      long cumulative = row.getLong(row.fieldIndex(cumulativeAliases.get(i)));
      bins[i] = cumulative - previous;
      previous = cumulative;
    }
    bins[bins.length - 1] = present - previous;
    return numericPsi(reference, bins, present);
  }

  /**
   * PSI of a numeric feature over the reference's quantile bins, from the count of values in each
   * bin ({@code edges.size() + 1} counts, as {@link DriftBins} keeps them); null when there are no
   * values.
   */
  static Double numericPsi(NumericProfile reference, long[] binCounts, long present) {
    if (present == 0) {
      return null;
    }
    double[] actual = new double[binCounts.length];
    for (int i = 0; i < actual.length; i++) {
      actual[i] = (double) binCounts[i] / present;
    }
    return psi(toArray(reference.fractions()), actual);
  }

  /**
   * PSI over the reference's categories plus one bucket for everything else; {@code counts} must
   * hold the exact count of every reference category (absent = 0).
   */
  static Double categoricalPsi(
      CategoricalProfile reference, Map<String, Long> counts, long present) {
    if (present == 0 || reference.count() == 0) {
      return null;
    }
    int n = reference.frequencies().size() + 1;
    double[] expected = new double[n];
    double[] actual = new double[n];
    int i = 0;
    double covered = 0;
    for (var category : reference.frequencies().entrySet()) {
      expected[i] = category.getValue();
      actual[i] = (double) counts.getOrDefault(category.getKey(), 0L) / present;
      covered += actual[i];
      i++;
    }
    expected[i] = reference.other();
    actual[i] = Math.max(0, 1 - covered);
    return psi(expected, actual);
  }

  private static Column[] quantileProbabilities() {
    Column[] p = new Column[DataProfile.BINS - 1];
    for (int i = 1; i < DataProfile.BINS; i++) {
      p[i - 1] = lit(i / (double) DataProfile.BINS);
    }
    return p;
  }

  private static List<Double> distinctFinite(List<Double> values) {
    TreeSet<Double> sorted = new TreeSet<>();
    for (Double v : values) {
      if (v != null && Double.isFinite(v)) {
        sorted.add(v);
      }
    }
    return List.copyOf(sorted);
  }

  /** Bin shares from cumulative counts {@code count(v <= edge_i)} and the non-null total. */
  private static List<Double> binFractions(Row row, List<String> cumulativeAliases, long present) {
    List<Double> fractions = new ArrayList<>();
    long previous = 0;
    for (String alias : cumulativeAliases) {
      long cumulative = row.getLong(row.fieldIndex(alias));
      fractions.add((double) (cumulative - previous) / present);
      previous = cumulative;
    }
    fractions.add((double) (present - previous) / present);
    return fractions;
  }

  static double psi(double[] expected, double[] actual) {
    if (expected.length != actual.length) {
      throw new IllegalArgumentException(
          "PSI needs as many expected as actual bins: " + expected.length + " vs " + actual.length);
    }
    int n = expected.length;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double e = (expected[i] + PSI_EPSILON) / (1 + n * PSI_EPSILON);
      double a = (actual[i] + PSI_EPSILON) / (1 + n * PSI_EPSILON);
      sum += (a - e) * Math.log(a / e);
    }
    return sum;
  }

  private static double[] toArray(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static Double doubleOrNull(Row row, String alias) {
    int i = row.fieldIndex(alias);
    return row.isNullAt(i) ? null : row.getDouble(i);
  }

  /** Aggregate expressions under generated aliases, so results are read back by alias. */
  private static final class Aggregates {
    private final List<Column> columns = new ArrayList<>();
    private final String prefix;

    Aggregates() {
      this("a");
    }

    /**
     * @param prefix of the aliases, so aggregates of several sets can share one row
     */
    Aggregates(String prefix) {
      this.prefix = prefix;
    }

    String add(Column aggregate) {
      String alias = prefix + columns.size();
      columns.add(aggregate.as(alias));
      return alias;
    }

    /** Aliases of {@code count(v <= edge)} for each edge, in order. */
    List<String> cumulativeBinCounts(Column v, List<Double> edges) {
      List<String> aliases = new ArrayList<>();
      for (Double edge : edges) {
        aliases.add(add(count_if(v.leq(edge))));
      }
      return aliases;
    }

    Column first() {
      return columns.get(0);
    }

    Column[] rest() {
      return columns.subList(1, columns.size()).toArray(Column[]::new);
    }
  }
}
