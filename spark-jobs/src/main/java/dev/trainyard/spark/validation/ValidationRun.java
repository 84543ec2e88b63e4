package dev.trainyard.spark.validation;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.when;

import dev.trainyard.spark.drift.Aggregates;
import dev.trainyard.spark.drift.PopulationStability;
import dev.trainyard.spark.features.FeatureColumns;
import dev.trainyard.spark.io.DataInputException;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.io.InputData;
import dev.trainyard.spark.validation.DataProfile.CategoricalProfile;
import dev.trainyard.spark.validation.DataProfile.NumericProfile;
import dev.trainyard.spark.validation.ValidationReport.CategoryCount;
import dev.trainyard.spark.validation.ValidationReport.ColumnStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

/**
 * One validation ({@link DataValidation}): the passes over the data, what they found, and the
 * report. Pass 1 is one aggregate whose aliases this run keeps; pass 2 is {@link CategoryCounts};
 * pass 3 counts this dataset's own quantile bins, for its profile. The rules are checked by {@link
 * RuleChecks}.
 */
final class ValidationRun {
  private static final int TOP_CATEGORIES = 10;
  private static final int QUANTILE_ACCURACY = 10_000;

  private final Dataset<Row> data;
  private final StructType schema;
  private final DatasetInput input;
  private final FeatureColumns spec;
  private final ValidationRules rules;
  private final DataProfile champion;
  private final String label;
  private final boolean labelNumeric;
  private final RuleChecks checks;

  // Columns by role. Numeric stats cover numeric features, range-checked columns and a numeric
  // regression label; category counts cover categorical features, columns with an
  // allowed-categories rule and a classification label.
  private final Set<String> nullChecked;
  private final Set<String> described;
  private final Set<String> categorized;

  // Pass 1: the aliases of its aggregates, and its row.
  private final Aggregates agg = new Aggregates();
  private final Map<String, String> nulls = new LinkedHashMap<>();
  private final Map<String, String[]> minMaxMean = new LinkedHashMap<>();
  private final Map<String, String> quantiles = new LinkedHashMap<>();
  private final Map<String, String> outOfRange = new LinkedHashMap<>();
  private final Map<String, String> disallowed = new LinkedHashMap<>();
  private final Map<String, List<String>> championBins = new LinkedHashMap<>();
  private String labelNotFinite;
  private Row pass1;

  ValidationRun(
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
    this.checks = new RuleChecks(spec, rules);
    nullChecked = new LinkedHashSet<>(spec.features());
    nullChecked.addAll(rules.maxNullFractionByColumn().keySet());
    nullChecked.remove(label);
    described = new LinkedHashSet<>(spec.numeric());
    described.addAll(rules.ranges().keySet());
    if (!spec.isClassification() && labelNumeric) {
      described.add(label);
    }
    categorized = new LinkedHashSet<>(spec.categorical());
    categorized.addAll(rules.allowedCategories().keySet());
    if (spec.isClassification()) {
      categorized.add(label);
    }
  }

  ValidationReport validate() {
    long rows = firstPass();
    checks.rowCount(rows);

    // Pass 2: category counts of every categorical column at once.
    Map<String, CategoryCounts> categories =
        CategoryCounts.of(data, schema, input, categorized, rules, champion);

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
      long nullCount = longAt(nulls.get(column));
      stats.put(column, columnStats(column, nullCount, rows, categories));
      checkColumn(column, nullCount, rows, categories);
      long present = rows - nullCount;
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
    stats.put(label, labelChecks(rows, categories));
    if (outOfRange.containsKey(label)) {
      checkRange(label, rows);
    }
    if (disallowed.containsKey(label)) {
      checks.categories(label, longAt(disallowed.get(label)), categories.get(label));
    }

    Map<String, Double> psi = driftAgainstChampion(rows, categories);
    DataProfile profile = new DataProfile(rows, numericProfiles, categoricalProfiles);
    List<ValidationReport.Violation> violations = checks.violations();
    // No training filter here: DataValidation adds what the filter did.
    return new ValidationReport(violations.isEmpty(), rows, violations, stats, psi, profile, null);
  }

  // ---- pass 1

  /** Runs pass 1: one aggregate for everything that needs only a scan. Returns the row count. */
  private long firstPass() {
    String rowsAlias = agg.add(count(lit(1)));
    addNullCounts();
    for (String column : described) {
      Column v = value(column);
      minMaxMean.put(column, new String[] {agg.add(min(v)), agg.add(max(v)), agg.add(avg(v))});
    }
    Column probabilities = array(quantileProbabilities());
    for (String column : spec.numeric()) {
      quantiles.put(
          column, agg.add(percentile_approx(value(column), probabilities, lit(QUANTILE_ACCURACY))));
    }
    addRuleCounts();
    if (InputData.isFloating(schema.apply(label).dataType())) {
      Column l = col(InputData.quoted(label)).cast("double");
      labelNotFinite =
          agg.add(
              count_if(
                  isnan(l)
                      .or(l.equalTo(lit(Double.POSITIVE_INFINITY)))
                      .or(l.equalTo(lit(Double.NEGATIVE_INFINITY)))));
    }
    if (champion != null) {
      for (String column : spec.numeric()) {
        NumericProfile reference = champion.numeric().get(column);
        if (reference != null && !reference.fractions().isEmpty()) {
          championBins.put(column, agg.cumulativeBinCounts(value(column), reference.edges()));
        }
      }
    }

    pass1 = InputData.action(input, () -> data.agg(agg.first(), agg.rest()).first());
    long rows = longAt(rowsAlias);
    if (rows == 0) {
      throw new DataInputException(
          "dataset "
              + input.uri()
              + " has 0 rows. The step that writes it produced nothing (or a filter removed"
              + " everything): check its source and re-run it.");
    }
    return rows;
  }

