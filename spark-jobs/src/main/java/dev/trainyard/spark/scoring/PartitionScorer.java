package dev.trainyard.spark.scoring;

import dev.trainyard.spark.drift.DriftBins;
import dev.trainyard.spark.io.InputData;
import dev.trainyard.training.SavedModel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Scores one partition of the scoring job's input: skips and counts the rows a check flagged,
 * counts the drift bins of the others, turns them into features, predicts {@code batchSize} rows
 * per {@code predict} call with one {@link SavedModel} per partition, and hands out the output rows
 * — streaming: a partition is never held in memory. The partition's {@link ScoringTotals} go to the
 * accumulator when its input is exhausted.
 *
 * <p>It works on Spark's internal rows ({@link InternalRow}) in and out: strings stay {@link
 * UTF8String} (category lookups compare bytes), the probabilities are written as a primitive array,
 * and no external {@code Row} is built on either side — the conversions a {@code
 * Dataset.mapPartitions} with a row encoder costs on every row.
 *
 * <p>Input columns, in order: the key columns; one boolean per check (true: the check failed); the
 * numeric features as double (null when missing); the categorical features (string, integer or
 * boolean); and, when no {@link CompiledFeatures} is given, the pipeline's feature vector. Output:
 * the keys, the prediction (the class's label value, or a double for regression), the probabilities
 * ({@code array<double>}, null for regression), model name, version and run id; with a {@link
 * Shadow}, then the shadow's prediction, probabilities, model name and version (shadow scoring: the
 * same rows, the same pass, a second model).
 */
