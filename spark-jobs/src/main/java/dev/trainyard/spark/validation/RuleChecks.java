package dev.trainyard.spark.validation;

import dev.trainyard.spark.features.FeatureColumns;
import dev.trainyard.spark.validation.ValidationReport.Violation;
import dev.trainyard.training.TrainingTask;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.types.DataType;

/**
 * The rules a dataset can break, one method per kind of check, each given the figures the passes
 * found. Every broken rule is kept, in the order the checks ran, with a message that names the
 * column, the figure, the limit and (where there is one) the fix.
 */
final class RuleChecks {
  private final FeatureColumns spec;
  private final ValidationRules rules;
  private final List<Violation> violations = new ArrayList<>();

  RuleChecks(FeatureColumns spec, ValidationRules rules) {
    this.spec = spec;
    this.rules = rules;
  }

  List<Violation> violations() {
    return violations;
  }

  void rowCount(long rows) {
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
  }

  void nulls(String column, long nullCount, long rows) {
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

  /**
   * @param outside rows outside the column's range rule
   * @param min the column's smallest value (read only when some rows are outside)
   * @param max its largest value, likewise
   */
  void range(String column, long outside, long rows, Double min, Double max) {
    if (outside == 0) {
      return;
    }
    List<Double> range = rules.ranges().get(column);
    double lowest = min;
    double highest = max;
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
                + ValidationReport.number(lowest)
                + ", max "
                + ValidationReport.number(highest)
                + ")"));
  }

  /**
   * @param outside rows whose value the column's allowed-categories rule forbids
   */
  void categories(String column, long outside, CategoryCounts counts) {
    if (outside == 0) {
      return;
    }
    List<String> allowed = rules.allowedCategories().get(column);
    String examples =
        counts.disallowed.stream()
            .limit(CategoryCounts.EXAMPLES)
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

  /**
   * @param nullCount rows with a null label
   * @param notFinite rows with a NaN or infinite label
   */
  void labelValues(String label, long nullCount, long notFinite, long rows) {
    if (nullCount > 0) {
      violations.add(
          new Violation(
              "label_nulls",
              label,
              "label '"
                  + label
                  + "' is null in "
                  + nullCount
                  + " row"
                  + (nullCount == 1 ? "" : "s")
                  + " ("
                  + ValidationReport.percent((double) nullCount / rows)
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
  }

  /** A regression label must be a number. */
  void regressionLabelType(String label, DataType type) {
    violations.add(
        new Violation(
            "label_type",
            label,
            "label '"
                + label
                + "' has type "
                + type.simpleString()
                + "; regression needs a numeric label: cast it where the data is written,"
                + " or choose a classification task"));
  }

  /** A classifier needs at least two classes, and a binary one at most two. */
  void labelClasses(String label, CategoryCounts classes) {
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
    } else if (spec.kind() == TrainingTask.Kind.BINARY && classes.distinct > 2) {
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
  }

  /** A feature's PSI against the champion over {@link ValidationRules#maxPsi()}. */
  void drift(String column, double psi) {
    if (psi > rules.maxPsi()) {
      violations.add(
          new Violation(
              "drift",
              column,
              "feature '"
                  + column
                  + "' drifted from the champion's training data: PSI "
                  + ValidationReport.number(psi)
                  + " is over the limit of "
                  + ValidationReport.number(rules.maxPsi())
                  + " (maxPsi)"));
    }
  }
}
