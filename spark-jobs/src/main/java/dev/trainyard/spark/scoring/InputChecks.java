package dev.trainyard.spark.scoring;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import dev.trainyard.spark.features.FeatureManifest;
import dev.trainyard.spark.io.DataInputException;
import dev.trainyard.spark.io.InputData;
import dev.trainyard.spark.validation.ValidationReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;

/**
 * What {@link ScoringJob} checks before and while it scores: the input's columns against the
 * model's {@code features.json}, the per-row checks that send a row to the quarantine, and the
 * quarantined share against the request's limit.
 */
final class InputChecks {
  private static final int REASONS_IN_MESSAGE = 3;

  private InputChecks() {}

  static void checkColumns(StructType schema, ScoringRequest request, FeatureManifest manifest) {
    checkColumns(
        schema,
        request,
        manifest,
        "model '" + request.modelName() + "' version " + request.modelVersion());
  }

  /**
   * @param what the model whose {@code manifest} it is, in words (the champion's or a shadow's)
   */
  static void checkColumns(
      StructType schema, ScoringRequest request, FeatureManifest manifest, String what) {
    String uri = request.input().uri();
    List<String> existing = Arrays.asList(schema.fieldNames());
    Set<String> needed = new LinkedHashSet<>(request.keyColumns());
    needed.addAll(manifest.numeric());
    needed.addAll(manifest.categorical());
    InputData.Absent absent = InputData.absent(existing, needed);
    List<String> missing = absent.columns();
    List<String> hints = absent.hints();
    if (!missing.isEmpty()) {
      throw new DataInputException(
          "dataset "
              + uri
              + " lacks "
              + (missing.size() == 1 ? "a column" : missing.size() + " columns")
              + " that "
              + what
              + " needs: "
              + missing
              + ". Columns in the data: "
              + existing
              + (hints.isEmpty() ? "" : ". Case differs: " + String.join(", ", hints))
              + ". The model was trained on numeric "
              + manifest.numeric()
              + " and categorical "
              + manifest.categorical()
              + (request.keyColumns().isEmpty()
                  ? ""
                  : "; the request names keys " + request.keyColumns())
              + ".");
    }
    List<String> problems = new ArrayList<>();
    for (String column : manifest.numeric()) {
      DataType type = schema.apply(column).dataType();
      if (!(type instanceof NumericType) && !(type instanceof StringType)) {
        problems.add(
            "numeric feature '"
                + column
                + "' has type "
                + type.simpleString()
                + ", expected a number (int, bigint, float, double, decimal) or a string holding"
                + " numbers");
      }
    }
    for (String column : manifest.categorical()) {
      DataType type = schema.apply(column).dataType();
      if (!InputData.isCategoryType(type)) {
        problems.add(
            "categorical feature '"
                + column
                + "' has type "
                + type.simpleString()
                + ", expected string, integer or boolean, as in training");
      }
    }
    if (!problems.isEmpty()) {
      throw new DataInputException(
          "dataset "
              + uri
              + " has "
              + (problems.size() == 1 ? "a column" : problems.size() + " columns")
              + " of the wrong type for "
              + what
              + ": "
              + String.join("; ", problems)
              + ". Cast it where the data is written.");
    }
    if (existing.contains(ScoringJob.REASON)) {
      throw new DataInputException(
          "dataset "
              + uri
              + " has a column named '"
              + ScoringJob.REASON
              + "', which the quarantine output adds to the input columns: rename it upstream");
    }
  }

  /** A reason a row cannot be scored, and the condition (never null) that finds it. */
  record Check(String reason, Column failed) {}

  static List<Check> checks(StructType schema, ScoringRequest request, FeatureManifest manifest) {
    List<Check> checks = new ArrayList<>();
    for (String key : request.keyColumns()) {
      checks.add(new Check("key '" + key + "' is null", col(InputData.quoted(key)).isNull()));
    }
    for (String column : manifest.numeric()) {
      DataType type = schema.apply(column).dataType();
      Column c = col(InputData.quoted(column));
      if (type instanceof StringType) {
        Column number = c.try_cast("double");
        checks.add(
            new Check(
                "feature '" + column + "' is not a number",
                c.isNotNull().and(trim(c).notEqual("")).and(number.isNull())));
        checks.add(new Check("feature '" + column + "' is NaN or infinite", notFinite(number)));
      } else if (InputData.isFloating(type)) {
        checks.add(
            new Check("feature '" + column + "' is NaN or infinite", notFinite(c.cast("double"))));
      }
    }
    return checks;
  }

  private static Column notFinite(Column d) {
    return coalesce(
        isnan(d)
            .or(d.equalTo(lit(Double.POSITIVE_INFINITY)))
            .or(d.equalTo(lit(Double.NEGATIVE_INFINITY))),
        lit(false));
  }

  /** Every failed check's reason, joined by {@code "; "}; null for a scoreable row. */
  static Column reason(List<Check> checks) {
    if (checks.isEmpty()) {
      return lit(null).cast("string");
    }
    Column any = lit(false);
    List<Column> reasons = new ArrayList<>();
    for (Check check : checks) {
      any = any.or(check.failed());
      reasons.add(when(check.failed(), lit(check.reason())));
    }
    return when(any, concat_ws("; ", reasons.toArray(Column[]::new)));
  }

  /** Row and per-reason counts. */
  static final class Counts {
    long rows;
    long quarantined;
    final Map<String, Long> reasons = new LinkedHashMap<>();

    static Counts of(ScoringTotals totals, List<Check> checks) {
      Counts counts = new Counts();
      counts.rows = totals.rows;
      counts.quarantined = totals.quarantined;
      for (int i = 0; i < checks.size(); i++) {
        long n = totals.failedChecks[i];
        if (n > 0) {
          counts.reasons.merge(checks.get(i).reason(), n, Long::sum);
        }
      }
      return counts;
    }

    void requireWithinLimit(ScoringRequest request) {
      if (rows == 0 || (double) quarantined / rows <= request.maxQuarantineFraction()) {
        return;
      }
      String reasonsText =
          reasons.entrySet().stream()
              .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
              .limit(REASONS_IN_MESSAGE)
              .map(
                  e ->
                      e.getKey()
                          + " ("
                          + e.getValue()
                          + " row"
                          + (e.getValue() == 1 ? "" : "s")
                          + ")")
              .collect(Collectors.joining(", "));
      throw new DataInputException(
          quarantined
              + " of "
              + rows
              + " rows ("
              + ValidationReport.percent((double) quarantined / rows)
              + ") of "
              + request.input().uri()
              + " could not be scored, over the limit of "
              + ValidationReport.percent(request.maxQuarantineFraction())
              + " (maxQuarantineFraction): first reasons: "
              + reasonsText
              + ". Nothing was published; fix the data upstream or raise the limit.");
    }
  }
}
