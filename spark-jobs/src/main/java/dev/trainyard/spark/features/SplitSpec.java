package dev.trainyard.spark.features;

/**
 * How rows are divided into training, validation and test sets. The weights need not add up to 1;
 * each set gets its weight's share of the total.
 *
 * @param seed changes which rows land where; the same seed and data always give the same split
 */
public record SplitSpec(double train, double validation, double test, long seed) {
  public SplitSpec {
    if (train <= 0 || validation < 0 || test < 0) {
      throw new IllegalArgumentException(
          "split weights must be train > 0, validation >= 0, test >= 0; got "
              + train
              + "/"
              + validation
              + "/"
              + test);
    }
  }

  /** 80% train, 10% validation, 10% test. */
  public static SplitSpec defaults(long seed) {
    return new SplitSpec(0.8, 0.1, 0.1, seed);
  }

  double total() {
    return train + validation + test;
  }
}
