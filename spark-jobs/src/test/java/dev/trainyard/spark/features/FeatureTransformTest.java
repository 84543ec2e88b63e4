package dev.trainyard.spark.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainyard.spark.TestData;
import dev.trainyard.spark.io.DataInputException;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.validation.DataValidation;
import dev.trainyard.spark.validation.ValidationReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transforms a user gets wrong: each is found before anything is trained, by the step check or by
 * validation (which applies the steps before reading a row), with the step and its position named.
 */
class FeatureTransformTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static DatasetInput input;

  @BeforeAll
  static void data() {
    spark = TestData.spark();
    input = DatasetInput.parquet(TestData.parquet(dir, "animals", FeatureJobTest.animals()));
  }

  static FeatureColumns columns(String filter, String... sql) {
    return FeatureJobTest.COLUMNS.withTransform(
        new FeatureTransform(
            java.util.Arrays.stream(sql).map(FeatureTransform.Step::new).toList(), filter, null));
  }

  static void refusedAtValidationAndByTheFeatureJob(FeatureColumns columns, String... message) {
    assertThatThrownBy(() -> DataValidation.validate(spark, input, columns, null, null))
        .isInstanceOf(DataInputException.class)
        .hasMessageContainingAll(message);
    Path out = dir.resolve("features-" + System.nanoTime());
    assertThatThrownBy(
            () ->
                FeatureJob.fitAndWrite(
                    spark, input, columns, FeatureJobTest.SPLIT, out.toUri().toString()))
        .isInstanceOf(DataInputException.class)
        .hasMessageContainingAll(message);
    assertThat(Files.exists(out)).as("nothing written").isFalse();
  }

  @Test
  void notASingleSelectOverThisIsRefusedBeforeSpark() {
    assertThatThrownBy(() -> columns(null, "SELECT * FROM __THIS__", "DROP TABLE __THIS__"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll("transform step 2 (sql)", "is not a SELECT … FROM __THIS__");
    assertThatThrownBy(() -> columns(null, "SELECT * FROM __THIS__; SELECT 1 FROM __THIS__"))
        .hasMessageContaining("transform step 1 (sql): holds more than one statement");
    assertThatThrownBy(() -> columns(null, "SELECT * FROM animals"))
        .hasMessageContaining("transform step 1 (sql): is not a SELECT … FROM __THIS__");
  }

  @Test
  void sqlThatDoesNotParse() {
    refusedAtValidationAndByTheFeatureJob(
        columns(null, "SELECT *, x1 * 2 AS twice FROM __THIS__", "SELECT *, FROM x1 FROM __THIS__"),
        "transform step 2 (sql) fails on",
        "SELECT *, FROM x1 FROM __THIS__");
  }

  @Test
  void unknownFunction() {
    refusedAtValidationAndByTheFeatureJob(
        columns(null, "SELECT *, no_such_fn(x1) AS y FROM __THIS__"),
        "transform step 1 (sql) fails on",
        "no_such_fn");
  }

  @Test
  void unknownColumn() {
    refusedAtValidationAndByTheFeatureJob(
        columns(null, "SELECT *, x9 + 1 AS y FROM __THIS__"),
        "transform step 1 (sql) fails on",
        "x9");
  }

  @Test
  void aTransformThatDropsTheLabel() {
    refusedAtValidationAndByTheFeatureJob(
        columns(null, "SELECT id, x1, x2, color, size FROM __THIS__"),
        "transform step 1 (sql) leaves out 'species' (the label 'species')",
        "Keep the column (SELECT *, … FROM __THIS__)");
  }

  @Test
  void aColumnNameClash() {
    refusedAtValidationAndByTheFeatureJob(
        columns(null, "SELECT *, x2 * 10 AS x1 FROM __THIS__"),
        "transform step 1 (sql) produces two columns named 'x1'");
  }

  @Test
  void aFilterThatRemovesEveryRow() {
    refusedAtValidationAndByTheFeatureJob(
        columns("x2 > 100"), "trainingFilter 'x2 > 100' removes all 300 rows");
  }

  @Test
  void aFilterOverAnUnknownColumn() {
    refusedAtValidationAndByTheFeatureJob(
        columns("nope IS NOT NULL"), "trainingFilter 'nope IS NOT NULL' fails on", "nope");
  }

  @Test
  void aFilterThatRemovesMoreThanTheLimitFailsValidation() {
    // x2 = id mod 13: x2 < 3 keeps 3 of every 13 rows, removing 230 of 300.
    FeatureColumns columns =
        FeatureJobTest.COLUMNS.withTransform(new FeatureTransform(List.of(), "x2 < 3", 0.5));
    ValidationReport report = DataValidation.validate(spark, input, columns, null, null);
    assertThat(report.passed()).isFalse();
    assertThat(report.violations())
        .anySatisfy(
            v -> {
              assertThat(v.check()).isEqualTo("training_filter");
              assertThat(v.message())
                  .contains(
                      "trainingFilter 'x2 < 3' removes 230 of 300 rows (76.7%), more than"
                          + " trainingFilter.maxRemovedFraction 50.0%");
            });
    assertThat(report.rows()).isEqualTo(70);
    assertThat(report.trainingFilter().removedRows()).isEqualTo(230);
  }

  @Test
  void aDatetimePatternThatDoesNotParseFailsValidation() {
    FeatureColumns columns =
        FeatureJobTest.COLUMNS.withTransform(
            new FeatureTransform(
                List.of(
                    new FeatureTransform.Step(
                        "SELECT *, concat('2024-01-', lpad(CAST(pmod(id, 28) + 1 AS STRING), 2,"
                            + " '0')) AS day FROM __THIS__"),
                    new FeatureTransform.Step(
                        null,
                        new FeatureTransform.Datetime("day", "dd/MM/yyyy", List.of("month")))),
                null,
                null));
    ValidationReport report = DataValidation.validate(spark, input, columns, null, null);
    assertThat(report.passed()).isFalse();
    assertThat(report.violations())
        .anySatisfy(
            v ->
                assertThat(v.message())
                    .contains(
                        "transform step 2 (datetime): 'day' does not parse with pattern"
                            + " 'dd/MM/yyyy' in 300 of 300 rows (e.g. '2024-01-"));
    assertThatThrownBy(
            () ->
                FeatureJobTest.COLUMNS.withTransform(
                    new FeatureTransform(
                        List.of(
                            new FeatureTransform.Step(
                                null,
                                new FeatureTransform.Datetime("day", null, List.of("minute")))),
                        null,
                        null)))
        .hasMessageContaining(
            "transform step 1 (datetime): datetime.parts [minute] must be some of");
  }

  static FeatureColumns withSteps(FeatureTransform.Step... steps) {
    return FeatureJobTest.COLUMNS.withTransform(new FeatureTransform(List.of(steps), null, null));
  }

  /** A CSV reference table of sizes under {@code dir/name.csv}; its URI. */
  static String sizesTable(String name, String... lines) throws java.io.IOException {
    Path file = dir.resolve(name + ".csv");
    Files.writeString(file, String.join("\n", lines) + "\n");
    return file.toUri().toString();
  }

  @Test
  void bucketizeOnANonNumericColumn() {
    refusedAtValidationAndByTheFeatureJob(
        withSteps(FeatureTransform.Step.of(new FeatureTransform.Bucketize("color", 4, null, null))),
        "transform step 1 (bucketize): column 'color' is string, and bucketize bins numbers");
  }

  @Test
  void bucketizeEdgesThatDoNotIncreaseAreRefusedBeforeSpark() {
    assertThatThrownBy(
            () ->
                withSteps(
                    new FeatureTransform.Step("SELECT * FROM __THIS__"),
                    FeatureTransform.Step.of(
                        new FeatureTransform.Bucketize(
                            "x1", null, List.of(0.0, 50.0, 20.0), null))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "transform step 2 (bucketize): bucketize.edges [0.0, 50.0, 20.0] must be strictly"
                + " increasing (20.0 follows 50.0)");
  }

  @Test
  void textOnAMissingColumn() {
    refusedAtValidationAndByTheFeatureJob(
        withSteps(FeatureTransform.Step.of(new FeatureTransform.Text("notes", 64, null))),
        "transform step 1 (text): column 'notes' is not in the rows it reads (they have [id, x1,");
  }

  @Test
  void aLookupTableThatCannotBeRead() {
    refusedAtValidationAndByTheFeatureJob(
        withSteps(
            FeatureTransform.Step.of(
                new FeatureTransform.Lookup(
                    dir.resolve("no-such-table.csv").toUri().toString(),
                    "csv",
                    "size",
                    List.of("size_name"),
                    null))),
        "transform step 1 (lookup): cannot read the lookup table",
        "no-such-table.csv");
  }

  @Test
  void aLookupKeyTheTableDoesNotHave() throws Exception {
    String table = sizesTable("sizes-no-key", "code,size_name", "S,small", "M,medium");
    refusedAtValidationAndByTheFeatureJob(
        withSteps(
            FeatureTransform.Step.of(
                new FeatureTransform.Lookup(table, "csv", "size", List.of("size_name"), null))),
        "transform step 1 (lookup): key 'size' is not a column of the lookup table",
        "(it has [code, size_name])");
  }

  @Test
  void aLookupTableWithTheSameKeyTwice() throws Exception {
    String table = sizesTable("sizes-twice", "size,size_name", "S,small", "M,medium", "S,tiny");
    refusedAtValidationAndByTheFeatureJob(
        withSteps(
            FeatureTransform.Step.of(
                new FeatureTransform.Lookup(table, "csv", "size", List.of("size_name"), null))),
        "transform step 1 (lookup): key 'size' of the lookup table",
        "has the value 'S' more than once; a lookup needs one row per key");
  }
}
