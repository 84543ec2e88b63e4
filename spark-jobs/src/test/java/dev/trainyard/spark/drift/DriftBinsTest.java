package dev.trainyard.spark.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainyard.spark.validation.DataProfile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scoring function's drift counting, without Spark (the end-to-end check: ScoringJobTest). */
class DriftBinsTest {
  @Test
  void aValueOnAnEdgeFallsInTheBinBelowAsValidationCountsIt() {
    double[] edges = {1.0, 2.0, 3.0};
    assertThat(DriftBins.bin(edges, 0.5)).isZero();
    assertThat(DriftBins.bin(edges, 1.0)).isZero();
    assertThat(DriftBins.bin(edges, 1.5)).isEqualTo(1);
    assertThat(DriftBins.bin(edges, 3.0)).isEqualTo(2);
    assertThat(DriftBins.bin(edges, 3.5)).isEqualTo(3);
    // SQL's v <= 0.0 holds for -0.0 (and v <= -0.0 for 0.0).
    assertThat(DriftBins.bin(new double[] {0.0}, -0.0)).isZero();
    assertThat(DriftBins.bin(new double[] {-0.0}, 0.0)).isZero();
  }

  @Test
  void psiFromTheCountsIsValidationsFormula() {
    DataProfile profile =
        new DataProfile(
            4,
            Map.of("x", new DataProfile.NumericProfile(4, List.of(1.0), List.of(0.5, 0.5))),
            Map.of("c", new DataProfile.CategoricalProfile(4, Map.of("a", 1.0), 0.0)));
    DriftBins bins = DriftBins.of(profile, List.of("x"), List.of("c"));
    DriftBins partition = bins.empty();
    partition.add(new double[] {0.5}, new int[] {0});
    partition.add(new double[] {1.5}, new int[] {DriftBins.OTHER});
    partition.add(new double[] {Double.NaN}, new int[] {DriftBins.MISSING});
    bins.merge(partition);

    Map<String, Double> psi = bins.psi(profile);
    assertThat(psi.get("x"))
        .isEqualTo(PopulationStability.psi(new double[] {0.5, 0.5}, new double[] {0.5, 0.5}));
    assertThat(psi.get("c"))
        .isEqualTo(PopulationStability.psi(new double[] {1.0, 0.0}, new double[] {0.5, 0.5}));
  }

  @Test
  void missingChangeIsAgainstTrainingsMissingFractionAndUnseenLeavesOutTrainingsOther() {
    // Training: 10 rows, x present in 8 (20% missing), c present in 10 with 10% outside the kept
    // categories.
    DataProfile profile =
        new DataProfile(
            10,
            Map.of("x", new DataProfile.NumericProfile(8, List.of(1.0), List.of(0.5, 0.5))),
            Map.of("c", new DataProfile.CategoricalProfile(10, Map.of("a", 0.9), 0.1)));
    DriftBins bins = DriftBins.of(profile, List.of("x"), List.of("c"));
    DriftBins partition = bins.empty();
    partition.add(new double[] {0.5}, new int[] {0});
    partition.add(new double[] {Double.NaN}, new int[] {DriftBins.OTHER});
    partition.add(new double[] {Double.NaN}, new int[] {DriftBins.OTHER});
    partition.add(new double[] {Double.NaN}, new int[] {DriftBins.MISSING});
    bins.merge(partition);

    // x: 3 of 4 missing now, 2 of 10 then; c: 1 of 4 missing now, none then.
    assertThat(bins.missingChange(profile))
        .containsExactly(Map.entry("x", 0.75 - 0.2), Map.entry("c", 0.25));
    // c: 2 of its 3 values are outside the kept categories, less training's 10% other.
    assertThat(bins.unseenShare(profile)).containsExactly(Map.entry("c", 2.0 / 3 - 0.1));
  }
}
