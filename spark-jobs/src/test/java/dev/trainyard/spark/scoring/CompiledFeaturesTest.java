package dev.trainyard.spark.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.trainyard.spark.TestData;
import dev.trainyard.spark.features.FeatureColumns;
import dev.trainyard.spark.features.FeatureJob;
import dev.trainyard.spark.features.FeatureManifest;
import dev.trainyard.spark.features.SplitSpec;
import dev.trainyard.spark.io.DatasetInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compiled feature pipeline gives exactly what the fitted Spark pipeline gives, including
 * missing numbers (median), unseen and missing categories (the unknown slot), integer and boolean
 * categories, and numbers held as other numeric types.
 */
class CompiledFeaturesTest {
  @TempDir static Path dir;
  static SparkSession spark;
  static String pipelineUri;
  static FeatureManifest manifest;

  static final FeatureColumns COLUMNS =
      new FeatureColumns(
          "y", "binary", List.of("x", "n", "flat"), List.of("color", "tier", "vip"), List.of("id"));

  @BeforeAll
  static void fit() throws Exception {
    spark = TestData.spark();
    Dataset<Row> training =
        TestData.rows(
            500,
            "id",
            "IF(pmod(id, 11) = 0, NULL, CAST(pmod(id * 7919, 1000) AS DOUBLE) / 10.0) AS x",
            "CAST(pmod(id, 7) AS INT) AS n",
            "CAST(5 AS BIGINT) AS flat", // constant: std 0
            "IF(pmod(id, 13) = 0, NULL,"
                + " element_at(array('red', 'green', 'blue'), CAST(pmod(id, 3) + 1 AS INT))) AS"
                + " color",
            "CAST(pmod(id, 4) AS INT) AS tier",
            "pmod(id, 5) = 0 AS vip",
            "IF(pmod(id, 2) = 0, 'yes', 'no') AS y");
    String input = TestData.parquet(dir, "training", training);
    Path out = dir.resolve("features");
    FeatureJob.fitAndWrite(
        spark,
        DatasetInput.parquet(input),
        COLUMNS,
        new SplitSpec(0.7, 0.15, 0.15, 7),
        out.toUri().toString());
    pipelineUri = out.resolve("pipeline").toUri().toString();
    manifest = FeatureManifest.fromJson(Files.readString(out.resolve("features.json")));
  }

  @Test
  void sameFeaturesAsTheFittedPipeline() {
    Dataset<Row> scoring =
        TestData.rows(
            300,
            "id",
            // decimals and nulls in a double feature; a long in an int feature
            "IF(pmod(id, 9) = 0, NULL, CAST(pmod(id * 31, 1200) / 10.0 AS DECIMAL(10, 1))) AS x",
            "CAST(pmod(id, 9) AS BIGINT) AS n",
            "CAST(pmod(id, 3) AS BIGINT) AS flat",
            // 'purple' was never seen; nulls too
            "IF(pmod(id, 10) = 0, NULL, element_at(array('red', 'green', 'blue', 'purple'),"
                + " CAST(pmod(id, 4) + 1 AS INT))) AS color",
            "CAST(pmod(id, 6) AS INT) AS tier",
            "IF(pmod(id, 7) = 0, NULL, pmod(id, 5) = 0) AS vip");
    CompiledFeatures compiled = CompiledFeatures.compile(PipelineModel.load(pipelineUri), manifest);
    assertNotNull(compiled, "the feature job's own pipeline compiles");
    assertEquals(manifest.numFeatures(), compiled.width());

    List<Row> expected =
        FeatureJob.applyPipeline(spark, pipelineUri, scoring).orderBy("id").collectAsList();
    // As the scoring job hands them over: numbers cast to double, categories as they are.
    List<Row> raw =
        scoring
            .selectExpr(
                "id",
                "CAST(x AS DOUBLE)",
                "CAST(n AS DOUBLE)",
                "CAST(flat AS DOUBLE)",
                "color",
                "tier",
                "vip")
            .orderBy("id")
            .collectAsList();

    assertEquals(expected.size(), raw.size());
    int unknownColors = 0;
    for (int r = 0; r < raw.size(); r++) {
      float[] got = new float[compiled.width()];
      double[] numbers = new double[3];
      for (int j = 0; j < numbers.length; j++) {
        numbers[j] = raw.get(r).isNullAt(1 + j) ? Double.NaN : raw.get(r).getDouble(1 + j);
      }
      int[] slots = new int[3];
      for (int j = 0; j < slots.length; j++) {
        Object v = raw.get(r).get(4 + j);
        slots[j] = v == null ? -1 : compiled.labels(j).indexOf(String.valueOf(v));
      }
      compiled.fill(numbers, slots, got);
      List<Float> want = expected.get(r).getList(expected.get(r).fieldIndex("features"));
      for (int j = 0; j < got.length; j++) {
        assertEquals(want.get(j), got[j], 1e-6, "row " + raw.get(r) + ", feature " + j);
      }
      Object color = raw.get(r).get(4);
      if (color == null || color.equals("purple")) {
        unknownColors++;
      }
    }
    assertThat(unknownColors).isGreaterThan(0);
  }

  @Test
  void aPipelineOfAnotherShapeIsNotCompiled() {
    PipelineModel other =
        new Pipeline()
            .setStages(
                new PipelineStage[] {
                  new SQLTransformer().setStatement("SELECT *, x AS features FROM __THIS__")
                })
            .fit(TestData.rows(3, "id", "CAST(id AS DOUBLE) AS x"));

    assertNull(CompiledFeatures.compile(other, manifest));
  }
}
