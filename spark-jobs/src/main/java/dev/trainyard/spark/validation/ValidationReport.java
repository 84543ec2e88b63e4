package dev.trainyard.spark.validation;

import dev.trainyard.spark.io.Json;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link DataValidation} found.
 *
 * @param passed no violations
 * @param rows rows in the dataset
 * @param violations every rule the data breaks, in check order
 * @param columns statistics per feature and the label
 * @param psi population stability index per feature against the champion's profile (empty without
 *     one)
 * @param profile this dataset's profile, to store with the model version trained on it
 * @param trainingFilter what the spec's training filter and transform did; null without either
 */
public record ValidationReport(
    boolean passed,
    long rows,
    List<Violation> violations,
    Map<String, ColumnStats> columns,
    Map<String, Double> psi,
    DataProfile profile,
    TrainingFilter trainingFilter) {

  /**
   * What the spec's {@code trainingFilter} did: {@link #rows()} counts the rows it kept.
   *
   * @param predicate the filter as written
   * @param inputRows rows before the filter
   * @param removedRows rows it removed
   * @param transformSteps how many transform steps ran before the checks (the columns checked are
   *     those the steps produce)
   * @param derivedColumns the checked columns the steps made (not in the raw data); the others were
   *     checked as the raw data has them
   */
  public record TrainingFilter(
      String predicate,
      long inputRows,
      long removedRows,
      int transformSteps,
      List<String> derivedColumns) {
    public TrainingFilter {
      derivedColumns = List.copyOf(derivedColumns == null ? List.of() : derivedColumns);
    }
  }

  /** This report with the filter's counts and any violation it causes. */
  ValidationReport withTrainingFilter(TrainingFilter filter, List<Violation> more) {
    List<Violation> all = new java.util.ArrayList<>(violations);
    all.addAll(more);
    return new ValidationReport(all.isEmpty(), rows, all, columns, psi, profile, filter);
  }

  public ValidationReport {
    violations = List.copyOf(violations == null ? List.of() : violations);
    columns =
        Collections.unmodifiableMap(new LinkedHashMap<>(columns == null ? Map.of() : columns));
    psi = Collections.unmodifiableMap(new LinkedHashMap<>(psi == null ? Map.of() : psi));
  }

  /**
   * One broken rule.
   *
   * @param check which rule: {@code row_count}, {@code null_fraction}, {@code range}, {@code
   *     allowed_categories}, {@code training_filter}, {@code transform}, {@code label_nulls},
   *     {@code label_not_finite}, {@code label_type}, {@code label_classes} or {@code drift}
   * @param column the column concerned, or {@code null} for whole-dataset checks
   * @param message what is wrong, in words a user can act on
   */
  public record Violation(String check, String column, String message) {}

  /**
   * Statistics of one column.
   *
   * @param kind {@code numeric}, {@code categorical} or {@code label}
   * @param nullCount null values (NaN counts as null for numeric features)
   * @param nullFraction {@code nullCount / rows}
   * @param min smallest value (numeric columns)
   * @param max largest value (numeric columns)
   * @param mean mean value (numeric columns)
   * @param distinctCount distinct non-null values (categorical columns and classification labels)
   * @param topCategories most frequent values, at most 10 (categorical columns and classification
   *     labels)
   */
  public record ColumnStats(
      String kind,
      long nullCount,
      double nullFraction,
      Double min,
      Double max,
      Double mean,
      Long distinctCount,
      List<CategoryCount> topCategories) {
    public ColumnStats {
      topCategories = topCategories == null ? List.of() : List.copyOf(topCategories);
    }
  }

  /** A category and how many rows have it. */
  public record CategoryCount(String value, long count) {}

  public String toJson() {
    return Json.write(this);
  }

  public static ValidationReport fromJson(String json) {
    return Json.read(json, ValidationReport.class);
  }

  /** A few readable lines: verdict, violations, then one line per column. */
  public String summary() {
    StringBuilder out = new StringBuilder();
    out.append(passed ? "PASSED" : "FAILED")
        .append(": ")
        .append(rows)
        .append(" rows, ")
        .append(violations.size())
        .append(violations.size() == 1 ? " violation" : " violations")
        .append('\n');
    if (trainingFilter != null) {
      out.append("trainingFilter ")
          .append(trainingFilter.predicate() == null ? "(none)" : trainingFilter.predicate())
          .append(": removed ")
          .append(trainingFilter.removedRows())
          .append(" of ")
          .append(trainingFilter.inputRows())
          .append(" rows; columns checked after ")
          .append(trainingFilter.transformSteps())
          .append(" transform step(s)")
          .append(
              trainingFilter.derivedColumns().isEmpty()
                  ? ""
                  : "; derived by the transform: "
                      + String.join(", ", trainingFilter.derivedColumns())
                      + " (the other columns are raw)")
          .append('\n');
    }
    for (Violation violation : violations) {
      out.append("  - [").append(violation.check()).append("] ").append(violation.message());
      out.append('\n');
    }
    out.append("columns:\n");
    columns.forEach(
        (name, stats) -> {
          out.append("  ").append(name).append(" (").append(stats.kind()).append("): nulls ");
          out.append(percent(stats.nullFraction()));
          if (stats.min() != null) {
            out.append(", min ").append(number(stats.min()));
            out.append(", max ").append(number(stats.max()));
            out.append(", mean ").append(number(stats.mean()));
          }
          if (stats.distinctCount() != null) {
            out.append(", ").append(stats.distinctCount()).append(" distinct");
            if (!stats.topCategories().isEmpty()) {
              out.append(", top ");
              List<CategoryCount> top = stats.topCategories();
              for (int i = 0; i < Math.min(3, top.size()); i++) {
                out.append(i == 0 ? "" : ", ")
                    .append('\'')
                    .append(top.get(i).value())
                    .append("' ")
                    .append(top.get(i).count());
              }
            }
          }
          Double columnPsi = psi.get(name);
          if (columnPsi != null) {
            out.append(", psi ").append(number(columnPsi));
          }
          out.append('\n');
        });
    return out.toString();
  }

  public static String percent(double fraction) {
    return number(fraction * 100) + "%";
  }

  static String number(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return Double.toString(value);
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    String text = String.format(Locale.ROOT, "%.4g", value);
    if (text.contains("e") || text.contains("E")) {
      return text;
    }
    return text.contains(".") ? text.replaceAll("0+$", "").replaceAll("\\.$", "") : text;
  }
}
