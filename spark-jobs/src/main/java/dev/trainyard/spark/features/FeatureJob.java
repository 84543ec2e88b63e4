package dev.trainyard.spark.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.shiftrightunsigned;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import dev.trainyard.spark.io.DataInputException;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.io.InputData;
import dev.trainyard.spark.io.Outputs;
import dev.trainyard.spark.io.Publisher;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.storage.StorageLevel;

/**
 * Splits a dataset, fits the feature pipeline on the training split, and writes the three splits as
 * model-ready Parquet together with the fitted pipeline.
 *
 * <p>Output under {@code outputUri}:
 *
 * <ul>
 *   <li>{@code train/}, {@code validation/}, {@code test/}: Parquet with the key columns, {@code
 *       features} ({@code array<float>}) and {@code label} ({@code double}: the class index for
 *       classification, the value for regression)
 *   <li>{@code pipeline/}: the fitted Spark ML {@link PipelineModel}; it reads raw rows (no label
 *       needed) and adds {@code features}, so scoring applies exactly what training saw — see
 *       {@link #applyPipeline}
 *   <li>{@code features.json}: a {@link FeatureManifest}
 *   <li>{@code _SUCCESS}: written last
 * </ul>
 *
 * <p>The split is a pure function of each row's identity (the key columns if given, else the label
 * and feature columns) and the seed: a 64-bit hash mapped to {@code [0, 1)} and cut at the split
 * weights. It does not depend on file order, partitioning or the number of executors, and equal
 * rows always land in the same split.
 *
 * <p>Publishing: on file systems whose rename is atomic ({@code file}, {@code hdfs}) everything is
 * written to a hidden sibling {@code .NAME.staging-UUID} and renamed into place, replacing an
 * earlier output; readers see the old output or the new one (or, for an instant between the two
 * renames, none). On object stores ({@code s3a}) rename is a copy, so the old output is deleted and
 * the new one written in place; {@code _SUCCESS} is written last, and readers must wait for it.
 * Either way a retry with the same {@code outputUri} replaces what an earlier attempt left (see
 * {@link Outputs}).
 */
public final class FeatureJob {
  /** Prefix of the pipeline's working columns; {@link #applyPipeline} drops them. */
  public static final String WORK = "__ty_";

  static final String UNKNOWN_CATEGORY = "__unknown__";
  private static final String SPLIT = WORK + "split";
  private static final String LABEL_TEXT = WORK + "label_text";
  private static final String LABEL_INDEX = WORK + "label_index";

  private FeatureJob() {}

