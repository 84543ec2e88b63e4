package dev.trainyard.spark.validation;

import dev.trainyard.spark.io.Json;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a dataset's features, kept with a model version so later data can be checked for
 * drift against it (population stability index, see {@code drift.PopulationStability}).
 *
 * @param rows rows in the profiled dataset
 * @param numeric per numeric feature: quantile bins of its non-null values
 * @param categorical per categorical feature: the most frequent categories and their share
 */
public record DataProfile(
    long rows, Map<String, NumericProfile> numeric, Map<String, CategoricalProfile> categorical) {

  /** Categories kept per feature; the rest are summed into {@code other}. */
  public static final int MAX_CATEGORIES = 100;

  /** Quantile bins per numeric feature (fewer when values repeat). */
  public static final int BINS = 10;

  public DataProfile {
    numeric =
        Collections.unmodifiableMap(new LinkedHashMap<>(numeric == null ? Map.of() : numeric));
    categorical =
        Collections.unmodifiableMap(
            new LinkedHashMap<>(categorical == null ? Map.of() : categorical));
  }

  /**
   * Bins of a numeric feature's non-null, non-NaN values.
   *
   * @param count values profiled
   * @param edges ascending inner bin edges: bin 0 is {@code (-inf, edges[0]]}, bin i is {@code
   *     (edges[i-1], edges[i]]}, the last bin is {@code (edges[last], +inf)}
   * @param fractions share of values per bin; {@code edges.size() + 1} entries summing to 1
   */
  public record NumericProfile(long count, List<Double> edges, List<Double> fractions) {
    public NumericProfile {
      edges = List.copyOf(edges == null ? List.of() : edges);
      fractions = List.copyOf(fractions == null ? List.of() : fractions);
    }
  }

  /**
   * Category shares of a categorical feature's non-null values.
   *
   * @param count values profiled
   * @param frequencies share per category, most frequent first, at most {@link #MAX_CATEGORIES}
   * @param other share of all other categories
   */
  public record CategoricalProfile(long count, Map<String, Double> frequencies, double other) {
    public CategoricalProfile {
      frequencies =
          Collections.unmodifiableMap(
              new LinkedHashMap<>(frequencies == null ? Map.of() : frequencies));
    }
  }

  public String toJson() {
    return Json.write(this);
  }

  public static DataProfile fromJson(String json) {
    return Json.read(json, DataProfile.class);
  }
}
