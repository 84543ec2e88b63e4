package dev.trainyard.spark.validation;

import java.util.List;
import java.util.Map;

/**
 * Limits a dataset must stay within. Every field is optional; a {@code null} takes the default.
 *
 * @param minRows fewest rows (default {@value #DEFAULT_MIN_ROWS})
 * @param maxRows most rows (default: no limit)
 * @param maxNullFraction the largest fraction of null (or NaN) values any feature may have (default
 *     {@value #DEFAULT_MAX_NULL_FRACTION}); an all-null feature always fails
 * @param maxNullFractionByColumn per-column overrides of {@code maxNullFraction}
 * @param ranges inclusive {@code [min, max]} per numeric column; values outside are violations
 * @param allowedCategories the values a categorical column may take
 * @param maxPsi the largest population stability index a feature may drift by, compared with the
 *     champion's profile (default {@value #DEFAULT_MAX_PSI}: the usual "significant shift" line)
 */
public record ValidationRules(
    Long minRows,
    Long maxRows,
    Double maxNullFraction,
    Map<String, Double> maxNullFractionByColumn,
    Map<String, List<Double>> ranges,
    Map<String, List<String>> allowedCategories,
    Double maxPsi) {

  public static final long DEFAULT_MIN_ROWS = 1;
  public static final double DEFAULT_MAX_NULL_FRACTION = 0.5;
  public static final double DEFAULT_MAX_PSI = 0.25;

  public ValidationRules {
    minRows = minRows == null ? DEFAULT_MIN_ROWS : minRows;
    maxNullFraction = maxNullFraction == null ? DEFAULT_MAX_NULL_FRACTION : maxNullFraction;
    maxNullFractionByColumn =
        maxNullFractionByColumn == null ? Map.of() : Map.copyOf(maxNullFractionByColumn);
    ranges = ranges == null ? Map.of() : Map.copyOf(ranges);
    allowedCategories = allowedCategories == null ? Map.of() : Map.copyOf(allowedCategories);
    maxPsi = maxPsi == null ? DEFAULT_MAX_PSI : maxPsi;
    if (maxRows != null && maxRows < minRows) {
      throw new IllegalArgumentException(
          "maxRows " + maxRows + " is smaller than minRows " + minRows);
    }
    ranges.forEach(
        (column, range) -> {
          if (range == null
              || range.size() != 2
              || range.get(0) == null
              || range.get(1) == null
              || range.get(0) > range.get(1)) {
            throw new IllegalArgumentException(
                "range for '" + column + "' must be [min, max] with min <= max, got " + range);
          }
        });
  }

  public static ValidationRules defaults() {
    return builder().build();
  }

  /** Rules named field by field; whatever is not set (or set to null) takes its default. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link ValidationRules}; every setter is optional and accepts null (the default). */
  public static final class Builder {
    private Long minRows;
    private Long maxRows;
    private Double maxNullFraction;
    private Map<String, Double> maxNullFractionByColumn;
    private Map<String, List<Double>> ranges;
    private Map<String, List<String>> allowedCategories;
    private Double maxPsi;

    private Builder() {}

    public Builder optMinRows(Long minRows) {
      this.minRows = minRows;
      return this;
    }

    public Builder optMaxRows(Long maxRows) {
      this.maxRows = maxRows;
      return this;
    }

    public Builder optMaxNullFraction(Double maxNullFraction) {
      this.maxNullFraction = maxNullFraction;
      return this;
    }

    public Builder optMaxNullFractionByColumn(Map<String, Double> maxNullFractionByColumn) {
      this.maxNullFractionByColumn = maxNullFractionByColumn;
      return this;
    }

    public Builder optRanges(Map<String, List<Double>> ranges) {
      this.ranges = ranges;
      return this;
    }

    public Builder optAllowedCategories(Map<String, List<String>> allowedCategories) {
      this.allowedCategories = allowedCategories;
      return this;
    }

    public Builder optMaxPsi(Double maxPsi) {
      this.maxPsi = maxPsi;
      return this;
    }

    /**
     * @throws IllegalArgumentException when maxRows &lt; minRows or a range is not [min, max]
     */
    public ValidationRules build() {
      return new ValidationRules(
          minRows,
          maxRows,
          maxNullFraction,
          maxNullFractionByColumn,
          ranges,
          allowedCategories,
          maxPsi);
    }
  }

  public ValidationRules withRows(Long min, Long max) {
    return new ValidationRules(
        min, max, maxNullFraction, maxNullFractionByColumn, ranges, allowedCategories, maxPsi);
  }

  public ValidationRules withMaxNullFraction(double fraction) {
    return new ValidationRules(
        minRows, maxRows, fraction, maxNullFractionByColumn, ranges, allowedCategories, maxPsi);
  }

  public ValidationRules withMaxNullFraction(String column, double fraction) {
    var byColumn = new java.util.HashMap<>(maxNullFractionByColumn);
    byColumn.put(column, fraction);
    return new ValidationRules(
        minRows, maxRows, maxNullFraction, byColumn, ranges, allowedCategories, maxPsi);
  }

  public ValidationRules withRange(String column, double min, double max) {
    var newRanges = new java.util.HashMap<>(ranges);
    newRanges.put(column, List.of(min, max));
    return new ValidationRules(
        minRows,
        maxRows,
        maxNullFraction,
        maxNullFractionByColumn,
        newRanges,
        allowedCategories,
        maxPsi);
  }

  public ValidationRules withAllowedCategories(String column, List<String> values) {
    var allowed = new java.util.HashMap<>(allowedCategories);
    allowed.put(column, List.copyOf(values));
    return new ValidationRules(
        minRows, maxRows, maxNullFraction, maxNullFractionByColumn, ranges, allowed, maxPsi);
  }

  public ValidationRules withMaxPsi(double psi) {
    return new ValidationRules(
        minRows, maxRows, maxNullFraction, maxNullFractionByColumn, ranges, allowedCategories, psi);
  }

  /** The null-fraction limit for one column: its override, else the default. */
  public double maxNullFractionFor(String column) {
    return maxNullFractionByColumn.getOrDefault(column, maxNullFraction);
  }
}
