package dev.trainyard.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Median and min of repeated measurements. */
public final class Stats {
  private Stats() {}

  public static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  public static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  /**
   * Per-repetition seconds for {@code rows} rows each: the seconds themselves, median and min, and
   * rows/s at the median and at the min (the best repetition).
   */
  public static Map<String, Object> throughput(List<Double> seconds, long rows) {
    Map<String, Object> out = new LinkedHashMap<>();
    double median = median(seconds);
    double min = min(seconds);
    out.put("rows_per_repetition", rows);
    out.put("seconds", seconds.stream().map(Stats::round3).toList());
    out.put("median_s", round3(median));
    out.put("min_s", round3(min));
    out.put("samples_per_s_median", Math.round(rows / median));
    out.put("samples_per_s_best", Math.round(rows / min));
    return out;
  }

  public static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  public static String fmt(double[] v) {
    return Arrays.toString(Arrays.stream(v).map(Stats::round3).toArray());
  }
}
