package dev.trainyard.spark.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trainyard.spark.TestData;
import dev.trainyard.spark.drift.PopulationStability;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shadow comparison's numbers on side-by-side rows whose answer is known by hand. */
class ShadowComparisonTest {
  static SparkSession spark;
  static final ShadowModel SHADOW = new ShadowModel("/m", "churn", "2", "file:///s");

  @BeforeAll
  static void start() {
    spark = TestData.spark();
  }

  @Test
  void classificationAgreementAndPsiOfTheTwoClassShares() {
    // Champion: a a b b; shadow: a b b b → 3 of 4 agree; shares 0.5/0.5 vs 0.25/0.75.
    var rows =
        spark.sql(
            "SELECT * FROM VALUES ('a','a'), ('a','b'), ('b','b'), ('b','b')"
                + " AS t(prediction, shadow_prediction)");
    ShadowComparison c = ShadowComparison.of(rows, List.of("a", "b"), SHADOW);
    assertThat(c.rows()).isEqualTo(4);
    assertThat(c.agreement()).isEqualTo(0.75);
    assertThat(c.meanAbsDifference()).isNull();
    assertThat(c.predictionPsi())
        .isCloseTo(
            PopulationStability.psi(new double[] {0.5, 0.5}, new double[] {0.25, 0.75}),
            within(1e-12));
  }

  @Test
  void regressionMeanAbsoluteDifferenceAndNoDriftForTheSameDistribution() {
    // Shadow = champion + 0.5 on 1..100: |difference| is 0.5 on every row.
    var shifted =
        spark.sql(
            "SELECT CAST(id AS DOUBLE) AS prediction, CAST(id AS DOUBLE) + 0.5 AS"
                + " shadow_prediction FROM range(1, 101)");
    ShadowComparison c = ShadowComparison.of(shifted, null, SHADOW);
    assertThat(c.rows()).isEqualTo(100);
    assertThat(c.agreement()).isNull();
    assertThat(c.meanAbsDifference()).isCloseTo(0.5, within(1e-12));
    assertThat(c.predictionPsi()).isLessThan(0.05);

    // The same values in reverse row order: a large difference row by row, no drift at all.
    var reversed =
        spark.sql(
            "SELECT CAST(id AS DOUBLE) AS prediction, CAST(101 - id AS DOUBLE) AS"
                + " shadow_prediction FROM range(1, 101)");
    ShadowComparison r = ShadowComparison.of(reversed, null, SHADOW);
    assertThat(r.meanAbsDifference()).isCloseTo(50.0, within(1e-12));
    assertThat(r.predictionPsi()).isCloseTo(0.0, within(1e-9));

    // Shadow predicts far above the champion's range: everything in the top bin, a large PSI.
    var far =
        spark.sql(
            "SELECT CAST(id AS DOUBLE) AS prediction, CAST(id AS DOUBLE) + 1000 AS"
                + " shadow_prediction FROM range(1, 101)");
    assertThat(ShadowComparison.of(far, null, SHADOW).predictionPsi()).isGreaterThan(1.0);
  }
}