  public static FeatureResult fitAndWrite(
      SparkSession spark,
      DatasetInput input,
      FeatureColumns columns,
      SplitSpec split,
      String outputUri) {
    for (String reserved : List.of("features", "label")) {
      if (columns.keys().contains(reserved)) {
        throw new IllegalArgumentException(
            "key column '" + reserved + "' clashes with an output column; rename it upstream");
      }
    }
    Dataset<Row> read = InputData.read(spark, input);
    FeatureTransform.Applied applied = transformed(read, input, columns, split);
    // Fitted: quantile edges and lookup fingerprints filled in.
    FeatureTransform transform = applied.transform();
    Dataset<Row> derived = applied.rows();
    transform.requireColumns(derived, columns);
    InputData.check(derived.schema(), input, columns, List.of(), List.of());
    Dataset<Row> raw = transform.filter(derived, input.uri());
    if (!columns.isClassification()
        && !(raw.schema().apply(columns.label()).dataType() instanceof NumericType)) {
      throw new DataInputException(
          "label '"
              + columns.label()
              + "' of "
              + input.uri()
              + " has type "
              + raw.schema().apply(columns.label()).dataType().simpleString()
              + "; regression needs a numeric label");
    }

    Dataset<Row> prepared =
        withSplit(labelled(raw, columns), columns, split).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      SplitCounts counts = SplitCounts.of(input, raw, prepared, columns);
      long inputRows =
          transform.trainingFilter() == null ? counts.total : InputData.action(input, read::count);
      long filtered = inputRows - counts.total;
      transform.requireRowsLeft(inputRows, counts.total, input.uri());
      counts.requireUsable(input, columns);

      Dataset<Row> train = prepared.where(col(SPLIT).equalTo("train"));
      PipelineModel pipeline = featurePipeline(columns, topValues(train, columns)).fit(train);

      List<String> labels = List.of();
      Column label;
      Dataset<Row> transformed = pipeline.transform(prepared);
      if (columns.isClassification()) {
        // Fitted on every labelled row, not just training: a class seen only in validation or
        // test still needs an index. Alphabetical order keeps indexes stable across runs.
        StringIndexerModel labelIndexer =
            new StringIndexer()
                .setInputCol(LABEL_TEXT)
                .setOutputCol(LABEL_INDEX)
                .setStringOrderType("alphabetAsc")
                .fit(prepared);
        labels = Arrays.asList(labelIndexer.labelsArray()[0]);
        transformed = labelIndexer.transform(transformed);
        label = col(LABEL_INDEX);
      } else {
        label = col(InputData.quoted(columns.label())).cast("double");
      }
      List<String> featureNames = featureNames(pipeline, columns);
      int assembled = AttributeGroup.fromStructField(transformed.schema().apply("features")).size();
      if (assembled != featureNames.size()) {
        throw new IllegalStateException(
            "the feature vector has "
                + assembled
                + " slots but "
                + featureNames.size()
                + " names were derived: "
                + featureNames);
      }

      List<Column> output = new ArrayList<>();
      for (String key : columns.keys()) {
        output.add(col(InputData.quoted(key)));
      }
      output.add(
          org.apache.spark.ml.functions.vector_to_array(col("features"), "float32").as("features"));
      output.add(label.as("label"));
      Dataset<Row> withSplit =
          transformed.select(concat(output, col(SPLIT)).toArray(Column[]::new));

      FeatureManifest manifest =
          new FeatureManifest(
              featureNames.size(),
              featureNames,
              columns.task(),
              columns.label(),
              labels,
              columns.numeric(),
              columns.categorical(),
              columns.keys(),
              counts.train,
              counts.validation,
              counts.test,
              counts.dropped,
              split,
              input,
              transform.isEmpty() ? null : transform,
              filtered,
              read.schema().toDDL());
      // Saved: the transform's steps, then the fitted feature stages, as one pipeline that reads
      // raw rows.
      PipelineModel saved = withTransform(applied.stages(), pipeline);
      Outputs.publish(
          spark,
          outputUri,
          Publisher.of(Publisher.FEATURES),
          staging -> {
            for (String set : List.of("train", "validation", "test")) {
              withSplit
                  .where(col(SPLIT).equalTo(set))
                  .drop(SPLIT)
                  .write()
                  .mode(SaveMode.Overwrite)
                  .parquet(staging + "/" + set);
            }
            try {
              saved.write().overwrite().save(staging + "/pipeline");
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            writeText(spark, staging + "/features.json", manifest.toJson());
          });
      return new FeatureResult(
          outputUri,
          counts.train,
          counts.validation,
          counts.test,
          featureNames.size(),
          featureNames,
          labels);
    } finally {
      prepared.unpersist();
    }
  }

  /**
   * Applies a pipeline written by {@link #fitAndWrite} to raw rows (a label column is not needed).
   * Returns the input columns plus {@code features} as {@code array<float>}. Categories not seen in
   * training go to the {@code __unknown__} slot; missing numbers get the training median.
   */
  public static Dataset<Row> applyPipeline(
      SparkSession spark, String pipelineUri, Dataset<Row> raw) {
    Dataset<Row> transformed = applyPipelineAsVectors(spark, pipelineUri, raw);
    List<Column> output = new ArrayList<>();
    for (String column : raw.columns()) {
      if (!column.equals("features")) {
        output.add(col(InputData.quoted(column)));
      }
    }
    output.add(
        org.apache.spark.ml.functions.vector_to_array(col("features"), "float32").as("features"));
    return transformed.select(output.toArray(Column[]::new));
  }

  /**
   * {@link #applyPipeline} with {@code features} left as Spark ML vectors: what code reading the
   * features in the JVM wants (a vector's values arrive as one {@code double[]}, where an {@code
   * array<float>} column arrives as one boxed number per feature).
   */
  public static Dataset<Row> applyPipelineAsVectors(
      SparkSession spark, String pipelineUri, Dataset<Row> raw) {
    return transformCarrying(PipelineModel.load(pipelineUri).stages(), raw);
  }

