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
}
