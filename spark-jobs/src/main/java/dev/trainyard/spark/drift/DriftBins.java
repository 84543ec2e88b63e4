package dev.trainyard.spark.drift;

import dev.trainyard.spark.validation.DataProfile;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The counts behind the scoring job's drift figures: per feature that a training profile covers,
 * how many values fall in each of its quantile bins (numeric) or are each of its categories
 * (categorical). {@link #psi} turns them into the same PSI values as {@link
 * PopulationStability#psi(org.apache.spark.sql.Dataset, List, List, DataProfile)} (the same bins,
 * the same counts, the same formula).
 *
 * <p>The scoring function fills them from the values it reads anyway: one binary search per numeric
 * feature, one hash lookup per categorical one. As SQL aggregates observed beside the output write,
 * the same counts took one {@code count_if} per bin and per category for every row (about a quarter
 * of the job's time on the churn shape).
 *
 * <p>Values arrive as the scoring function holds them: numbers as double with NaN for a missing
 * value, categories as their position in {@link #categories} ({@link #OTHER} for any other value,
 * {@link #MISSING} for a missing one; {@code CategoryCodes.table} in scoring makes them). Missing
 * values are left out of the counts, as in validation.
 */
public final class DriftBins implements Serializable {
  private static final long serialVersionUID = 1L;

  /** A categorical value that is none of the profile's categories. */
  public static final int OTHER = -1;

  /** A missing categorical value. */
  public static final int MISSING = -2;

  private final Layout layout;
  private final long[] numericPresent;
  private final long[][] numericBins;
  private final long[] categoricalPresent;
  private final long[][] categoryCounts;

  /** Rows counted: the denominator of the missing-value fractions. */
  private long rows;

  /** Per categorical feature, values that are none of the profile's categories. */
  private final long[] categoricalOther;

  /** Which features are counted and how; shared by every copy of the counts. */
  private record Layout(
      String[] numericNames,
      int[] numericSlots,
      double[][] edges,
      String[] categoricalNames,
      int[] categoricalSlots,
      List<List<String>> categories)
      implements Serializable {}

  private DriftBins(Layout layout) {
    this.layout = layout;
    numericPresent = new long[layout.numericNames.length];
    numericBins = new long[layout.numericNames.length][];
    for (int j = 0; j < numericBins.length; j++) {
      numericBins[j] = new long[layout.edges[j].length + 1];
    }
    categoricalPresent = new long[layout.categoricalNames.length];
    categoricalOther = new long[layout.categoricalNames.length];
    categoryCounts = new long[layout.categoricalNames.length][];
    for (int j = 0; j < categoryCounts.length; j++) {
      categoryCounts[j] = new long[layout.categories.get(j).size()];
    }
  }

  /**
   * Empty counts for the features {@code reference} profiles.
   *
   * @param numeric the numeric features in the order the scoring function holds their values
   * @param categorical the categorical features, likewise
   * @return null when the reference profiles none of them (no drift to report)
   */
  public static DriftBins of(
      DataProfile reference, List<String> numeric, List<String> categorical) {
    List<String> numericNames = new ArrayList<>();
    List<Integer> numericSlots = new ArrayList<>();
    List<double[]> edges = new ArrayList<>();
    for (int j = 0; j < numeric.size(); j++) {
      DataProfile.NumericProfile profile = reference.numeric().get(numeric.get(j));
      if (profile != null && !profile.fractions().isEmpty()) {
        numericNames.add(numeric.get(j));
        numericSlots.add(j);
        edges.add(profile.edges().stream().mapToDouble(Double::doubleValue).toArray());
      }
    }
    List<String> categoricalNames = new ArrayList<>();
    List<Integer> categoricalSlots = new ArrayList<>();
    List<List<String>> categories = new ArrayList<>();
    for (int j = 0; j < categorical.size(); j++) {
      DataProfile.CategoricalProfile profile = reference.categorical().get(categorical.get(j));
      if (profile != null) {
        categoricalNames.add(categorical.get(j));
        categoricalSlots.add(j);
        categories.add(List.copyOf(profile.frequencies().keySet()));
      }
    }
    if (numericNames.isEmpty() && categoricalNames.isEmpty()) {
      return null;
    }
    return new DriftBins(
        new Layout(
            numericNames.toArray(String[]::new),
            numericSlots.stream().mapToInt(Integer::intValue).toArray(),
            edges.toArray(double[][]::new),
            categoricalNames.toArray(String[]::new),
            categoricalSlots.stream().mapToInt(Integer::intValue).toArray(),
            List.copyOf(categories)));
  }

  /** Fresh zero counts for the same features. */
  public DriftBins empty() {
    return new DriftBins(layout);
  }

  /**
   * The profile's categories of categorical feature {@code j} (in the scoring function's order),
   * whose positions {@link #add} takes; null when the feature is not counted.
   */
  public List<String> categories(int j) {
    for (int c = 0; c < layout.categoricalSlots.length; c++) {
      if (layout.categoricalSlots[c] == j) {
        return layout.categories.get(c);
      }
    }
    return null;
  }

  /**
   * Counts one scoreable row.
   *
   * @param categories per categorical feature, the value's position in {@link #categories}, or
   *     {@link #OTHER} or {@link #MISSING}
   */
  public void add(double[] numbers, int[] categories) {
    rows++;
    for (int j = 0; j < numericBins.length; j++) {
      double v = numbers[layout.numericSlots[j]];
      if (!Double.isNaN(v)) {
        numericPresent[j]++;
        numericBins[j][bin(layout.edges[j], v)]++;
      }
    }
    for (int j = 0; j < categoryCounts.length; j++) {
      int position = categories[layout.categoricalSlots[j]];
      if (position != MISSING) {
        categoricalPresent[j]++;
        if (position >= 0) {
          categoryCounts[j][position]++;
        } else {
          categoricalOther[j]++;
        }
      }
    }
  }

  /**
   * The bin of {@code v}: bin i holds {@code (edges[i-1], edges[i]]}, the last one everything over
   * the last edge (the profile's bins, which validation counts as {@code count_if(v <= edge)}).
   */
  static int bin(double[] edges, double v) {
    int low = 0;
    int high = edges.length;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (v <= edges[mid]) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    return low;
  }

  /** Adds {@code other}'s counts (of the same features) to these. */
  public void merge(DriftBins other) {
    rows += other.rows;
    add(categoricalOther, other.categoricalOther);
    add(numericPresent, other.numericPresent);
    add(categoricalPresent, other.categoricalPresent);
    for (int j = 0; j < numericBins.length; j++) {
      add(numericBins[j], other.numericBins[j]);
    }
    for (int j = 0; j < categoryCounts.length; j++) {
      add(categoryCounts[j], other.categoryCounts[j]);
    }
  }

  private static void add(long[] into, long[] from) {
    for (int i = 0; i < into.length; i++) {
      into[i] += from[i];
    }
  }

  /** PSI per counted feature with values, numeric features first, as validation reports it. */
  public Map<String, Double> psi(DataProfile reference) {
    Map<String, Double> psi = new LinkedHashMap<>();
    for (int j = 0; j < numericBins.length; j++) {
      String name = layout.numericNames[j];
      Double value =
          PopulationStability.numericPsi(
              reference.numeric().get(name), numericBins[j], numericPresent[j]);
      if (value != null) {
        psi.put(name, value);
      }
    }
    for (int j = 0; j < categoryCounts.length; j++) {
      String name = layout.categoricalNames[j];
      DataProfile.CategoricalProfile profile = reference.categorical().get(name);
      Map<String, Long> counts = new LinkedHashMap<>();
      List<String> categories = layout.categories.get(j);
      for (int c = 0; c < categories.size(); c++) {
        counts.put(categories.get(c), categoryCounts[j][c]);
      }
      Double value = PopulationStability.categoricalPsi(profile, counts, categoricalPresent[j]);
      if (value != null) {
        psi.put(name, value);
      }
    }
    return psi;
  }

  /**
   * Per counted feature, how much more often its value is missing than in training: the missing
   * fraction of the counted rows minus the reference's ({@code 1 - count / rows} of the profile),
   * numeric features first. Empty when no rows were counted.
   */
  public Map<String, Double> missingChange(DataProfile reference) {
    Map<String, Double> change = new LinkedHashMap<>();
    if (rows == 0) {
      return change;
    }
    for (int j = 0; j < numericPresent.length; j++) {
      String name = layout.numericNames[j];
      change.put(
          name,
          missingFraction(numericPresent[j], rows)
              - missingFraction(reference.numeric().get(name).count(), reference.rows()));
    }
    for (int j = 0; j < categoricalPresent.length; j++) {
      String name = layout.categoricalNames[j];
      change.put(
          name,
          missingFraction(categoricalPresent[j], rows)
              - missingFraction(reference.categorical().get(name).count(), reference.rows()));
    }
    return change;
  }

  private static double missingFraction(long present, long rows) {
    return rows <= 0 ? 0 : 1 - (double) present / rows;
  }

  /**
   * Per counted categorical feature with values, the share of its values that training never saw:
   * the share outside the profile's categories, less the share the profile itself puts outside them
   * ({@code other}, 0 unless training had more than {@link DataProfile#MAX_CATEGORIES} categories);
   * never below 0.
   */
  public Map<String, Double> unseenShare(DataProfile reference) {
    Map<String, Double> unseen = new LinkedHashMap<>();
    for (int j = 0; j < categoricalPresent.length; j++) {
      if (categoricalPresent[j] > 0) {
        String name = layout.categoricalNames[j];
        double outside = (double) categoricalOther[j] / categoricalPresent[j];
        unseen.put(name, Math.max(0, outside - reference.categorical().get(name).other()));
      }
    }
    return unseen;
  }
}
