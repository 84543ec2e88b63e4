package dev.trainyard.spark.validation;

import dev.trainyard.spark.drift.PopulationStability;
import dev.trainyard.spark.features.FeatureColumns;
import dev.trainyard.spark.features.FeatureTransform;
import dev.trainyard.spark.io.DataInputException;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.io.InputData;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Checks a dataset against a feature spec and validation rules, profiles it, and measures drift
 * against a champion model's profile. Everything is Spark SQL aggregates over at most three passes
 * ({@link ValidationRun}): one aggregate over all columns (counts, nulls, min/max/mean, range and
 * category rule counts, approximate quantiles, champion-bin counts), one grouped count over all
 * categorical columns together ({@link CategoryCounts}), and one aggregate counting rows per
 * quantile bin of this dataset.
 *
 * <p>Problems that make the data unusable throw {@link DataInputException}; rules the data breaks
 * are collected in {@link ValidationReport#violations()}, all of them ({@link RuleChecks}).
 *
 * <p>Drift is the population stability index ({@link PopulationStability}). Numeric features use
 * the champion's quantile bins; categorical ones use the champion's categories plus one bucket for
 * every other value (including categories the champion never saw).
 */
public final class DataValidation {
  private DataValidation() {}

  public static ValidationReport validate(
      SparkSession spark,
      DatasetInput input,
      FeatureColumns columns,
      ValidationRules rules,
      DataProfile championProfileOrNull) {
    ValidationRules limits = rules == null ? ValidationRules.defaults() : rules;
    Dataset<Row> read = InputData.read(spark, input);
    FeatureTransform transform = columns.transform();
    Dataset<Row> data = read;
    if (!transform.isEmpty()) {
      // The checks see the rows training sees: transformed, then filtered.
      Dataset<Row> transformed = transform.apply(read, input.uri());
      transform.requireColumns(transformed, columns);
      if (transform.learns()) {
        // Quantile bins: validation has no split, so its edges come from all filtered rows (the
        // feature job fits them on the training split); the checks need values, not placeholders.
        transformed =
            transform
                .fit(transform.filter(transformed, input.uri()), input.uri())
                .apply(read, input.uri());
      }
      data = transform.filter(transformed, input.uri());
    }
    StructType schema = data.schema();
    Set<String> ruleColumns = new LinkedHashSet<>(limits.maxNullFractionByColumn().keySet());
    ruleColumns.addAll(limits.allowedCategories().keySet());
    InputData.check(schema, input, columns, ruleColumns, limits.ranges().keySet());
    if (transform.isEmpty()) {
      return new ValidationRun(data, schema, input, columns, limits, championProfileOrNull)
          .validate();
    }
    long inputRows = InputData.action(input, read::count);
    long kept = transform.trainingFilter() == null ? inputRows : data.count();
    long removed = inputRows - kept;
    transform.requireRowsLeft(inputRows, kept, input.uri());
    List<ValidationReport.Violation> found = new ArrayList<>();
    for (String problem : transform.unparsed(data)) {
      found.add(new ValidationReport.Violation("transform", null, problem));
    }
    double fraction = inputRows == 0 ? 0 : (double) removed / inputRows;
    if (fraction > transform.maxFilteredFraction()) {
      found.add(
          new ValidationReport.Violation(
              "training_filter",
              null,
              String.format(
                  java.util.Locale.ROOT,
                  "trainingFilter '%s' removes %d of %d rows (%.1f%%), more than"
                      + " trainingFilter.maxRemovedFraction %.1f%%: check the predicate, or raise the"
                      + " limit if that is intended",
                  transform.trainingFilter(),
                  removed,
                  inputRows,
                  100 * fraction,
                  100 * transform.maxFilteredFraction())));
    }
    ValidationReport report =
        new ValidationRun(data, schema, input, columns, limits, championProfileOrNull).validate();
    // Rules may name raw or derived columns: the report says which of the checked ones the steps
    // made (Spark resolves column names case-insensitively).
    Set<String> rawColumns = new java.util.HashSet<>();
    for (String name : read.schema().fieldNames()) {
      rawColumns.add(name.toLowerCase(java.util.Locale.ROOT));
    }
    List<String> derived =
        report.columns().keySet().stream()
            .filter(c -> !rawColumns.contains(c.toLowerCase(java.util.Locale.ROOT)))
            .toList();
    return report.withTrainingFilter(
        new ValidationReport.TrainingFilter(
            transform.trainingFilter(), inputRows, removed, transform.steps().size(), derived),
        found);
  }
}
