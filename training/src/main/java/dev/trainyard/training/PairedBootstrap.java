package dev.trainyard.training;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How much better one model is than another on the same rows, with an interval: a paired bootstrap.
 * Each resample draws the rows with replacement (one multinomial draw of row counts), and scores
 * <em>both</em> models on that same draw, so the row-to-row variation that both models share
 * cancels out of the difference; the interval is the percentile interval of the resampled
 * differences. Differences are gains: positive means the candidate is better, for metrics where
 * lower is better too ({@code log_loss}, {@code rmse}, {@code mae}).
 *
 * <p>Every metric is the one {@link Metrics} reports, computed with integer row weights: with every
 * weight 1 it equals {@link Metrics.Accumulator#result()} (same bins, same tie rules). Each
 * resample costs one pass over the rows per model (the score order for the AUCs is sorted once), so
 * a comparison is O(resamples × rows).
 *
 * <p>Deterministic: the same predictions, rows, resamples and seed give the same result, bit for
 * bit, on any JVM ({@link SplittableRandom} is specified).
 */
public final class PairedBootstrap {
  /** Fewer resamples than this give intervals whose ends move from seed to seed. */
  public static final int MIN_RESAMPLES = 100;

  private PairedBootstrap() {}

  /**
   * @param resamples how many resamples (at least {@link #MIN_RESAMPLES})
   * @param confidence the interval's coverage, in (0, 1), e.g. 0.95
   * @param seed the resampling seed
   */
  public record Settings(int resamples, double confidence, long seed) {
    public Settings {
      if (resamples < MIN_RESAMPLES) {
        throw new IllegalArgumentException("resamples " + resamples + " is below " + MIN_RESAMPLES);
      }
      if (!(confidence > 0 && confidence < 1)) {
        throw new IllegalArgumentException("confidence " + confidence + " is not in (0, 1)");
      }
    }
  }

  /**
   * The candidate's gain over the champion on one metric.
   *
   * @param candidate the candidate's value on the rows
   * @param champion the champion's value on the same rows
   * @param estimate the gain on the rows themselves (positive: the candidate is better)
   * @param lower the interval's lower end (NaN when too few resamples had the metric defined)
   * @param upper the interval's upper end (NaN likewise)
   * @param gains the resampled gains where the metric was defined on both, sorted ascending
   * @param candidateLower the candidate's own metric: the interval's lower end over the same
   *     resamples (NaN when undefined in too many); what a threshold with confidence checks
   * @param candidateUpper its upper end
   */
  public record Difference(
      String metric,
      double candidate,
      double champion,
      double estimate,
      double lower,
      double upper,
      double[] gains,
      double candidateLower,
      double candidateUpper) {

    /** Whether the whole interval is above {@code threshold} (false when it is undefined). */
    public boolean lowerClears(double threshold) {
      return !Double.isNaN(lower) && lower > threshold;
    }
  }

  /**
   * @param rows rows compared
   * @param differences per metric, in {@link Metrics#namesFor} order
   */
  public record Result(int rows, Map<String, Difference> differences) {}

  /** Compares on every row. */
  public static Result compare(Predictions candidate, Predictions champion, Settings settings) {
    return compare(candidate, champion, null, settings);
  }

  /**
   * Compares on some rows (a segment): both models' predictions are indexed alike.
   *
   * @param rows indices into the predictions, or null for all
   */
  public static Result compare(
      Predictions candidate, Predictions champion, int[] rows, Settings settings) {
    if (candidate.rows() != champion.rows()) {
      throw new IllegalArgumentException(
          "paired rows differ: candidate "
              + candidate.rows()
              + " rows, champion "
              + champion.rows());
    }
    if (candidate.task().task() != champion.task().task()) {
      throw new IllegalArgumentException(
          "the models do different tasks: "
              + candidate.task().task()
              + " and "
              + champion.task().task());
    }
    int[] subset = rows != null ? rows : allRows(candidate.rows());
    int m = subset.length;
    List<String> names = Metrics.namesFor(candidate.task().task());
    Weighted a = Weighted.of(candidate, subset);
    Weighted b = Weighted.of(champion, subset);
    int k = names.size();
    double[] va = new double[k];
    double[] vb = new double[k];
    int[] ones = new int[m];
    Arrays.fill(ones, 1);
    a.metrics(ones, va);
    b.metrics(ones, vb);
    double[] pointA = va.clone();
    double[] pointB = vb.clone();

    int resamples = settings.resamples();
    double[][] gains = new double[k][resamples];
    int[] valid = new int[k];
    double[][] own = new double[k][resamples];
    int[] ownValid = new int[k];
    SplittableRandom random = new SplittableRandom(settings.seed());
    int[] weights = new int[m];
    if (m > 0) {
      for (int r = 0; r < resamples; r++) {
        Arrays.fill(weights, 0);
        for (int i = 0; i < m; i++) {
          weights[random.nextInt(m)]++;
        }
        a.metrics(weights, va);
        b.metrics(weights, vb);
        for (int j = 0; j < k; j++) {
          if (Double.isFinite(va[j])) {
            own[j][ownValid[j]++] = va[j];
          }
          double g = gain(names.get(j), va[j], vb[j]);
          if (Double.isFinite(g)) {
            gains[j][valid[j]++] = g;
          }
        }
      }
    }
    double alpha = 1 - settings.confidence();
    Map<String, Difference> out = new LinkedHashMap<>();
    for (int j = 0; j < k; j++) {
      double[] sorted = Arrays.copyOf(gains[j], valid[j]);
      Arrays.sort(sorted);
      // An interval from a few defined resamples (say a segment where most draws hold one class)
      // would claim more than it knows.
      boolean enough = valid[j] >= Math.max(MIN_RESAMPLES / 2, resamples / 2);
      double[] ownSorted = Arrays.copyOf(own[j], ownValid[j]);
      Arrays.sort(ownSorted);
      boolean ownEnough = ownValid[j] >= Math.max(MIN_RESAMPLES / 2, resamples / 2);
      out.put(
          names.get(j),
          new Difference(
              names.get(j),
              pointA[j],
              pointB[j],
              gain(names.get(j), pointA[j], pointB[j]),
              enough ? quantile(sorted, alpha / 2) : Double.NaN,
              enough ? quantile(sorted, 1 - alpha / 2) : Double.NaN,
              sorted,
              ownEnough ? quantile(ownSorted, alpha / 2) : Double.NaN,
              ownEnough ? quantile(ownSorted, 1 - alpha / 2) : Double.NaN));
    }
    return new Result(m, out);
  }

  /**
   * The differences on the rows themselves, without resampling (no interval: lower and upper are
   * NaN): what a gate with confidence off decides on.
   *
   * @param rows indices into the predictions, or null for all
   */
  public static Result point(Predictions candidate, Predictions champion, int[] rows) {
    int[] subset = rows != null ? rows : allRows(candidate.rows());
    List<String> names = Metrics.namesFor(candidate.task().task());
    double[] va = new double[names.size()];
    double[] vb = new double[names.size()];
    int[] ones = new int[subset.length];
    Arrays.fill(ones, 1);
    Weighted.of(candidate, subset).metrics(ones, va);
    Weighted.of(champion, subset).metrics(ones, vb);
    Map<String, Difference> out = new LinkedHashMap<>();
    for (int j = 0; j < names.size(); j++) {
      out.put(
          names.get(j),
          new Difference(
              names.get(j),
              va[j],
              vb[j],
              gain(names.get(j), va[j], vb[j]),
              Double.NaN,
              Double.NaN,
              new double[0],
              Double.NaN,
              Double.NaN));
    }
    return new Result(subset.length, out);
  }

  /** Candidate minus champion, turned so that positive means the candidate is better. */
  public static double gain(String metric, double candidate, double champion) {
    return Metrics.higherIsBetter(metric) ? candidate - champion : champion - candidate;
  }

  /** The q-quantile of sorted values, interpolating between neighbours (R's type 7). */
  public static double quantile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    double h = (sorted.length - 1) * q;
    int lo = (int) Math.floor(h);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }

  /**
   * A seed for one part of a comparison (a segment), from the comparison's seed and the part's
   * names: stable across JVMs and runs (FNV-1a over UTF-8, then mixed).
   */
  public static long seedFor(long seed, String... parts) {
    long h = 0xcbf29ce484222325L;
    for (String part : parts) {
      for (byte x : (part + "\u0000").getBytes(StandardCharsets.UTF_8)) {
        h ^= x & 0xff;
        h *= 0x100000001b3L;
      }
    }
    long z = seed ^ h;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static int[] allRows(int n) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    return all;
  }

  /** One model's rows prepared so each resample's metrics take one pass. */
  abstract static sealed class Weighted permits BinaryRows, MulticlassRows, RegressionRows {
    static Weighted of(Predictions p, int[] subset) {
      return switch (p.task().task()) {
        case BINARY -> new BinaryRows(p, subset);
        case MULTICLASS -> new MulticlassRows(p, subset);
        case REGRESSION -> new RegressionRows(p, subset);
      };
    }

    /** Writes the metrics, in {@link Metrics#namesFor} order, for the rows weighted by counts. */
    abstract void metrics(int[] weights, double[] out);
  }

  static final class BinaryRows extends Weighted {
    private final boolean[] positive;
    private final boolean[] predictedPositive;
    private final double[] logLoss;
    private final int[] order; // positions by score bin, highest first
    private final int[] binOf;

    BinaryRows(Predictions p, int[] subset) {
      int m = subset.length;
      positive = new boolean[m];
      predictedPositive = new boolean[m];
      logLoss = new double[m];
      binOf = new int[m];
      long[] byBin = new long[m]; // (bins from the top, position): sorts without boxing
      for (int j = 0; j < m; j++) {
        int row = subset[j];
        double score = p.values()[row * 2 + 1];
        positive[j] = p.labels()[row] == 1.0;
        predictedPositive[j] = score >= 0.5;
        binOf[j] =
            Math.min(Metrics.SCORE_BINS - 1, Math.max(0, (int) (score * Metrics.SCORE_BINS)));
        double clipped = Math.min(1 - Metrics.LOG_LOSS_EPS, Math.max(Metrics.LOG_LOSS_EPS, score));
        logLoss[j] = positive[j] ? -Math.log(clipped) : -Math.log(1 - clipped);
        byBin[j] = ((long) (Metrics.SCORE_BINS - 1 - binOf[j]) << 32) | j;
      }
      Arrays.sort(byBin);
      order = new int[m];
      for (int j = 0; j < m; j++) {
        order[j] = (int) byBin[j];
      }
    }

    @Override
    void metrics(int[] w, double[] out) {
      long count = 0;
      long truePositives = 0;
      long falsePositives = 0;
      long falseNegatives = 0;
      long correct = 0;
      double loss = 0;
      for (int j = 0; j < w.length; j++) {
        int c = w[j];
        if (c == 0) {
          continue;
        }
        count += c;
        if (predictedPositive[j] == positive[j]) {
          correct += c;
        }
        if (predictedPositive[j] && positive[j]) {
          truePositives += c;
        } else if (predictedPositive[j]) {
          falsePositives += c;
        } else if (positive[j]) {
          falseNegatives += c;
        }
        loss += c * logLoss[j];
      }
      long totalPositives = truePositives + falseNegatives;
      long totalNegatives = count - totalPositives;
      double rankSum = 0;
      double averagePrecision = 0;
      long positivesAbove = 0;
      long negativesAbove = 0;
      int i = 0;
      while (i < order.length) {
        int bin = binOf[order[i]];
        long pos = 0;
        long neg = 0;
        while (i < order.length && binOf[order[i]] == bin) {
          int j = order[i++];
          if (positive[j]) {
            pos += w[j];
          } else {
            neg += w[j];
          }
        }
        if (pos == 0 && neg == 0) {
          continue;
        }
        rankSum += neg * (positivesAbove + 0.5 * pos);
        positivesAbove += pos;
        negativesAbove += neg;
        if (pos > 0) {
          averagePrecision +=
              ((double) pos / totalPositives)
                  * ((double) positivesAbove / (positivesAbove + negativesAbove));
        }
      }
      out[0] =
          totalPositives == 0 || totalNegatives == 0
              ? Double.NaN
              : rankSum / ((double) totalPositives * totalNegatives);
      out[1] = totalPositives == 0 ? Double.NaN : averagePrecision;
      out[2] = count == 0 ? Double.NaN : (double) correct / count;
      out[3] = f1(truePositives, falsePositives, falseNegatives);
      out[4] = count == 0 ? Double.NaN : loss / count;
    }
  }

  static final class MulticlassRows extends Weighted {
    private final int classes;
    private final int[] predicted;
    private final int[] actual;
    private final double[] logLoss;
    private final long[] tp;
    private final long[] fp;
    private final long[] fn;

    MulticlassRows(Predictions p, int[] subset) {
      classes = p.task().numClasses();
      int m = subset.length;
      predicted = new int[m];
      actual = new int[m];
      logLoss = new double[m];
      for (int j = 0; j < m; j++) {
        int offset = subset[j] * classes;
        int best = 0;
        for (int c = 1; c < classes; c++) {
          if (p.values()[offset + c] > p.values()[offset + best]) {
            best = c;
          }
        }
        predicted[j] = best;
        actual[j] = (int) p.labels()[subset[j]];
        double prob = p.values()[offset + actual[j]];
        logLoss[j] =
            -Math.log(Math.min(1 - Metrics.LOG_LOSS_EPS, Math.max(Metrics.LOG_LOSS_EPS, prob)));
      }
      tp = new long[classes];
      fp = new long[classes];
      fn = new long[classes];
    }

    @Override
    void metrics(int[] w, double[] out) {
      Arrays.fill(tp, 0);
      Arrays.fill(fp, 0);
      Arrays.fill(fn, 0);
      long count = 0;
      long correct = 0;
      double loss = 0;
      for (int j = 0; j < w.length; j++) {
        int c = w[j];
        if (c == 0) {
          continue;
        }
        count += c;
        if (predicted[j] == actual[j]) {
          correct += c;
          tp[actual[j]] += c;
        } else {
          fp[predicted[j]] += c;
          fn[actual[j]] += c;
        }
        loss += c * logLoss[j];
      }
      double sum = 0;
      int present = 0;
      for (int c = 0; c < classes; c++) {
        if (tp[c] + fp[c] + fn[c] > 0) {
          sum += f1(tp[c], fp[c], fn[c]);
          present++;
        }
      }
      out[0] = count == 0 ? Double.NaN : (double) correct / count;
      out[1] = present == 0 ? Double.NaN : sum / present;
      out[2] = count == 0 ? Double.NaN : loss / count;
    }
  }

  static final class RegressionRows extends Weighted {
    private final double[] error;
    private final double[] label;

    RegressionRows(Predictions p, int[] subset) {
      int m = subset.length;
      error = new double[m];
      label = new double[m];
      for (int j = 0; j < m; j++) {
        label[j] = p.labels()[subset[j]];
        error[j] = p.values()[subset[j]] - label[j];
      }
    }

    @Override
    void metrics(int[] w, double[] out) {
      long count = 0;
      double squared = 0;
      double absolute = 0;
      double labelSum = 0;
      for (int j = 0; j < w.length; j++) {
        int c = w[j];
        if (c == 0) {
          continue;
        }
        count += c;
        squared += c * error[j] * error[j];
        absolute += c * Math.abs(error[j]);
        labelSum += c * label[j];
      }
      if (count == 0) {
        out[0] = out[1] = out[2] = Double.NaN;
        return;
      }
      double mean = labelSum / count;
      double m2 = 0;
      for (int j = 0; j < w.length; j++) {
        if (w[j] != 0) {
          double d = label[j] - mean;
          m2 += w[j] * d * d;
        }
      }
      out[0] = Math.sqrt(squared / count);
      out[1] = absolute / count;
      // As Metrics: a constant target scores 1 when predicted exactly, else 0.
      out[2] = m2 == 0 ? (squared == 0 ? 1.0 : 0.0) : 1 - squared / m2;
    }
  }

  private static double f1(long truePositives, long falsePositives, long falseNegatives) {
    long denominator = 2 * truePositives + falsePositives + falseNegatives;
    return denominator == 0 ? 0.0 : 2.0 * truePositives / denominator;
  }
}
