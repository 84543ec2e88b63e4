package dev.trainyard.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * How a model's predictions were distributed on its test split: the reference a scoring batch's
 * predictions are compared with (prediction drift). A few numbers, kept as {@value #FILE} beside
 * the model's parameters, so it travels with the model version and never through a workflow.
 *
 * <ul>
 *   <li>Classification: {@code shares[c]} = share of test rows whose predicted class (arg max) is
 *       class index {@code c}; {@code edges} is empty.
 *   <li>Regression: the predictions' deciles as {@code edges} (ascending, distinct) and the share
 *       of test predictions in each of the {@code edges.length + 1} bins; a value belongs to the
 *       bin numbered by how many edges lie below it ({@link #bin}). Edges and shares come from the
 *       evaluation's uniform sample of at most {@value EvaluationCurves#REGRESSION_SAMPLE}
 *       predictions.
 * </ul>
 *
 * <p>Serializable: scoring's tasks carry it to count regression predictions in its bins.
 *
 * @param rows test rows the reference was taken from
 * @param edges regression's bin edges; empty for classification
 * @param shares one share per class or bin, summing to 1
 */
public record PredictionReference(long rows, double[] edges, double[] shares)
    implements java.io.Serializable {
  /** The file name in a model's folder (and so in a model version's {@code model/djl/}). */
  public static final String FILE = "prediction-reference.json";

  /** Regression: this many bins at most, cut at the test predictions' quantiles. */
  static final int REGRESSION_BINS = 10;

  public PredictionReference {
    edges = edges == null ? new double[0] : edges.clone();
    shares = shares.clone();
  }

  /** True for a classification model's reference (shares per class). */
  public boolean classes() {
    return edges.length == 0;
  }

  /** Regression: the bin of {@code value}, 0..{@code edges.length}. */
  public int bin(double value) {
    int b = 0;
    while (b < edges.length && value > edges[b]) {
      b++;
    }
    return b;
  }

  /** Classification: shares of the predicted classes, from counts per class index. */
  static PredictionReference ofClassCounts(long[] counts) {
    long rows = Arrays.stream(counts).sum();
    double[] shares = new double[counts.length];
    for (int c = 0; c < counts.length; c++) {
      shares[c] = rows == 0 ? 0 : (double) counts[c] / rows;
    }
    return new PredictionReference(rows, new double[0], shares);
  }

  /** Regression: deciles of a uniform sample of the predictions, and the sample's bin shares. */
  static PredictionReference ofSample(long rows, double[] sample) {
    double[] sorted = sample.clone();
    Arrays.sort(sorted);
    double[] cuts = new double[REGRESSION_BINS - 1];
    int n = 0;
    for (int i = 1; i < REGRESSION_BINS && sorted.length > 0; i++) {
      double q = sorted[(int) Math.floor((double) i / REGRESSION_BINS * (sorted.length - 1))];
      if (n == 0 || q > cuts[n - 1]) {
        cuts[n++] = q;
      }
    }
    double[] edges = Arrays.copyOf(cuts, n);
    PredictionReference shape = new PredictionReference(rows, edges, new double[n + 1]);
    long[] counts = new long[n + 1];
    for (double v : sorted) {
      counts[shape.bin(v)]++;
    }
    double[] shares = new double[n + 1];
    for (int b = 0; b <= n; b++) {
      shares[b] = sorted.length == 0 ? 0 : (double) counts[b] / sorted.length;
    }
    return new PredictionReference(rows, edges, shares);
  }

  /** Writes {@value #FILE} into a model folder (replacing an earlier one). */
  public void writeTo(Path modelDir) {
    try {
      Path temp = modelDir.resolve(FILE + ".tmp");
      Files.write(temp, Json.bytes(this));
      Files.move(
          temp,
          modelDir.resolve(FILE),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + FILE + " into " + modelDir, e);
    }
  }

  /** The reference in a model folder; null when it has none (a version registered before it). */
  public static PredictionReference readFrom(Path modelDir) {
    Path file = modelDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return Json.read(file, PredictionReference.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PredictionReference r
        && rows == r.rows
        && Arrays.equals(edges, r.edges)
        && Arrays.equals(shares, r.shares);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Long.hashCode(rows) + Arrays.hashCode(edges)) + Arrays.hashCode(shares);
  }

  @Override
  public String toString() {
    return "PredictionReference[rows="
        + rows
        + ", edges="
        + Arrays.toString(edges)
        + ", shares="
        + Arrays.toString(shares)
        + "]";
  }
}