  /** Where an input column a stage derives again waits while that stage runs. */
  private static final String CARRIED = WORK + "carried_";

  /**
   * The stages on {@code rows}, one by one. Rows may carry, beside the raw columns, a column a
   * transform step derives (the label {@link #rawSplit} adds, for the comparison to pair on): the
   * step would then add a second column of that name. Such a column is set aside while the stage
   * runs and put back after it, holding the caller's values; the stage's own copy is what later
   * stages read. Only Spark's analysis runs here, no data is read.
   */
  static Dataset<Row> transformCarrying(Transformer[] stages, Dataset<Row> rows) {
    List<String> carried = new ArrayList<>();
    Dataset<Row> current = rows;
    for (Transformer stage : stages) {
      Dataset<Row> next = stage.transform(current);
      List<String> twice = duplicated(next.columns());
      if (!twice.isEmpty()) {
        Dataset<Row> aside = current;
        for (String column : twice) {
          aside = aside.withColumnRenamed(column, CARRIED + column);
          carried.add(column);
        }
        next = stage.transform(aside);
      }
      current = next;
    }
    for (String column : carried) {
      current = current.drop(column).withColumnRenamed(CARRIED + column, column);
    }
    return current;
  }

  private static List<String> duplicated(String[] columns) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    List<String> twice = new ArrayList<>();
    for (String c : columns) {
      if (!seen.add(c.toLowerCase(java.util.Locale.ROOT)) && !twice.contains(c)) {
        twice.add(c);
      }
    }
    return twice;
  }

  /**
   * The raw rows that {@link #fitAndWrite} put in split {@code set} (train, validation or test):
   * the same rows, since the split is a pure function of the transformed rows and the seed. Each
   * comes back as it was read (every input column, before any transform step) plus the spec's
   * columns that the steps derive (the label, keys, features), which a comparison pairs and
   * segments on. Lets a champion be evaluated on the candidate's test rows through its own saved
   * pipeline, which applies its own transform steps to the raw columns ({@link #applyPipeline} sets
   * the derived copies aside while it does).
   */
  public static Dataset<Row> rawSplit(
      SparkSession spark, DatasetInput input, FeatureColumns columns, SplitSpec split, String set) {
    Dataset<Row> read = InputData.read(spark, input);
    FeatureTransform.Applied applied = transformed(read, input, columns, split);
    FeatureTransform transform = applied.transform();
    Dataset<Row> raw = transform.filter(applied.rows(), input.uri());
    Dataset<Row> rows =
        withSplit(labelled(raw, columns), columns, split).where(col(SPLIT).equalTo(set));
    if (transform.steps().isEmpty()) {
      return rows.drop(SPLIT, LABEL_TEXT);
    }
    // A step that lists its columns (no SELECT *) may leave a raw one out: it is then not
    // returned, and a pipeline that reads it gets null, as scoring does for a missing column.
    List<String> present = Arrays.asList(rows.columns());
    List<String> rawNames = Arrays.asList(read.columns());
    List<Column> out = new ArrayList<>();
    for (org.apache.spark.sql.types.StructField f : read.schema().fields()) {
      out.add(
          present.contains(f.name())
              ? col(InputData.quoted(f.name()))
              : lit(null).cast(f.dataType()).as(f.name()));
    }
    for (String c : columns.allColumns()) {
      if (!rawNames.contains(c)) {
        out.add(col(InputData.quoted(c)));
      }
    }
    return rows.select(out.toArray(Column[]::new));
  }

  /** Reads {@code features.json} of an output written by {@link #fitAndWrite}. */
  public static FeatureManifest readManifest(SparkSession spark, String outputUri) {
    Path path = new Path(outputUri, "features.json");
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (var in = fs.open(path)) {
        return FeatureManifest.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new DataInputException(
          "cannot read "
              + path
              + ": "
              + InputData.rootMessage(e)
              + ". Is "
              + outputUri
              + " the output of a finished feature job?",
          e);
    }
  }

  /**
   * The transform fitted where it learns (quantile edges on the training split, lookup
   * fingerprints) and applied to the rows read. The split leaves the fitted columns out of a row's
   * identity ({@link FeatureTransform#fittedOutputs}), so it picks the same rows before fitting as
   * after.
   */
  private static FeatureTransform.Applied transformed(
      Dataset<Row> read, DatasetInput input, FeatureColumns columns, SplitSpec split) {
    FeatureTransform transform = columns.transform();
    FeatureTransform.Applied applied = transform.applied(read, input.uri());
    if (!transform.learns()) {
      FeatureTransform fitted = transform.fit(applied.rows(), input.uri());
      return new FeatureTransform.Applied(applied.rows(), applied.stages(), fitted);
    }
    transform.requireColumns(applied.rows(), columns);
    Dataset<Row> train =
        withSplit(labelled(transform.filter(applied.rows(), input.uri()), columns), columns, split)
            .where(col(SPLIT).equalTo("train"));
    FeatureTransform fitted = transform.fit(train, input.uri());
    return fitted.applied(read, input.uri());
  }

  /**
   * The feature pipeline with the transform's steps in front: what is saved, and what scoring
   * applies to raw rows.
   */
  static PipelineModel withTransform(List<Transformer> steps, PipelineModel features) {
    if (steps.isEmpty()) {
      return features;
    }
    List<Transformer> stages = new ArrayList<>(steps);
    stages.addAll(Arrays.asList(features.stages()));
    return new PipelineModel(features.uid(), stages.toArray(Transformer[]::new));
  }

  /**
   * Applies the transform steps saved in front of a pipeline to raw scoring rows and returns them
   * with the stages that follow (the feature stages). A column of the training input that the rows
   * lack (typically the raw label a step derives the label from) is supplied as null of its
   * training type, so the same statements run; a feature computed from it is then missing, as a
   * null is.
   */
  public static Dataset<Row> applyTransform(
      Transformer[] stages, FeatureManifest manifest, Dataset<Row> raw, String inputUri) {
    FeatureTransform transform = manifest.transformOrNone();
    if (transform.steps().isEmpty()) {
      return raw;
    }
    Dataset<Row> rows = raw;
    List<String> present = Arrays.asList(raw.columns());
    for (org.apache.spark.sql.types.StructField f :
        org.apache.spark.sql.types.StructType.fromDDL(manifest.rawColumns()).fields()) {
      if (!present.contains(f.name())) {
        rows = rows.withColumn(f.name(), lit(null).cast(f.dataType()));
      }
    }
    return transform.apply(
        Arrays.asList(stages).subList(0, transform.steps().size()), rows, inputUri);
  }

  /** The stages after the transform's: the feature stages {@link #fitAndWrite} fitted. */
  public static Transformer[] featureStages(Transformer[] stages, FeatureManifest manifest) {
    int n = manifest.transformOrNone().steps().size();
    return Arrays.copyOfRange(stages, n, stages.length);
  }

  private static List<Column> concat(List<Column> columns, Column extra) {
    List<Column> all = new ArrayList<>(columns);
    all.add(extra);
    return all;
  }

  /** Rows with a usable label; for classification the label's text form beside it. */
  private static Dataset<Row> labelled(Dataset<Row> raw, FeatureColumns columns) {
    Column label = col(InputData.quoted(columns.label()));
    Column usable = label.isNotNull();
    if (InputData.isFloating(raw.schema().apply(columns.label()).dataType())) {
      Column d = label.cast("double");
      usable =
          usable
              .and(not(isnan(d)))
              .and(d.notEqual(lit(Double.POSITIVE_INFINITY)))
              .and(d.notEqual(lit(Double.NEGATIVE_INFINITY)));
    }
    Dataset<Row> rows = raw.where(usable);
    return columns.isClassification() ? rows.withColumn(LABEL_TEXT, label.cast("string")) : rows;
  }

  private static Column not(Column c) {
    return org.apache.spark.sql.functions.not(c);
  }

  private static Dataset<Row> withSplit(
      Dataset<Row> rows, FeatureColumns columns, SplitSpec split) {
    List<String> identity =
        columns.keys().isEmpty()
            ? concatNames(List.of(columns.label()), columns.features())
            : columns.keys();
    identity =
        identity.stream().filter(c -> !columns.transform().fittedOutputs().contains(c)).toList();
    List<Column> hashed = new ArrayList<>();
    hashed.add(lit(split.seed()));
    for (String column : identity) {
      hashed.add(col(InputData.quoted(column)));
    }
    // The top 53 bits of the hash as a double in [0, 1).
    Column u =
        shiftrightunsigned(xxhash64(hashed.toArray(Column[]::new)), 11)
            .cast("double")
            .divide(lit(Math.pow(2, 53)));
    double trainCut = split.train() / split.total();
    double validationCut = (split.train() + split.validation()) / split.total();
    return rows.withColumn(
        SPLIT,
        when(u.lt(trainCut), "train").when(u.lt(validationCut), "validation").otherwise("test"));
  }

  private static List<String> concatNames(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /**
   * The feature pipeline. A leading SQL stage casts numbers to double and categories to string, so
   * the saved pipeline needs nothing but raw columns; then median imputation and standardization of
   * the numbers, index + one-hot of the categories (unseen values, and nulls, get their own slot),
   * and one assembled {@code features} vector.
   */
  private static Pipeline featurePipeline(
      FeatureColumns columns, java.util.Map<String, List<String>> top) {
    List<PipelineStage> stages = new ArrayList<>();
    List<String> casts = new ArrayList<>();
    for (String n : columns.numeric()) {
      casts.add(
          "CAST(" + InputData.quoted(n) + " AS DOUBLE) AS " + InputData.quoted(WORK + "num_" + n));
    }
    for (String c : columns.categorical()) {
      casts.add(
          columns.transform().categoryExpression(c, top.getOrDefault(c, List.of()))
              + " AS "
              + InputData.quoted(WORK + "cat_" + c));
    }
    stages.add(
        new SQLTransformer()
            .setStatement("SELECT *, " + String.join(", ", casts) + " FROM __THIS__"));
    List<String> assembled = new ArrayList<>();
    if (!columns.numeric().isEmpty()) {
      String[] in = prefixed("num_", columns.numeric());
      String[] imputed = prefixed("imp_", columns.numeric());
      stages.add(new Imputer().setStrategy("median").setInputCols(in).setOutputCols(imputed));
      stages.add(new VectorAssembler().setInputCols(imputed).setOutputCol(WORK + "num_vector"));
      stages.add(
          new StandardScaler()
              .setWithMean(true)
              .setWithStd(true)
              .setInputCol(WORK + "num_vector")
              .setOutputCol(WORK + "num_scaled"));
      assembled.add(WORK + "num_scaled");
    }
    if (!columns.categorical().isEmpty()) {
      String[] indexed = prefixed("idx_", columns.categorical());
      String[] encoded = prefixed("ohe_", columns.categorical());
      stages.add(
          new StringIndexer()
              .setInputCols(prefixed("cat_", columns.categorical()))
              .setOutputCols(indexed)
              .setStringOrderType("alphabetAsc")
              .setHandleInvalid("keep"));
      stages.add(
          new OneHotEncoder()
              .setInputCols(indexed)
              .setOutputCols(encoded)
              // The indexer already gives unseen values (and nulls) their own index, which
              // becomes the last real slot; the encoder's "keep" adds one more, for indexes it
              // was never told about, and dropLast removes exactly that never-used slot.
              .setDropLast(true)
              .setHandleInvalid("keep"));
      assembled.addAll(Arrays.asList(encoded));
    }
    // Term-count vectors of text steps join as they are: counts, no scaling.
    for (FeatureTransform.Text text : columns.transform().texts()) {
      assembled.add(text.outputColumn());
    }
    stages.add(
        new VectorAssembler()
            .setInputCols(assembled.toArray(String[]::new))
            .setOutputCol("features"));
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  /**
   * For each {@code topK} column, its K most frequent values in the training split (ties in value
   * order, so a rerun keeps them): fitted here, then fixed in the saved pipeline.
   */
  private static java.util.Map<String, List<String>> topValues(
      Dataset<Row> train, FeatureColumns columns) {
    java.util.Map<String, List<String>> top = new java.util.TreeMap<>();
    columns
        .transform()
        .encodings()
        .forEach(
            (column, e) -> {
              if (e.topK() != null && columns.categorical().contains(column)) {
                Column v = col(InputData.quoted(column)).cast("string");
                top.put(
                    column,
                    train
                        .where(v.isNotNull())
                        .groupBy(v.as("v"))
                        .count()
                        .orderBy(col("count").desc(), col("v").asc())
                        .limit(e.topK())
                        .collectAsList()
                        .stream()
                        .map(r -> r.getString(0))
                        .toList());
              }
            });
    return top;
  }

  private static String[] prefixed(String kind, List<String> names) {
    return names.stream().map(n -> WORK + kind + n).toArray(String[]::new);
  }

  /**
   * Slot names in assembly order: numeric features, each category's one-hot slots, then each text
   * step's term counts ({@code OUTPUT[i]}).
   */
  private static List<String> featureNames(PipelineModel pipeline, FeatureColumns columns) {
    List<String> names = new ArrayList<>(columns.numeric());
    for (Transformer stage : pipeline.stages()) {
      if (stage instanceof StringIndexerModel indexer) {
        String[][] labels = indexer.labelsArray();
        for (int i = 0; i < columns.categorical().size(); i++) {
          String column = columns.categorical().get(i);
          for (String value : labels[i]) {
            names.add(column + "=" + value);
          }
          names.add(column + "=" + UNKNOWN_CATEGORY);
        }
      }
    }
    for (FeatureTransform.Text text : columns.transform().texts()) {
      for (int i = 0; i < text.numFeatures(); i++) {
        names.add(text.outputColumn() + "[" + i + "]");
      }
    }
    return names;
  }

  /** Rows per split, and the checks that need them, in one aggregate. */
  private static final class SplitCounts {
    long train;
    long validation;
    long test;
    long dropped;
    long total;
    final List<String> emptyInTraining = new ArrayList<>();

    static SplitCounts of(
        DatasetInput input, Dataset<Row> raw, Dataset<Row> prepared, FeatureColumns columns) {
      List<Column> aggregates = new ArrayList<>();
      aggregates.add(count_if(col(SPLIT).equalTo("validation")).as("validation"));
      aggregates.add(count_if(col(SPLIT).equalTo("test")).as("test"));
      for (String n : columns.numeric()) {
        Column v = col(InputData.quoted(n)).cast("double");
        aggregates.add(
            count_if(col(SPLIT).equalTo("train").and(v.isNotNull()).and(not(isnan(v))))
                .as(WORK + "present_" + n));
      }
      Row row =
          InputData.action(
              input,
              () ->
                  prepared
                      .agg(
                          count_if(col(SPLIT).equalTo("train")).as("train"),
                          aggregates.toArray(Column[]::new))
                      .first());
      long total = InputData.action(input, raw::count);
      SplitCounts counts = new SplitCounts();
      counts.total = total;
      counts.train = row.getLong(0);
      counts.validation = row.getLong(1);
      counts.test = row.getLong(2);
      counts.dropped = total - counts.train - counts.validation - counts.test;
      for (int i = 0; i < columns.numeric().size(); i++) {
        if (row.getLong(3 + i) == 0) {
          counts.emptyInTraining.add(columns.numeric().get(i));
        }
      }
      return counts;
    }

    void requireUsable(DatasetInput input, FeatureColumns columns) {
      long labelled = train + validation + test;
      if (labelled == 0) {
        throw new DataInputException(
            "dataset "
                + input.uri()
                + (dropped == 0
                    ? " has 0 rows"
                    : " has no row with a usable label ('"
                        + columns.label()
                        + "' is null, NaN or infinite in all "
                        + dropped
                        + ")")
                + ": nothing to build features from. Check the step that writes it.");
      }
      if (train == 0) {
        throw new DataInputException(
            "the training split of "
                + input.uri()
                + " is empty ("
                + labelled
                + " labelled rows): use more data or a larger train weight");
      }
      if (!emptyInTraining.isEmpty()) {
        throw new DataInputException(
            "numeric feature"
                + (emptyInTraining.size() == 1 ? " " : "s ")
                + emptyInTraining.stream().map(n -> "'" + n + "'").collect(Collectors.joining(", "))
                + " of "
                + input.uri()
                + " ha"
                + (emptyInTraining.size() == 1 ? "s" : "ve")
                + " no values in the training split, so there is no median to fill gaps with:"
                + " drop it from the spec or fix the data (validation reports it as 100% null)");
      }
    }
  }

  private static void writeText(SparkSession spark, String uri, String text) {
    Path path = new Path(uri);
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (OutputStream out = fs.create(path, true)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + uri, e);
    }
  }
}
