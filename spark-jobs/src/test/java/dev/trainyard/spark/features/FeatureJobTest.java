package dev.trainyard.spark.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.trainyard.spark.TestData;
import dev.trainyard.spark.io.DataInputException;
import dev.trainyard.spark.io.DatasetInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class FeatureJobTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static String input;
  static String output;
  static FeatureResult result;

  public static final FeatureColumns COLUMNS =
      new FeatureColumns(
          "species", "multiclass", List.of("x1", "x2"), List.of("color", "size"), List.of("id"));
  public static final SplitSpec SPLIT = new SplitSpec(0.7, 0.15, 0.15, 42);

  /** 300 rows, three classes; x1 null every 10th row, color null every 7th. */
  public static Dataset<Row> animals() {
    return TestData.rows(
        300,
        "id",
        "IF(pmod(id, 10) = 0, NULL, CAST(pmod(id * 37, 101) AS DOUBLE)) AS x1",
        "CAST(pmod(id, 13) AS INT) AS x2",
        "IF(pmod(id, 7) = 0, NULL, element_at(array('red', 'green', 'blue'),"
            + " CAST(pmod(id, 3) + 1 AS INT))) AS color",
        "element_at(array('S', 'M', 'L'), CAST(pmod(id, 5) % 3 + 1 AS INT)) AS size",
        "element_at(array('dog', 'cat', 'bird'), CAST(pmod(id * 7, 3) + 1 AS INT)) AS species");
  }

  @BeforeAll
  static void fit() {
    spark = TestData.spark();
    input = TestData.parquet(dir, "animals", animals());
    output = dir.resolve("features").toUri().toString();
    result = FeatureJob.fitAndWrite(spark, DatasetInput.parquet(input), COLUMNS, SPLIT, output);
  }

  static Map<Long, List<Object>> byId(String set) {
    Map<Long, List<Object>> rows = new TreeMap<>();
    for (Row row : spark.read().parquet(output + "/" + set).collectAsList()) {
      rows.put(row.getLong(0), List.of(set, row.getList(1), row.getDouble(2)));
    }
    return rows;
  }

  static Map<Long, List<Object>> allRows() {
    Map<Long, List<Object>> all = new TreeMap<>();
    for (String set : List.of("train", "validation", "test")) {
      all.putAll(byId(set));
    }
    return all;
  }

  @Test
  void writesThreeSplitsWithKeysFloatFeaturesAndDoubleLabels() {
    for (String set : List.of("train", "validation", "test")) {
      Dataset<Row> rows = spark.read().parquet(output + "/" + set);
      assertThat(rows.schema().simpleString())
          .isEqualTo("struct<id:bigint,features:array<float>,label:double>");
    }
    assertThat(result.trainRows() + result.validationRows() + result.testRows()).isEqualTo(300);
    assertThat(result.trainRows()).isBetween(180L, 240L);
    assertThat(result.validationRows()).isBetween(25L, 65L);
    assertThat(spark.read().parquet(output + "/train").count()).isEqualTo(result.trainRows());
    assertThat(spark.read().parquet(output + "/test").count()).isEqualTo(result.testRows());
    assertThat(allRows()).hasSize(300);
    assertThat(Files.exists(dir.resolve("features/_SUCCESS"))).isTrue();
  }

  @Test
  void featureNamesLabelsAndManifest() {
    List<String> names =
        List.of(
            "x1",
            "x2",
            "color=blue",
            "color=green",
            "color=red",
            "color=__unknown__",
            "size=L",
            "size=M",
            "size=S",
            "size=__unknown__");
    assertThat(result.featureNames()).isEqualTo(names);
    assertThat(result.numFeatures()).isEqualTo(10);
    assertThat(result.labels()).containsExactly("bird", "cat", "dog");

    FeatureManifest manifest = FeatureJob.readManifest(spark, output);
    assertThat(manifest.numFeatures()).isEqualTo(10);
    assertThat(manifest.featureNames()).isEqualTo(names);
    assertThat(manifest.task()).isEqualTo("multiclass");
    assertThat(manifest.labels()).containsExactly("bird", "cat", "dog");
    assertThat(manifest.trainRows()).isEqualTo(result.trainRows());
    assertThat(manifest.split()).isEqualTo(SPLIT);
    assertThat(manifest.keys()).containsExactly("id");
    assertThat(FeatureManifest.fromJson(manifest.toJson())).isEqualTo(manifest);
  }

  @Test
  void featuresAreCompleteStandardizedAndLabelsIndexed() {
    Map<Long, List<Object>> rows = allRows();
    for (var entry : rows.entrySet()) {
      @SuppressWarnings("unchecked")
      List<Float> features = (List<Float>) entry.getValue().get(1);
      assertThat(features).hasSize(10).allSatisfy(f -> assertThat(f).isFinite());
      // one slot hot per categorical
      assertThat(features.subList(2, 6).stream().mapToDouble(Float::doubleValue).sum())
          .isEqualTo(1);
      assertThat(features.subList(6, 10).stream().mapToDouble(Float::doubleValue).sum())
          .isEqualTo(1);
      long id = entry.getKey();
      String species = List.of("dog", "cat", "bird").get((int) ((id * 7) % 3));
      assertThat(entry.getValue().get(2))
          .isEqualTo((double) List.of("bird", "cat", "dog").indexOf(species));
      if (id % 7 == 0) {
        assertThat(features.get(5)).as("null color goes to the unknown slot").isEqualTo(1f);
      }
    }
    // x1 standardized on the training split: mean ~0 there
    double meanX1 =
        byId("train").values().stream()
            .mapToDouble(v -> ((List<?>) v.get(1)).get(0) instanceof Float f ? f : 0)
            .average()
            .orElseThrow();
    assertThat(meanX1).isCloseTo(0, within(0.05));
  }

  @Test
  void rawSplitGivesBackExactlyTheRowsOfThatSplit() {
    List<Long> rawTest =
        FeatureJob.rawSplit(spark, DatasetInput.parquet(input), COLUMNS, SPLIT, "test")
            .select("id")
            .as(org.apache.spark.sql.Encoders.LONG())
            .collectAsList();

    assertThat(new java.util.TreeSet<>(rawTest)).isEqualTo(byId("test").keySet());
  }

  @Test
  void splitIsDeterministicAcrossInputOrderAndRunsAndOutputIsReplaced() throws Exception {
    Map<Long, List<Object>> first = allRows();
    String reordered =
        TestData.parquet(
            dir,
            "animals-reordered",
            animals().orderBy(org.apache.spark.sql.functions.col("id").desc()).repartition(3));

    FeatureResult again =
        FeatureJob.fitAndWrite(spark, DatasetInput.parquet(reordered), COLUMNS, SPLIT, output);

    assertThat(again.trainRows()).isEqualTo(result.trainRows());
    assertThat(allRows()).isEqualTo(first);
    try (Stream<Path> siblings = Files.list(dir)) {
      assertThat(siblings.map(p -> p.getFileName().toString()).collect(Collectors.toList()))
          .noneMatch(name -> name.contains("staging") || name.contains("replaced"));
    }
    // A different seed moves rows between splits.
    String elsewhere = dir.resolve("features-seed7").toUri().toString();
    var otherSeed = new SplitSpec(0.7, 0.15, 0.15, 7);
    FeatureJob.fitAndWrite(
        spark,
        DatasetInput.parquet(input),
        new FeatureColumns("species", "multiclass", List.of("x2"), null, List.of("id")),
        otherSeed,
        elsewhere);
    List<Long> trainIds =
        spark
            .read()
            .parquet(elsewhere + "/train")
            .select("id")
            .as(org.apache.spark.sql.Encoders.LONG())
            .collectAsList();
    assertThat(trainIds).isNotEqualTo(List.copyOf(byId("train").keySet()));
  }

  @Test
  void appliedPipelineScoresRawRowsWithUnseenCategoriesAndMissingNumbers() {
    Dataset<Row> raw =
        TestData.rows(
            2,
            "id",
            "IF(id = 0, NULL, 50.0D) AS x1",
            "CAST(3 AS INT) AS x2",
            "IF(id = 0, 'purple', 'red') AS color",
            "'XL' AS size");

    List<Row> scored =
        FeatureJob.applyPipeline(spark, output + "/pipeline", raw).orderBy("id").collectAsList();

    assertThat(scored).hasSize(2);
    assertThat(scored.get(0).schema().fieldNames())
        .containsExactly("id", "x1", "x2", "color", "size", "features");
    List<Float> unseen = scored.get(0).getList(5);
    assertThat(unseen).hasSize(10).allSatisfy(f -> assertThat(f).isFinite());
    assertThat(unseen.get(5)).as("color=__unknown__").isEqualTo(1f);
    assertThat(unseen.get(9)).as("size=__unknown__").isEqualTo(1f);
    List<Float> known = scored.get(1).getList(5);
    assertThat(known.get(4)).as("color=red").isEqualTo(1f);
  }

  @Test
  void regressionKeepsTheLabelValueAndDropsUnusableLabels() {
    String uri =
        TestData.parquet(
            dir,
            "prices",
            TestData.rows(
                60,
                "CAST(pmod(id, 9) AS DOUBLE) AS area",
                "IF(id = 0, CAST('NaN' AS DOUBLE), id * 2.5D) AS price"));
    String out = dir.resolve("prices-features").toUri().toString();

    FeatureResult prices =
        FeatureJob.fitAndWrite(
            spark,
            DatasetInput.parquet(uri),
            new FeatureColumns("price", "regression", List.of("area"), null, null),
            new SplitSpec(1, 0, 0, 1),
            out);

    assertThat(prices.trainRows()).isEqualTo(59);
    assertThat(prices.labels()).isEmpty();
    assertThat(prices.featureNames()).containsExactly("area");
    assertThat(FeatureJob.readManifest(spark, out).droppedRows()).isEqualTo(1);
    List<Double> labels =
        spark
            .read()
            .parquet(out + "/train")
            .select("label")
            .as(org.apache.spark.sql.Encoders.DOUBLE())
            .collectAsList();
    assertThat(labels).hasSize(59).contains(2.5, 147.5).doesNotContain(0.0);
  }

  @Test
  void aFeatureWithNoValuesInTrainingIsAnInputError() {
    String uri =
        TestData.parquet(
            dir, "hollow", animals().selectExpr("id", "CAST(NULL AS DOUBLE) AS x1", "species"));
    var columns = new FeatureColumns("species", "multiclass", List.of("x1"), null, List.of("id"));
    assertThatThrownBy(
            () ->
                FeatureJob.fitAndWrite(
                    spark,
                    DatasetInput.parquet(uri),
                    columns,
                    SPLIT,
                    dir.resolve("hollow-features").toUri().toString()))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("numeric feature 'x1'")
        .hasMessageContaining("no values in the training split");
    assertThat(Files.exists(dir.resolve("hollow-features"))).isFalse();
  }
}