final class PartitionScorer implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
  private static final long serialVersionUID = 1L;

  private final String model;
  private final boolean shipped;
  private final int batchSize;
  private final DataType[] keyTypes;
  private final int checks;
  private final int numeric;
  private final DataType[] categoryTypes;
  private final UTF8String[] labels;
  private final CompiledFeatures features;
  private final UTF8String[] constants;
  private final ScoringTotals.Accumulator totals;
  private final Shadow shadow;

  /** Per categorical feature and code: the shadow's one-hot slot; null without a shadow. */
  private final int[][] shadowSlots;

  /**
   * The second model of a shadow scoring run: it needs compiled features (its own fitted pipeline
   * over the raw columns). Its features may be others than the champion's: the input carries the
   * champion's numeric and categorical columns first, then the shadow's that the champion lacks,
   * and the shadow reads its own by position.
   *
   * @param model as {@link PartitionScorer}'s {@code model}
   * @param labels class values by index; null for regression
   * @param constants the shadow's model name and version, written on every row
   * @param numericAt per numeric feature of the shadow, its position among the input's numeric
   *     columns
   * @param categoricalAt per categorical feature of the shadow, its position among the input's
   *     categorical columns
   */
  record Shadow(
      String model,
      CompiledFeatures features,
      String[] labels,
      String[] constants,
      int[] numericAt,
      int[] categoricalAt)
      implements java.io.Serializable {}

  /** A row's category, looked up once, indexes its one-hot slot and its drift bin. */
  private final CategoryCodes codes;

  /** Per categorical feature and code: the one-hot slot (-1: unknown); null without features. */
  private final int[][] slots;

  /** Per categorical feature and code: the drift bin ({@link DriftBins#add}); null if uncounted. */
  private final int[][] bins;

  /**
   * @param model the {@code djl/} folder, or (shipped) the archive's name in {@link SparkFiles}
   * @param labels class values by index; null for regression
   * @param numeric the input's numeric columns: the champion's features first, then (with a shadow)
   *     the shadow's others
   * @param categoryTypes the types of the input's categorical columns, in the same order
   * @param features the compiled feature pipeline; null: the last input column holds the pipeline's
   *     feature vector
   * @param constants model name, model version and scoring run id, written on every row
   * @param shadow a second model to score every scored row with, or null; requires {@code features}
   */
  PartitionScorer(
      String model,
      boolean shipped,
      int batchSize,
      DataType[] keyTypes,
      int checks,
      int numeric,
      DataType[] categoryTypes,
      String[] labels,
      CompiledFeatures features,
      String[] constants,
      ScoringTotals.Accumulator totals,
      Shadow shadow) {
    if (shadow != null && features == null) {
      throw new IllegalArgumentException("a shadow model needs the champion's compiled features");
    }
    this.shadow = shadow;
    this.model = model;
    this.shipped = shipped;
    this.batchSize = batchSize;
    this.keyTypes = keyTypes;
    this.checks = checks;
    this.numeric = numeric;
    this.categoryTypes = categoryTypes;
    this.labels = labels == null ? null : utf8(labels);
    this.features = features;
    this.constants = utf8(constants);
    this.totals = totals;
    DriftBins drift = totals.value().drift;
    // The champion's categorical columns come first; a shadow's others follow them.
    int own = features == null ? categoryTypes.length : features.categories();
    List<List<String>> known = new ArrayList<>();
    for (int j = 0; j < categoryTypes.length; j++) {
      List<String> values = new ArrayList<>();
      if (features != null && j < own) {
        values.addAll(features.labels(j));
      }
      if (drift != null && drift.categories(j) != null) {
        values.addAll(drift.categories(j));
      }
      known.add(values);
    }
    if (shadow != null) {
      for (int j = 0; j < shadow.categoricalAt().length; j++) {
        known.get(shadow.categoricalAt()[j]).addAll(shadow.features().labels(j));
      }
    }
    this.codes = new CategoryCodes(known);
    this.slots = new int[categoryTypes.length][];
    this.bins = new int[categoryTypes.length][];
    this.shadowSlots = shadow == null ? null : new int[shadow.categoricalAt().length][];
    if (shadow != null) {
      for (int j = 0; j < shadowSlots.length; j++) {
        shadowSlots[j] =
            codes.table(shadow.categoricalAt()[j], shadow.features().labels(j), -1, -1);
      }
    }
    for (int j = 0; j < categoryTypes.length; j++) {
      if (features != null && j < own) {
        slots[j] = codes.table(j, features.labels(j), -1, -1);
      }
      if (drift != null && drift.categories(j) != null) {
        bins[j] = codes.table(j, drift.categories(j), DriftBins.MISSING, DriftBins.OTHER);
      }
    }
  }

  private static UTF8String[] utf8(String[] values) {
    return Arrays.stream(values).map(UTF8String::fromString).toArray(UTF8String[]::new);
  }

  @Override
  public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
    if (!rows.hasNext()) {
      return Collections.emptyIterator();
    }
    Batches batches = new Batches(rows);
    TaskContext task = TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener((TaskCompletionListener) context -> batches.close());
    }
    return batches;
  }

  /** Reads up to {@code batchSize} scoreable rows, predicts them in one call, hands them out. */
  private final class Batches implements Iterator<InternalRow> {
    private final Iterator<InternalRow> rows;
    private final ArrayDeque<InternalRow> ready = new ArrayDeque<>();
    private final ScoringTotals partition = totals.value().empty();
    private final double[] numbers = new double[numeric];
    private final int[] rowSlots = new int[categoryTypes.length];
    private final int[] rowBins = new int[categoryTypes.length];
    private final float[][] batch = new float[batchSize][];
    private final Object[][] keys = new Object[batchSize][];
    private final int[] rowCodes = new int[categoryTypes.length];
    private final int[] rowShadowSlots =
        new int[shadow == null ? 0 : shadow.categoricalAt().length];
    private final double[] shadowNumbers =
        new double[shadow == null ? 0 : shadow.numericAt().length];
    private final float[][] shadowBatch = new float[shadow == null ? 0 : batchSize][];
    private final UTF8String[] shadowLabels =
        shadow == null || shadow.labels() == null ? null : utf8(shadow.labels());
    private final UTF8String[] shadowConstants = shadow == null ? null : utf8(shadow.constants());
    private SavedModel shadowLoaded;
    private final VectorUDT vectors = features == null ? new VectorUDT() : null;
    private SavedModel loaded;
    private boolean done;

    Batches(Iterator<InternalRow> rows) {
      this.rows = rows;
      for (int i = 0; i < batchSize; i++) {
        batch[i] = features == null ? null : new float[features.width()];
        keys[i] = new Object[keyTypes.length];
        if (shadow != null) {
          shadowBatch[i] = new float[shadow.features().width()];
        }
      }
    }

    @Override
    public boolean hasNext() {
      while (ready.isEmpty()) {
        if (done) {
          return false;
        }
        if (!rows.hasNext()) {
          finish();
          return false;
        }
        fill();
      }
      return true;
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return ready.poll();
    }

    private void fill() {
      int n = 0;
      int first = keyTypes.length + checks;
      while (n < batchSize && rows.hasNext()) {
        // Rows from Spark's iterator may share one buffer: everything kept is read or copied now.
        InternalRow row = rows.next();
        partition.rows++;
        boolean flagged = false;
        for (int c = 0; c < checks; c++) {
          if (row.getBoolean(keyTypes.length + c)) {
            partition.failedChecks[c]++;
            flagged = true;
          }
        }
        if (flagged) {
          partition.quarantined++;
          continue;
        }
        // NaN stands for a missing number: the checks quarantine real NaNs before this point.
        for (int j = 0; j < numeric; j++) {
          numbers[j] = row.isNullAt(first + j) ? Double.NaN : row.getDouble(first + j);
        }
        for (int j = 0; j < categoryTypes.length; j++) {
          if (slots[j] == null && bins[j] == null && shadow == null) {
            continue;
          }
          int code =
              codes.code(j, InputData.categoryText(row, first + numeric + j, categoryTypes[j]));
          rowCodes[j] = code;
          rowSlots[j] = slots[j] == null ? -1 : slots[j][code];
          rowBins[j] = bins[j] == null ? DriftBins.MISSING : bins[j][code];
        }
        if (partition.drift != null) {
          partition.drift.add(numbers, rowBins);
        }
        if (features != null) {
          features.fill(numbers, rowSlots, batch[n]);
          if (shadow != null) {
            for (int j = 0; j < shadowNumbers.length; j++) {
              shadowNumbers[j] = numbers[shadow.numericAt()[j]];
            }
            for (int j = 0; j < rowShadowSlots.length; j++) {
              rowShadowSlots[j] = shadowSlots[j][rowCodes[shadow.categoricalAt()[j]]];
            }
            shadow.features().fill(shadowNumbers, rowShadowSlots, shadowBatch[n]);
          }
        } else {
          double[] values =
              vectors
                  .deserialize(row.getStruct(first + numeric + categoryTypes.length, 4))
                  .toArray();
          float[] f = new float[values.length];
          for (int j = 0; j < f.length; j++) {
            f[j] = (float) values[j];
          }
          batch[n] = f;
        }
        for (int k = 0; k < keyTypes.length; k++) {
          keys[n][k] = key(row, k);
        }
        n++;
      }
      if (n == 0) {
        return;
      }
      float[][] predictions = model().predict(n == batchSize ? batch : Arrays.copyOf(batch, n));
      float[][] shadowPredictions =
          shadow == null
              ? null
              : shadowModel().predict(n == batchSize ? shadowBatch : Arrays.copyOf(shadowBatch, n));
      for (int i = 0; i < n; i++) {
        Object[] out = new Object[keyTypes.length + (shadow == null ? 5 : 9)];
        System.arraycopy(keys[i], 0, out, 0, keyTypes.length);
        float[] p = predictions[i];
        int at = keyTypes.length;
        if (labels == null) {
          out[at] = (double) p[0];
          out[at + 1] = null;
          partition.predicted((double) p[0]);
        } else {
          int best = 0;
          double[] probabilities = new double[p.length];
          for (int c = 0; c < p.length; c++) {
            probabilities[c] = p[c];
            if (p[c] > p[best]) {
              best = c;
            }
          }
          out[at] = labels[best];
          out[at + 1] = UnsafeArrayData.fromPrimitiveArray(probabilities);
          partition.classes[best]++;
        }
        System.arraycopy(constants, 0, out, at + 2, constants.length);
        if (shadow != null) {
          int s = at + 2 + constants.length;
          predicted(shadowPredictions[i], shadowLabels, out, s);
          System.arraycopy(shadowConstants, 0, out, s + 2, shadowConstants.length);
        }
        partition.scored++;
        ready.add(new GenericInternalRow(out));
      }
    }

    /** The shadow's prediction and probabilities into {@code out[at]}, {@code out[at + 1]}. */
    private static void predicted(float[] p, UTF8String[] classes, Object[] out, int at) {
      if (classes == null) {
        out[at] = (double) p[0];
        out[at + 1] = null;
        return;
      }
      int best = 0;
      double[] probabilities = new double[p.length];
      for (int c = 0; c < p.length; c++) {
        probabilities[c] = p[c];
        if (p[c] > p[best]) {
          best = c;
        }
      }
      out[at] = classes[best];
      out[at + 1] = UnsafeArrayData.fromPrimitiveArray(probabilities);
    }

    private SavedModel shadowModel() {
      if (shadowLoaded == null) {
        shadowLoaded =
            SavedModel.load(
                shipped ? Path.of(SparkFiles.get(shadow.model())) : Path.of(shadow.model()));
      }
      return shadowLoaded;
    }

    /** Key {@code k} of {@code row}, copied out of Spark's (reused) row buffer. */
    private Object key(InternalRow row, int k) {
      if (row.isNullAt(k)) {
        return null;
      }
      // Strings, the usual key, without the generic getter's type dispatch.
      return keyTypes[k] instanceof StringType
          ? row.getUTF8String(k).copy()
          : InternalRow.copyValue(row.get(k, keyTypes[k]));
    }

    private SavedModel model() {
      if (loaded == null) {
        loaded = SavedModel.load(shipped ? Path.of(SparkFiles.get(model)) : Path.of(model));
      }
      return loaded;
    }

    /** The input is exhausted: the partition's totals count, once. */
    private void finish() {
      done = true;
      totals.add(partition);
      close();
    }

    synchronized void close() {
      if (loaded != null) {
        loaded.close();
        loaded = null;
      }
      if (shadowLoaded != null) {
        shadowLoaded.close();
        shadowLoaded = null;
      }
    }
  }
}
