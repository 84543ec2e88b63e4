package dev.trainyard.spark.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.trainyard.spark.TestData;
import dev.trainyard.spark.drift.PopulationStability;
import dev.trainyard.spark.features.FeatureColumns;
import dev.trainyard.spark.io.DataInputException;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.validation.ValidationReport.Violation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataValidationTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static String customers;

  static final FeatureColumns BINARY =
      new FeatureColumns("y", "binary", List.of("x", "n"), List.of("color"), List.of("id"));

  @BeforeAll
  static void writeData() {
    spark = TestData.spark();
    customers = TestData.parquet(dir, "customers", TestData.customers(400, 0));
  }

  static ValidationReport validate(String uri, FeatureColumns columns, ValidationRules rules) {
    return DataValidation.validate(spark, DatasetInput.parquet(uri), columns, rules, null);
  }

  static List<String> checks(ValidationReport report) {
    return report.violations().stream().map(Violation::check).toList();
  }

  @Test
  void cleanDataPassesWithStatsAndProfile() {
    ValidationReport report = validate(customers, BINARY, ValidationRules.defaults());

    assertThat(report.violations()).isEmpty();
    assertThat(report.passed()).isTrue();
    assertThat(report.rows()).isEqualTo(400);
    var x = report.columns().get("x");
    assertThat(x.kind()).isEqualTo("numeric");
    assertThat(x.nullFraction()).isZero();
    assertThat(x.min()).isEqualTo(0.0);
    assertThat(x.max()).isLessThan(100.0);
    assertThat(x.mean()).isCloseTo(50, within(5.0));
    var color = report.columns().get("color");
    assertThat(color.distinctCount()).isEqualTo(3);
    assertThat(color.topCategories()).hasSize(3);
    var y = report.columns().get("y");
    assertThat(y.kind()).isEqualTo("label");
    assertThat(y.distinctCount()).isEqualTo(2);

    DataProfile profile = report.profile();
    assertThat(profile.rows()).isEqualTo(400);
    var xBins = profile.numeric().get("x");
    assertThat(xBins.edges()).hasSize(9).isSorted();
    assertThat(xBins.fractions()).hasSize(10);
    assertThat(xBins.fractions().stream().mapToDouble(Double::doubleValue).sum())
        .isCloseTo(1, within(1e-9));
    assertThat(xBins.fractions()).allSatisfy(f -> assertThat(f).isCloseTo(0.1, within(0.03)));
    var colors = profile.categorical().get("color");
    assertThat(colors.frequencies()).containsOnlyKeys("red", "green", "blue");
    assertThat(colors.other()).isCloseTo(0, within(1e-9));
  }

  @Test
  void reportAndProfileRoundTripThroughJson() {
    ValidationReport report =
        validate(customers, BINARY, ValidationRules.defaults().withRows(1000L, null));

    ValidationReport back = ValidationReport.fromJson(report.toJson());

    assertThat(back).isEqualTo(report);
    assertThat(DataProfile.fromJson(report.profile().toJson())).isEqualTo(report.profile());
    assertThat(report.summary())
        .startsWith("FAILED: 400 rows, 1 violation")
        .contains("[row_count] dataset has 400 rows, fewer than the minimum of 1000")
        .contains("x (numeric): nulls 0%")
        .contains("color (categorical)");
  }

  @Test
  void readsCsvWithHeaderAndInferredTypes() {
    String uri = dir.resolve("customers-csv").toUri().toString();
    TestData.customers(50, 0).coalesce(1).write().option("header", "true").csv(uri);

    var report =
        DataValidation.validate(
            spark,
            DatasetInput.csv(uri),
            BINARY,
            ValidationRules.defaults().withRange("target", 0, 10),
            null);

    assertThat(report.rows()).isEqualTo(50);
    assertThat(report.columns().get("x").mean()).isNotNull();
    assertThat(report.columns()).containsKey("target");
    assertThat(checks(report)).containsExactly("range");
  }

  // ---- hard input errors

  @Test
  void missingPathIsAnInputError() {
    String uri = dir.resolve("nowhere").toUri().toString();
    assertThatThrownBy(() -> validate(uri, BINARY, null))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("dataset not found")
        .hasMessageContaining(uri)
        .hasMessageContaining("Check the URI");
  }

  @Test
  void corruptParquetIsAnInputError() throws Exception {
    Path broken = Files.createDirectories(dir.resolve("broken"));
    Files.write(broken.resolve("part-00000.parquet"), "definitely not parquet".getBytes());
    assertThatThrownBy(() -> validate(broken.toUri().toString(), BINARY, null))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("cannot read " + broken.toUri())
        .hasMessageContaining("as parquet")
        .hasMessageContaining("corrupt");
  }

  @Test
  void missingColumnsAreListedWithTheColumnsThatExist() {
    var columns =
        new FeatureColumns("y", "binary", List.of("x", "age", "Color"), List.of("city"), null);
    assertThatThrownBy(() -> validate(customers, columns, null))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("lacks 3 columns named in the spec: [age, Color, city]")
        .hasMessageContaining("Columns in the data: [id, x, n, color, y, target]")
        .hasMessageContaining("'Color' -> 'color'?");
  }

  @Test
  void wrongColumnTypesNameExpectedAndActual() {
    var columns = new FeatureColumns("y", "binary", List.of("x", "color"), List.of("x2"), null);
    String uri =
        TestData.parquet(dir, "typed", TestData.customers(20, 0).selectExpr("*", "x * 2 AS x2"));
    assertThatThrownBy(() -> validate(uri, columns, null))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("2 columns of the wrong type")
        .hasMessageContaining("numeric column 'color' has type string, expected a number")
        .hasMessageContaining(
            "categorical feature 'x2' has type double, expected string, integer or boolean");
  }

  @Test
  void emptyDatasetIsAnInputError() {
    String uri = TestData.parquet(dir, "empty", TestData.customers(10, 0).limit(0));
    assertThatThrownBy(() -> validate(uri, BINARY, null))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("has 0 rows");
  }

  // ---- violations

  @Test
  void rowCountOutsideLimits() {
    assertThat(validate(customers, BINARY, ValidationRules.defaults().withRows(500L, null)))
        .extracting(ValidationReport::passed, DataValidationTest::checks)
        .containsExactly(false, List.of("row_count"));
    var tooMany = validate(customers, BINARY, ValidationRules.defaults().withRows(1L, 100L));
    assertThat(tooMany.violations().get(0).message())
        .isEqualTo("dataset has 400 rows, more than the maximum of 100 (maxRows)");
  }

  @Test
  void nullFractionsOverTheLimitAndAllNullFeatures() {
    String uri =
        TestData.parquet(
            dir,
            "nulls",
            TestData.customers(200, 0)
                .selectExpr(
                    "id",
                    "IF(pmod(id, 10) < 6, NULL, x) AS x",
                    "IF(pmod(id, 10) = 0, CAST('NaN' AS DOUBLE), x) AS z",
                    "CAST(NULL AS INT) AS n",
                    "IF(pmod(id, 4) = 0, NULL, color) AS color",
                    "y"));
    var columns = new FeatureColumns("y", "binary", List.of("x", "z", "n"), List.of("color"), null);

    var report =
        validate(uri, columns, ValidationRules.defaults().withMaxNullFraction("color", 0.2));

    assertThat(report.violations())
        .extracting(Violation::check, Violation::column)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("null_fraction", "x"),
            org.assertj.core.groups.Tuple.tuple("null_fraction", "n"),
            org.assertj.core.groups.Tuple.tuple("null_fraction", "color"));
    assertThat(report.violations().get(0).message())
        .isEqualTo("feature 'x' is null in 60% of rows (120 of 200), over the limit of 50%");
    assertThat(report.violations().get(1).message())
        .startsWith("feature 'n' is null in 100% of rows");
    assertThat(report.violations().get(2).message()).contains("25%").contains("limit of 20%");
    assertThat(report.columns().get("z").nullFraction()).isCloseTo(0.1, within(1e-9));
  }

  @Test
  void valuesOutsideRanges() {
    var report = validate(customers, BINARY, ValidationRules.defaults().withRange("x", 0, 90));
    assertThat(checks(report)).containsExactly("range");
    assertThat(report.violations().get(0).message())
        .isEqualTo("column 'x' has 39 values outside [0, 90] (9.75% of rows; min 0, max 99.9)");
  }

  @Test
  void categoriesOutsideTheAllowedList() {
    var report =
        validate(
            customers,
            BINARY,
            ValidationRules.defaults().withAllowedCategories("color", List.of("red")));
    assertThat(checks(report)).containsExactly("allowed_categories");
    String message = report.violations().get(0).message();
    assertThat(message)
        .isEqualTo(
            "column 'color' has 266 values outside the allowed categories [red] (2 distinct),"
                + " e.g. 'blue' (133), 'green' (133)");
  }

  @Test
  void labelNullsNaNsAndInfinities() {
    String uri =
        TestData.parquet(
            dir,
            "badlabels",
            TestData.customers(100, 0)
                .selectExpr(
                    "id",
                    "x",
                    "CASE WHEN id < 3 THEN NULL WHEN id < 5 THEN CAST('NaN' AS DOUBLE)"
                        + " WHEN id = 5 THEN CAST('Infinity' AS DOUBLE) ELSE target END AS target"));
    var columns = new FeatureColumns("target", "regression", List.of("x"), null, null);

    var report = validate(uri, columns, ValidationRules.defaults().withRange("target", 0, 100));

    assertThat(checks(report)).containsExactly("label_nulls", "label_not_finite", "range");
    assertThat(report.violations().get(2).message())
        .isEqualTo(
            "column 'target' has 1 value outside [0, 100] (1% of rows; min 0, max Infinity)");
    assertThat(report.violations().get(0).message()).startsWith("label 'target' is null in 3 rows");
    assertThat(report.violations().get(1).message())
        .startsWith("label 'target' is NaN or infinite in 3 rows");
  }

  @Test
  void classificationNeedsTwoClasses() {
    String uri =
        TestData.parquet(dir, "oneclass", TestData.customers(50, 0).selectExpr("x", "'yes' AS y"));
    var columns = new FeatureColumns("y", "binary", List.of("x"), null, null);

    var report = validate(uri, columns, null);

    assertThat(checks(report)).containsExactly("label_classes");
    assertThat(report.violations().get(0).message()).contains("a single class ('yes')");
  }

  @Test
  void binaryTaskWithThreeClassesAndRegressionOnText() {
    var threeClasses = new FeatureColumns("color", "binary", List.of("x"), null, null);
    assertThat(validate(customers, threeClasses, null).violations().get(0).message())
        .contains("has 3 classes but the task is binary");

    var textRegression = new FeatureColumns("y", "regression", List.of("x"), null, null);
    var report = validate(customers, textRegression, null);
    assertThat(checks(report)).containsExactly("label_type");
    assertThat(report.violations().get(0).message())
        .startsWith("label 'y' has type string; regression needs a numeric label");
  }

  @Test
  void everyViolationIsReportedNotJustTheFirst() {
    var rules =
        ValidationRules.defaults()
            .withRows(1000L, null)
            .withRange("x", 10, 20)
            .withAllowedCategories("color", List.of("red", "green"));
    assertThat(checks(validate(customers, BINARY, rules)))
        .containsExactly("row_count", "range", "allowed_categories");
  }

  // ---- drift

  @Test
  void psiIsNearZeroForTheSameDistributionAndLargeForAShiftedOne() {
    DataProfile champion = validate(customers, BINARY, null).profile();
    String same = TestData.parquet(dir, "same", TestData.customers(400, 0).where("id % 2 = 0"));
    String shifted =
        TestData.parquet(
            dir,
            "shifted",
            TestData.customers(400, 40)
                .selectExpr("id", "x", "n", "IF(id % 5 = 0, 'purple', 'red') AS color", "y"));

    var sameReport =
        DataValidation.validate(spark, DatasetInput.parquet(same), BINARY, null, champion);
    var shiftedReport =
        DataValidation.validate(spark, DatasetInput.parquet(shifted), BINARY, null, champion);

    assertThat(sameReport.psi()).containsOnlyKeys("x", "n", "color");
    assertThat(sameReport.psi().values()).allSatisfy(v -> assertThat(v).isLessThan(0.05));
    assertThat(sameReport.passed()).isTrue();
    assertThat(shiftedReport.psi().get("x")).isGreaterThan(1.0);
    assertThat(shiftedReport.psi().get("color")).isGreaterThan(1.0);
    assertThat(shiftedReport.psi().get("n")).isLessThan(0.05);
    assertThat(shiftedReport.violations())
        .extracting(Violation::check, Violation::column)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("drift", "x"),
            org.assertj.core.groups.Tuple.tuple("drift", "color"));
    assertThat(shiftedReport.violations().get(0).message())
        .contains("feature 'x' drifted from the champion's training data: PSI")
        .contains("over the limit of 0.25");
  }

  @Test
  void psiFormula() {
    assertThat(PopulationStability.psi(new double[] {0.5, 0.5}, new double[] {0.5, 0.5})).isZero();
    // 0.1*ln(0.6/0.5)+(-0.1)*ln(0.4/0.5) = 0.0405
    assertThat(PopulationStability.psi(new double[] {0.5, 0.5}, new double[] {0.6, 0.4}))
        .isCloseTo(0.0405, within(1e-3));
    assertThat(PopulationStability.psi(new double[] {1, 0}, new double[] {0, 1})).isGreaterThan(10);
  }
}
