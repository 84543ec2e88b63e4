package dev.trainyard.spark.drift;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.trainyard.spark.io.InputData;
import dev.trainyard.spark.validation.DataProfile;
import dev.trainyard.spark.validation.DataProfile.CategoricalProfile;
import dev.trainyard.spark.validation.DataProfile.NumericProfile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Drift as the population stability index {@code sum((a - e) * ln(a / e))} over bins, with {@value
 * #PSI_EPSILON} added to every share so empty bins stay finite. Numeric features use the reference
 * profile's quantile bins; categorical ones use its categories plus one bucket for every other
 * value (including categories the reference never saw).
 *
 * <p>The one place the formula lives: validation reads it from its aggregate pass, scoring from the
 * counts its scoring function keeps ({@link DriftBins}), and {@link #psi(Dataset, List, List,
 * DataProfile)} from one pass of its own.
 */
public final class PopulationStability {
  static final double PSI_EPSILON = 1e-4;

  private PopulationStability() {}

  /**
   * Drift of {@code data} from a reference profile (a model's training profile): the PSI of each
   * listed feature that the reference profiles, computed exactly as validation does, in one
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
        agg.columns(),
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
   * {@code row} ({@link Aggregates#cumulativeBinCounts}); null when there are no values.
   */
  public static Double numericPsi(
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
  public static Double categoricalPsi(
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

  /** PSI of {@code actual} shares against {@code expected} ones, bin by bin. */
  public static double psi(double[] expected, double[] actual) {
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
}