  private void addNullCounts() {
    Set<String> counted = new LinkedHashSet<>(nullChecked);
    counted.add(label);
    counted.addAll(described);
    counted.addAll(categorized);
    for (String column : counted) {
      // The label's nulls are counted apart from its NaN and infinite values.
      Column v = column.equals(label) ? col(InputData.quoted(label)) : value(column);
      nulls.put(column, agg.add(count_if(v.isNull())));
    }
  }

  /** Rows outside each range rule, and rows each allowed-categories rule forbids. */
  private void addRuleCounts() {
    rules
        .ranges()
        .forEach(
            (column, range) -> {
              Column v = value(column);
              outOfRange.put(column, agg.add(count_if(v.lt(range.get(0)).or(v.gt(range.get(1))))));
            });
    rules
        .allowedCategories()
        .forEach(
            (column, allowed) -> {
              Column s = col(InputData.quoted(column)).cast("string");
              disallowed.put(
                  column, agg.add(count_if(s.isNotNull().and(not(s.isin(allowed.toArray()))))));
            });
  }

  // ---- per column

  private void checkColumn(
      String column, long nullCount, long rows, Map<String, CategoryCounts> categories) {
    if (nullChecked.contains(column)) {
      checks.nulls(column, nullCount, rows);
    }
    if (outOfRange.containsKey(column)) {
      checkRange(column, rows);
    }
    if (disallowed.containsKey(column)) {
      checks.categories(column, longAt(disallowed.get(column)), categories.get(column));
    }
  }

  private void checkRange(String column, long rows) {
    String[] aliases = minMaxMean.get(column);
    long outside = longAt(outOfRange.get(column));
    checks.range(
        column,
        outside,
        rows,
        outside == 0 ? null : doubleOrNull(aliases[0]),
        outside == 0 ? null : doubleOrNull(aliases[1]));
  }

  private Set<String> ruleColumns() {
    Set<String> columns = new LinkedHashSet<>(rules.maxNullFractionByColumn().keySet());
    columns.addAll(rules.ranges().keySet());
    columns.addAll(rules.allowedCategories().keySet());
    return columns;
  }

  private ColumnStats columnStats(
      String column, long nullCount, long rows, Map<String, CategoryCounts> categories) {
    String kind = spec.categorical().contains(column) ? "categorical" : "numeric";
    if (!spec.features().contains(column)) {
      kind = isNumeric(column) ? "numeric" : "categorical";
    }
    Double min = null;
    Double max = null;
    Double mean = null;
    String[] aliases = minMaxMean.get(column);
    if (aliases != null) {
      min = doubleOrNull(aliases[0]);
      max = doubleOrNull(aliases[1]);
      mean = doubleOrNull(aliases[2]);
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

  /** The label's checks; returns its statistics. */
  private ColumnStats labelChecks(long rows, Map<String, CategoryCounts> categories) {
    long nullCount = longAt(nulls.get(label));
    long notFinite = labelNotFinite == null ? 0 : longAt(labelNotFinite);
    checks.labelValues(label, nullCount, notFinite, rows);
    if (!spec.isClassification()) {
      if (!labelNumeric) {
        checks.regressionLabelType(label, schema.apply(label).dataType());
      }
      String[] aliases = minMaxMean.get(label);
      return new ColumnStats(
          "label",
          nullCount,
          (double) nullCount / rows,
          aliases == null ? null : doubleOrNull(aliases[0]),
          aliases == null ? null : doubleOrNull(aliases[1]),
          aliases == null ? null : doubleOrNull(aliases[2]),
          null,
          List.of());
    }
    CategoryCounts classes = categories.get(label);
    checks.labelClasses(label, classes);
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

  // ---- drift

  /** PSI per feature against the champion's profile (empty without a champion). */
  private Map<String, Double> driftAgainstChampion(
      long rows, Map<String, CategoryCounts> categories) {
    Map<String, Double> psi = new LinkedHashMap<>();
    if (champion == null) {
      return psi;
    }
    for (String column : spec.features()) {
      Double value = null;
      if (championBins.containsKey(column)) {
        long present = rows - longAt(nulls.get(column));
        value =
            PopulationStability.numericPsi(
                champion.numeric().get(column), pass1, championBins.get(column), present);
      } else if (champion.categorical().containsKey(column)
          && spec.categorical().contains(column)) {
        long present = rows - longAt(nulls.get(column));
        value = categories.get(column).psiAgainst(champion.categorical().get(column), present);
      }
      if (value != null) {
        psi.put(column, value);
        checks.drift(column, value);
      }
    }
    return psi;
  }

  // ---- helpers

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

  private long longAt(String alias) {
    return pass1.getLong(pass1.fieldIndex(alias));
  }

  private Double doubleOrNull(String alias) {
    int i = pass1.fieldIndex(alias);
    return pass1.isNullAt(i) ? null : pass1.getDouble(i);
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
}
