package dev.trainyard.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test split's prediction distribution that scoring measures prediction drift against. */
class PredictionReferenceTest {
  @TempDir Path dir;

  @Test
  void classSharesAreTheCountsOverTheRows() {
    PredictionReference r = PredictionReference.ofClassCounts(new long[] {30, 10, 60});

    assertTrue(r.classes());
    assertEquals(100, r.rows());
    assertArrayEquals(new double[] {0.3, 0.1, 0.6}, r.shares(), 1e-15);
  }

  @Test
  void regressionBinsAreTheSamplesDecilesWithATenthEach() {
    double[] sample = new double[1000];
    for (int i = 0; i < sample.length; i++) {
      sample[i] = 999 - i; // any order
    }
    PredictionReference r = PredictionReference.ofSample(5000, sample);

    assertFalse(r.classes());
    assertEquals(5000, r.rows());
    // Deciles of 0..999 (index floor(q * 999)): 99, 199, ..., 899.
    assertArrayEquals(new double[] {99, 199, 299, 399, 499, 599, 699, 799, 899}, r.edges(), 0.0);
    double[] tenths = new double[10];
    java.util.Arrays.fill(tenths, 0.1);
    assertArrayEquals(tenths, r.shares(), 1e-12);
    // A value's bin is how many edges lie below it; an edge belongs to the bin below.
    assertEquals(0, r.bin(-5));
    assertEquals(0, r.bin(99));
    assertEquals(1, r.bin(99.5));
    assertEquals(9, r.bin(1e9));
  }

  @Test
  void aConstantPredictionHasOneEdgeAndEveryRowBelowIt() {
    PredictionReference r = PredictionReference.ofSample(3, new double[] {2, 2, 2});

    assertArrayEquals(new double[] {2}, r.edges(), 0.0);
    assertArrayEquals(new double[] {1, 0}, r.shares(), 0.0);
  }

  @Test
  void writtenBesideTheModelAndReadBackEqual() {
    PredictionReference r = PredictionReference.ofSample(7, new double[] {1.5, -2, 3, 8, 0.25});

    r.writeTo(dir);

    assertEquals(r, PredictionReference.readFrom(dir));
    assertTrue(Files.isRegularFile(dir.resolve(PredictionReference.FILE)));
    assertNull(PredictionReference.readFrom(dir.resolve("elsewhere")));
  }
}
