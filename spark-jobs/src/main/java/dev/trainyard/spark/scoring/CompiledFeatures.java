package dev.trainyard.spark.scoring;

import dev.trainyard.spark.features.FeatureJob;
import dev.trainyard.spark.features.FeatureManifest;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.ImputerModel;
import org.apache.spark.ml.feature.OneHotEncoderModel;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Row;

/**
 * A fitted feature pipeline of the shape {@link FeatureJob} builds, turned into plain arithmetic
 * over a row's raw values: median imputation, standardization, index + one-hot with the unknown
 * slot, assembled in the same order. It gives the same feature values as {@code
 * PipelineModel.transform} (a test holds it to that), without Spark ML's per-row vectors, UDFs and
 * UDT conversions, which cost batch scoring most of its time.
 *
 * <p>{@link #compile} returns null for any pipeline it does not recognize stage by stage (e.g. one
 * saved by another version of the feature job); scoring then uses the pipeline itself.
 */
final class CompiledFeatures implements Serializable {
  private static final long serialVersionUID = 1L;

  private final double[] medians;
  private final double[] shift;
  private final double[] scale;
  private final List<List<String>> categoryLabels;
  private final int[] categoryWidths;
  private final int width;

  private CompiledFeatures(
      double[] medians,
      double[] shift,
      double[] scale,
      List<List<String>> categoryLabels,
      int[] categoryWidths) {
    this.medians = medians;
    this.shift = shift;
    this.scale = scale;
    this.categoryLabels = categoryLabels;
    this.categoryWidths = categoryWidths;
    this.width = medians.length + Arrays.stream(categoryWidths).sum();
  }

  /** Features per row. */
  int width() {
    return width;
  }

  /** Categorical features. */
  int categories() {
    return categoryLabels.size();
  }

  /** The indexer's labels of categorical feature {@code j}: a value's one-hot slot by position. */
  List<String> labels(int j) {
    return categoryLabels.get(j);
  }

  /**
   * @return the compiled form, or null when the pipeline is not exactly the feature job's shape for
   *     this manifest's columns
   */
  static CompiledFeatures compile(PipelineModel pipeline, FeatureManifest manifest) {
    return compile(pipeline.stages(), manifest);
  }

  /**
   * @param stages a fitted pipeline's stages, in order ({@link PipelineStages#load})
   */
  static CompiledFeatures compile(Transformer[] stages, FeatureManifest manifest) {
    if (!manifest.transformOrNone().encodings().isEmpty()) {
      // Hashed or top-K categories are computed by the pipeline's SQL stage, which the compiled
      // form does not run: the pipeline itself scores.
      return null;
    }
    int numeric = manifest.numeric().size();
    int categorical = manifest.categorical().size();
    int i = 0;
    if (i >= stages.length || !(stages[i++] instanceof SQLTransformer)) {
      return null;
    }
    double[] medians = new double[numeric];
    double[] shift = new double[numeric];
    double[] scale = new double[numeric];
    if (numeric > 0) {
      if (stages.length < i + 3
          || !(stages[i] instanceof ImputerModel imputer)
          || !(stages[i + 1] instanceof VectorAssembler)
          || !(stages[i + 2] instanceof StandardScalerModel scaler)) {
        return null;
      }
      i += 3;
      String[] in = imputer.getInputCols();
      if (in.length != numeric) {
        return null;
      }
      Row surrogates = imputer.surrogateDF().first();
      for (int j = 0; j < numeric; j++) {
        if (!in[j].equals(FeatureJob.WORK + "num_" + manifest.numeric().get(j))) {
          return null;
        }
        medians[j] = ((Number) surrogates.get(surrogates.fieldIndex(in[j]))).doubleValue();
        // As StandardScalerModel: (x - mean) * (1 / std), and 0 where std is 0.
        double std = scaler.std().apply(j);
        shift[j] = scaler.getWithMean() ? scaler.mean().apply(j) : 0.0;
        scale[j] = !scaler.getWithStd() ? 1.0 : std != 0.0 ? 1.0 / std : 0.0;
      }
    }
    List<List<String>> index = new ArrayList<>();
    int[] widths = new int[categorical];
    if (categorical > 0) {
      if (stages.length < i + 2
          || !(stages[i] instanceof StringIndexerModel indexer)
          || !(stages[i + 1] instanceof OneHotEncoderModel encoder)) {
        return null;
      }
      i += 2;
      String[][] labels = indexer.labelsArray();
      String[] in = indexer.getInputCols();
      if (labels.length != categorical
          || !indexer.getHandleInvalid().equals("keep")
          || !encoder.getHandleInvalid().equals("keep")
          || !encoder.getDropLast()) {
        return null;
      }
      int[] sizes = encoder.categorySizes();
      for (int j = 0; j < categorical; j++) {
        if (!in[j].equals(FeatureJob.WORK + "cat_" + manifest.categorical().get(j))) {
          return null;
        }
        index.add(List.of(labels[j]));
        // "keep" adds a slot for indexes the encoder never saw, dropLast removes it again.
        widths[j] = sizes[j];
      }
    }
    if (i != stages.length - 1 || !(stages[i] instanceof VectorAssembler)) {
      return null;
    }
    CompiledFeatures compiled = new CompiledFeatures(medians, shift, scale, index, widths);
    return compiled.width == manifest.numFeatures() ? compiled : null;
  }

  /**
   * Writes the features of one row into {@code out[0 .. width)}.
   *
   * @param numbers the numeric features in the manifest's order, NaN for a missing value (a
   *     scoreable row has no real NaN: scoring quarantines those first)
   * @param slots per categorical feature in the manifest's order, the value's position in {@link
   *     #labels}; -1 for a missing or unseen value
   */
  void fill(double[] numbers, int[] slots, float[] out) {
    int n = medians.length;
    for (int j = 0; j < n; j++) {
      double x = Double.isNaN(numbers[j]) ? medians[j] : numbers[j];
      out[j] = (float) ((x - shift[j]) * scale[j]);
    }
    int offset = n;
    for (int j = 0; j < categoryWidths.length; j++) {
      // Unseen values and nulls take the indexer's extra slot: the last one kept.
      int hot = slots[j] < 0 ? categoryLabels.get(j).size() : slots[j];
      Arrays.fill(out, offset, offset + categoryWidths[j], 0f);
      if (hot < categoryWidths[j]) {
        out[offset + hot] = 1f;
      }
      offset += categoryWidths[j];
    }
  }
}
