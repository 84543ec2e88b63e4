package dev.trainyard.spark.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainyard.spark.drift.DriftBins;
import java.util.List;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

/** The scoring function's category lookup, without Spark (moved here from DriftBinsTest). */
class CategoryCodesTest {
  @Test
  void categoriesAreLookedUpOnceAndReadThroughEachTable() {
    CategoryCodes codes = new CategoryCodes(List.of(List.of("red", "green", "green", "blue")));
    int[] drift = codes.table(0, List.of("blue", "red"), DriftBins.MISSING, DriftBins.OTHER);

    assertThat(codes.code(0, null)).isEqualTo(CategoryCodes.MISSING);
    assertThat(codes.code(0, UTF8String.fromString("purple"))).isEqualTo(CategoryCodes.UNKNOWN);
    assertThat(drift[codes.code(0, UTF8String.fromString("blue"))]).isZero();
    assertThat(drift[codes.code(0, UTF8String.fromString("red"))]).isEqualTo(1);
    assertThat(drift[codes.code(0, UTF8String.fromString("green"))]).isEqualTo(DriftBins.OTHER);
    assertThat(drift[codes.code(0, UTF8String.fromString("purple"))]).isEqualTo(DriftBins.OTHER);
    assertThat(drift[codes.code(0, null)]).isEqualTo(DriftBins.MISSING);
  }
}
