package dev.trainyard.spark.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import dev.trainyard.spark.drift.DriftBins;
import dev.trainyard.spark.drift.PopulationStability;
import dev.trainyard.spark.features.FeatureJob;
import dev.trainyard.spark.features.FeatureManifest;
import dev.trainyard.spark.io.DataInputException;
import dev.trainyard.spark.io.InputData;
import dev.trainyard.spark.io.JobCancelledException;
import dev.trainyard.spark.io.JobControl;
import dev.trainyard.spark.io.Outputs;
import dev.trainyard.spark.io.Publisher;
import dev.trainyard.training.PredictionReference;
import dev.trainyard.training.SavedModel;
import dev.trainyard.training.TrainingTask;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.SparkFiles;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Batch scoring: one model version's feature pipeline and DJL model over a dataset, published
 * atomically as Parquet, with a quarantine for rows that cannot be scored and a report (counts,
 * prediction distribution, drift).
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>Reads the input and checks it against the model's {@code features.json}: every feature and
 *       key column present, features of usable types (numbers, or strings holding numbers, for
 *       numeric features; string, integer or boolean for categorical ones). Problems throw {@link
 *       DataInputException}.
 *   <li>Flags rows that cannot be scored: a null key, a NaN or infinite numeric feature, a string
 *       in a numeric feature that is not a number. Missing numbers (null) and unseen categories are
 *       scoreable: the pipeline fills the training median and uses the {@code __unknown__} slot.
 *   <li>Applies the saved feature pipeline and predicts with one {@link SavedModel} per partition,
 *       {@code batchSize} rows per {@code predict} call, streaming (a partition is never held in
 *       memory).
 *   <li>Writes the output (key columns, {@code prediction}, {@code probabilities}, {@code
 *       model_name}, {@code model_version}, {@code scoring_run_id}) to a hidden staging folder
 *       ({@link Outputs}). If the flagged share is over {@link
 *       ScoringRequest#maxQuarantineFraction()}, throws {@link DataInputException}: the staging
 *       folder is deleted and nothing is published. Otherwise publishes the quarantine (input
 *       columns + {@code reason}; a second read of the input only when some rows were flagged),
 *       then renames the output into place with its {@code _SUCCESS} marker. A re-run replaces
 *       both; a run that fails between the two leaves the (replaced-on-retry) quarantine and no
 *       output.
 * </ol>
 *
 * <p>One pass over the input, nothing cached: the scoring function ({@link PartitionScorer}) counts
 * rows per failed check, PSI bins ({@link DriftBins}) and the prediction distribution (per class,
 * or per bin of the version's {@link PredictionReference} for regression: prediction drift) while
 * the output is written, into a {@link ScoringTotals} accumulator, so only those aggregates reach
 * the driver and memory does not grow with the input.
 *
 * <p>The model files: in local mode executors share the driver's file system and load {@code
 * modelDir/djl} directly. On a cluster the driver zips {@code djl/} and ships it with {@code
 * SparkContext.addArchive} (a local directory cannot go through {@code addFile} outside local
 * mode); each task loads it from {@link SparkFiles}. The archive stays in the driver's temporary
 * directory until the JVM exits. The feature pipeline is loaded on the driver only, its stages in
 * parallel ({@link PipelineStages}); compiled, it travels inside the scoring function, otherwise
 * its stages travel inside the query plan. The model is also loaded once on the driver, to check
 * that its task, width and classes match {@code features.json}.
 *
 * <p>Shadow scoring ({@link ScoringRequest#shadow()}): the scoring function runs a second model on
 * every scored row of the same pass (its own compiled pipeline over the same raw columns). The rows
 * with both predictions are published first, as the shadow output ({@link ShadowComparison}'s
 * columns after the champion's); the champion's output is then written from that published Parquet
 * (a column-pruned read, the models do not run again), so it is exactly what a run without a shadow
 * publishes. {@link ShadowComparison} summarizes how the two agree.
 *
 * <p>PyTorch: every task runs its own model, so give PyTorch one intra-op thread per task ({@code
 * -Dai.djl.pytorch.num_threads=1}, before the engine starts); the tests do.
 */
public final class ScoringJob {
  public static final String PREDICTION = "prediction";
  public static final String PROBABILITIES = "probabilities";
  public static final String MODEL_NAME = "model_name";
  public static final String MODEL_VERSION = "model_version";
  public static final String SCORING_RUN_ID = "scoring_run_id";

  /** The {@link #PROBABILITIES} column's metadata key: the classes, by position. */
  public static final String CLASSES_METADATA = "classes";

  /** The column the quarantine output adds to the input columns. */
  public static final String REASON = "reason";

  /** Columns the output adds after the key columns. */
  static final List<String> OUTPUT_COLUMNS =
      List.of(PREDICTION, PROBABILITIES, MODEL_NAME, MODEL_VERSION, SCORING_RUN_ID);

  /** The model folder's layout (as the activities download a model version's artifacts). */
  static final String DJL = "djl";

  static final String FEATURE_PIPELINE = "feature-pipeline";
  static final String FEATURES_JSON = "features.json";
  static final String PROFILE = "training-profile.json";

  private ScoringJob() {}

  public static ScoringReport score(SparkSession spark, ScoringRequest request) {
    return score(spark, request, JobControl.none());
  }

  /**
   * Scores under {@code control}: cancelling it cancels the job's Spark jobs, and a cancelled job,
   * or one whose step a later attempt has taken over, publishes nothing ({@link JobControl}).
   *
   * @throws JobCancelledException when it was stopped; its staging folder is gone
   */
  public static ScoringReport score(
      SparkSession spark, ScoringRequest request, JobControl control) {
    return control.runInGroup(
        spark, () -> score(spark, request, !spark.sparkContext().isLocal(), control));
  }

  static ScoringReport score(SparkSession spark, ScoringRequest request, boolean shipModel) {
    return score(spark, request, shipModel, JobControl.none());
  }

  /**
   * @param shipModel ship {@code djl/} to the executors through {@code addArchive} instead of
   *     reading it from {@code modelDir} (needed on a cluster; optional in local mode)
   */
  private static ScoringReport score(
      SparkSession spark, ScoringRequest request, boolean shipModel, JobControl control) {
    long start = System.nanoTime();
    Outputs.checkWritable(spark, request.outputUri(), "output");
    Outputs.checkWritable(spark, request.quarantineUri(), "quarantine");
    String input = request.input().uri();
    Outputs.checkApart(spark, request.outputUri(), "output", input, "input");
    Outputs.checkApart(spark, request.quarantineUri(), "quarantine", input, "input");
    Outputs.checkApart(spark, request.quarantineUri(), "quarantine", request.outputUri(), "output");
    Outputs.checkReplaceable(spark, request.outputUri(), Publisher.SCORES);
    Outputs.checkReplaceable(spark, request.quarantineUri(), Publisher.QUARANTINE);
    ShadowModel shadow = request.shadow();
    if (shadow != null) {
      Outputs.checkWritable(spark, shadow.outputUri(), "shadow output");
      Outputs.checkApart(spark, shadow.outputUri(), "shadow output", input, "input");
      Outputs.checkApart(spark, shadow.outputUri(), "shadow output", request.outputUri(), "output");
      Outputs.checkApart(
          spark, shadow.outputUri(), "shadow output", request.quarantineUri(), "quarantine");
      Outputs.checkReplaceable(spark, shadow.outputUri(), Publisher.SHADOW);
    }
    Outputs.claim(spark, request.outputUri(), control);
    Outputs.claim(spark, request.quarantineUri(), control);
    if (shadow != null) {
      Outputs.claim(spark, shadow.outputUri(), control);
    }
    ModelFolder model = ModelFolder.open(request);
    FeatureManifest manifest = model.manifest();
    ModelFolder shadowFolder =
        shadow == null
            ? null
            : ModelFolder.open(shadow.modelDir(), shadow.modelName(), shadow.modelVersion());
    if (shadowFolder != null) {
      requireComparable(request, manifest, shadowFolder.manifest());
    }
    // The spec's transform steps (saved in front of the feature stages) on the raw rows: the
    // checks and the features below see the columns training saw.
    Dataset<Row> raw =
        manifest.transformOrNone().steps().isEmpty()
            ? InputData.read(spark, request.input())
            : FeatureJob.applyTransform(
                PipelineStages.load(spark, model.pipelineUri()),
                manifest,
                InputData.read(spark, request.input()),
                request.input().uri());
    StructType schema = raw.schema();
    InputChecks.checkColumns(schema, request, manifest);
    if (shadowFolder != null) {
      InputChecks.checkColumns(
          schema,
          request,
          shadowFolder.manifest(),
          "shadow model '" + shadow.modelName() + "' version " + shadow.modelVersion());
    }
    // The scoring function's raw feature columns: the champion's, then a shadow's others.
    List<String> numericIn =
        shadowFolder == null
            ? manifest.numeric()
            : union(manifest.numeric(), shadowFolder.manifest().numeric());
    List<String> categoricalIn =
        shadowFolder == null
            ? manifest.categorical()
            : union(manifest.categorical(), shadowFolder.manifest().categorical());
    List<InputChecks.Check> checks = InputChecks.checks(schema, request, manifest);
    String modelLocation = model.djl().toString();
    String shadowLocation = shadowFolder == null ? null : shadowFolder.djl().toString();
    if (shipModel) {
      Path archive = ModelFolder.zip(model.djl());
      spark.sparkContext().addArchive(archive.toString());
      modelLocation = archive.getFileName().toString();
      if (shadowFolder != null) {
        Path shadowArchive = ModelFolder.zip(shadowFolder.djl());
        spark.sparkContext().addArchive(shadowArchive.toString());
        shadowLocation = shadowArchive.getFileName().toString();
      }
    }
    String shadowModel = shadowLocation;
    // One read of the input: the scoring function counts rows, failed checks, drift bins and
    // predictions while the output is written (ScoringTotals, through an accumulator). Nothing is
    // cached, so memory does not grow with the input (rows stream through each task).
    boolean regression = manifest.kind() == TrainingTask.Kind.REGRESSION;
    DriftBins drift =
        model.profile() == null
            ? null
            : DriftBins.of(model.profile(), manifest.numeric(), manifest.categorical());
    ScoringTotals.Accumulator totals =
        new ScoringTotals.Accumulator(
            new ScoringTotals(
                checks.size(),
                regression ? 0 : manifest.labels().size(),
                drift,
                model.predictions()));
    // Unnamed: the Spark UI lists named accumulators' values, and this one's is no number.
    spark.sparkContext().register(totals);
    String location = modelLocation;

    InputChecks.Counts[] counts = new InputChecks.Counts[1];
    ShadowComparison[] comparison = new ShadowComparison[1];
    // One pass writes the scored rows (with the shadow's beside them when there is one) to a
    // staging folder; the counts are checked before that folder is moved into place, so over the
    // quarantine limit nothing is published.
    java.util.function.BiConsumer<String, PartitionScorer.Shadow> scoreInto =
        (target, second) -> {
          InputData.action(
              request.input(),
              () -> {
                scored(
                        spark,
                        raw,
                        checks,
                        request,
                        model,
                        location,
                        shipModel,
                        totals,
                        second,
                        numericIn,
                        categoricalIn)
                    .write()
                    .parquet(target);
                return null;
              });
          counts[0] = InputChecks.Counts.of(totals.value(), checks);
          counts[0].requireWithinLimit(request);
        };
    Outputs.publish(
        spark,
        request.outputUri(),
        request.publisher(Publisher.SCORES),
        control,
        staging -> {
          if (shadow == null) {
            scoreInto.accept(staging, null);
          } else {
            // Both models in one pass, published side by side; over the quarantine limit, neither
            // output is published.
            PartitionScorer.Shadow second =
                shadowOf(
                    spark,
                    request,
                    shadow,
                    shadowFolder,
                    shadowModel,
                    regression,
                    numericIn,
                    categoricalIn);
            Outputs.publish(
                spark,
                shadow.outputUri(),
                request.publisher(Publisher.SHADOW),
                control,
                sideBySide -> scoreInto.accept(sideBySide, second));
            Dataset<Row> published = spark.read().parquet(shadow.outputUri());
            comparison[0] =
                ShadowComparison.of(published, regression ? null : manifest.labels(), shadow);
            List<Column> champion = new ArrayList<>();
            for (String key : request.keyColumns()) {
              champion.add(col(InputData.quoted(key)));
            }
            for (String c : OUTPUT_COLUMNS) {
              champion.add(col(c));
            }
            published.select(champion.toArray(Column[]::new)).write().parquet(staging);
          }
          // The quarantine is published before the output, so a reader who sees the output
          // finds its quarantine too. Only a run with quarantined rows reads the input again.
          Outputs.publish(
              spark,
              request.quarantineUri(),
              request.publisher(Publisher.QUARANTINE),
              control,
              q ->
                  (counts[0].quarantined == 0
                          ? spark.createDataFrame(List.of(), quarantineSchema(schema))
                          : raw.withColumn(REASON, InputChecks.reason(checks))
                              .where(col(REASON).isNotNull()))
                      .write()
                      .parquet(q));
        });
    Distribution distribution = Distribution.of(totals.value(), manifest);
    DriftBins counted = drift == null ? null : totals.value().drift;
    Map<String, Double> psi = counted == null ? Map.of() : counted.psi(model.profile());
    double seconds = (System.nanoTime() - start) / 1e9;
    return ScoringReport.builder()
        .setRowsIn(counts[0].rows)
        .setScored(distribution.scored())
        .setQuarantined(counts[0].quarantined)
        .optQuarantineReasons(counts[0].reasons)
        .optPredictionDistribution(distribution.shares())
        .optPsi(psi)
        .optMissingChange(counted == null ? Map.of() : counted.missingChange(model.profile()))
        .optUnseenShare(counted == null ? Map.of() : counted.unseenShare(model.profile()))
        .optPredictionPsi(predictionPsi(totals.value(), model.predictions()))
        .setSeconds(seconds)
        .setOutputUri(request.outputUri())
        .setModelVersion(request.modelVersion())
        .optShadow(comparison[0])
        .build();
  }

  /**
   * A shadow scores the champion's rows after the champion's transform steps, with its own fitted
   * feature pipeline over its own raw columns (which may be others than the champion's), so it must
   * predict the same kind of thing and transform the rows the same way.
   */
  private static void requireComparable(
      ScoringRequest request, FeatureManifest champion, FeatureManifest shadow) {
    List<String> problems = new ArrayList<>();
    if (champion.kind() != shadow.kind()) {
      problems.add("it is " + shadow.task() + ", the champion " + champion.task());
    } else if (champion.kind() != TrainingTask.Kind.REGRESSION
        && !champion.labels().equals(shadow.labels())) {
      problems.add(
          "it predicts the classes " + shadow.labels() + ", the champion " + champion.labels());
    }
    if (!champion.transformOrNone().steps().equals(shadow.transformOrNone().steps())) {
      problems.add(
          "its transform steps are "
              + shadow.transformOrNone().steps()
              + ", the champion's "
              + champion.transformOrNone().steps()
              + " (a shadow scores the rows the champion's steps made)");
    }
    if (!problems.isEmpty()) {
      throw new DataInputException(shadowRefused(request, String.join("; ", problems)));
    }
  }

  /** Why {@code request}'s shadow cannot be scored beside its champion, naming both. */
  private static String shadowRefused(ScoringRequest request, String why) {
    ShadowModel s = request.shadow();
    return "cannot score '"
        + s.modelName()
        + "' version "
        + s.modelVersion()
        + " as a shadow of '"
        + request.modelName()
        + "' version "
        + request.modelVersion()
        + ": "
        + why
        + ". Choose a shadow version of the same task and classes, trained with the same"
        + " transform steps (its features and their encodings may differ)";
  }

  /** {@code first}, then the values of {@code second} it lacks. */
  private static List<String> union(List<String> first, List<String> second) {
    Set<String> all = new LinkedHashSet<>(first);
    all.addAll(second);
    return List.copyOf(all);
  }

  /**
   * The shadow's part of the scoring function: its compiled pipeline, classes, names, and where its
   * raw features sit among the input's columns.
   */
  private static PartitionScorer.Shadow shadowOf(
      SparkSession spark,
      ScoringRequest request,
      ShadowModel shadow,
      ModelFolder folder,
      String location,
      boolean regression,
      List<String> numericIn,
      List<String> categoricalIn) {
    FeatureManifest manifest = folder.manifest();
    CompiledFeatures compiled =
        CompiledFeatures.compile(
            FeatureJob.featureStages(PipelineStages.load(spark, folder.pipelineUri()), manifest),
            manifest);
    if (compiled == null) {
      throw new DataInputException(shadowRefused(request, notCompiled(manifest, "its")));
    }
    return new PartitionScorer.Shadow(
        location,
        compiled,
        regression ? null : manifest.labels().toArray(String[]::new),
        new String[] {shadow.modelName(), shadow.modelVersion()},
        manifest.numeric().stream().mapToInt(numericIn::indexOf).toArray(),
        manifest.categorical().stream().mapToInt(categoricalIn::indexOf).toArray());
  }

  /**
   * Why a model's feature pipeline does not compile, for a shadow run's refusal: shadow scoring
   * computes both models' features in the scoring function, from the raw columns.
   */
  private static String notCompiled(FeatureManifest manifest, String whose) {
    Map<String, ?> encodings = manifest.transformOrNone().encodings();
    return encodings == null || encodings.isEmpty()
        ? whose
            + " feature pipeline is not in this Trainyard's feature job shape (saved by another"
            + " version?); retrain it"
        : whose
            + " categories are encoded "
            + encodings
            + " by a SQL stage of its pipeline, which shadow scoring does not run; a shadow and"
            + " its champion need one-hot (default) encodings";
  }

  /** The quarantine's columns: the input's and {@code reason}. */
  private static StructType quarantineSchema(StructType input) {
    return input.add(REASON, DataTypes.StringType, true);
  }

  /** True when {@code outputUri} already holds a published output ({@code _SUCCESS}). */
  public static boolean isPublished(SparkSession spark, String outputUri) {
    return Outputs.isPublished(spark, outputUri);
  }

  // ---- scoring

  /**
   * The output rows: the input narrowed to keys, check results and features, scored partition by
   * partition ({@link PartitionScorer}), which counts everything the report needs into {@code
   * totals} while the output is written.
   */
  private static Dataset<Row> scored(
      SparkSession spark,
      Dataset<Row> raw,
      List<InputChecks.Check> checks,
      ScoringRequest request,
      ModelFolder model,
      String modelLocation,
      boolean shipped,
      ScoringTotals.Accumulator totals,
      PartitionScorer.Shadow shadow,
      List<String> numericIn,
      List<String> categoricalIn) {
    FeatureManifest manifest = model.manifest();
    StructType schema = raw.schema();
    Transformer[] featureStages =
        FeatureJob.featureStages(PipelineStages.load(spark, model.pipelineUri()), manifest);
    CompiledFeatures compiled = CompiledFeatures.compile(featureStages, manifest);
    if (shadow != null && compiled == null) {
      throw new DataInputException(shadowRefused(request, notCompiled(manifest, "the champion's")));
    }
    List<Column> checked = new ArrayList<>();
    for (int i = 0; i < checks.size(); i++) {
      checked.add(checks.get(i).failed().as(FeatureJob.WORK + "check" + i));
    }
    Dataset<Row> rows;
    if (compiled != null) {
      // The version's fitted pipeline as arithmetic inside the scoring function: the raw
      // feature values go in.
      rows = raw.select(scoringInput(request, manifest, numericIn, categoricalIn, checked, false));
    } else {
      // The pipeline itself, on every row: a flagged row's values are nulled first (nulls are
      // valid pipeline input, NaN or junk may not be), and the scoring function drops it.
      Column scoreable = lit(true);
      for (InputChecks.Check check : checks) {
        scoreable = scoreable.and(not(check.failed()));
      }
      List<Column> base = new ArrayList<>(checked);
      for (var c : prepared(schema, request, manifest).entrySet()) {
        base.add(when(scoreable, c.getValue()).as(c.getKey()));
      }
      // Term-count vectors stay as they are: the assembler refuses a null vector, and a flagged
      // row is dropped after scoring anyway.
      for (var text : manifest.transformOrNone().texts()) {
        base.add(col(InputData.quoted(text.outputColumn())));
      }
      rows = raw.select(base.toArray(Column[]::new));
    }
    if (request.partitions() != null) {
      rows = rows.repartition(request.partitions());
    }
    if (compiled == null) {
      // The rows went through the transform steps already: only the feature stages remain.
      Dataset<Row> withFeatures =
          manifest.transformOrNone().steps().isEmpty()
              ? FeatureJob.applyPipelineAsVectors(spark, model.pipelineUri(), rows)
              : new PipelineModel(Identifiable.randomUID("features"), featureStages)
                  .transform(rows);
      rows =
          withFeatures.select(
              scoringInput(request, manifest, numericIn, categoricalIn, checked, true));
    }

    boolean regression = manifest.kind() == TrainingTask.Kind.REGRESSION;
    List<StructField> fields = new ArrayList<>();
    DataType[] keyTypes = new DataType[request.keyColumns().size()];
    for (int k = 0; k < keyTypes.length; k++) {
      StructField key = schema.apply(request.keyColumns().get(k));
      fields.add(key);
      keyTypes[k] = key.dataType();
    }
    fields.add(
        DataTypes.createStructField(
            PREDICTION, regression ? DataTypes.DoubleType : DataTypes.StringType, false));
    fields.add(probabilities(PROBABILITIES, regression ? null : manifest.labels()));
    for (String constant : List.of(MODEL_NAME, MODEL_VERSION, SCORING_RUN_ID)) {
      fields.add(DataTypes.createStructField(constant, DataTypes.StringType, false));
    }
    if (shadow != null) {
      fields.add(
          DataTypes.createStructField(
              ShadowComparison.SHADOW_PREDICTION,
              regression ? DataTypes.DoubleType : DataTypes.StringType,
              false));
      fields.add(
          probabilities(
              ShadowComparison.SHADOW_PROBABILITIES,
              shadow.labels() == null ? null : List.of(shadow.labels())));
      for (String constant :
          List.of(ShadowComparison.SHADOW_MODEL_NAME, ShadowComparison.SHADOW_MODEL_VERSION)) {
        fields.add(DataTypes.createStructField(constant, DataTypes.StringType, false));
      }
    }
    PartitionScorer scorer =
        new PartitionScorer(
            modelLocation,
            shipped,
            request.batchSize(),
            keyTypes,
            checks.size(),
            numericIn.size(),
            categoricalIn.stream().map(c -> schema.apply(c).dataType()).toArray(DataType[]::new),
            regression ? null : manifest.labels().toArray(String[]::new),
            compiled,
            new String[] {request.modelName(), request.modelVersion(), request.scoringRunId()},
            totals,
            shadow);
    // Internal rows in and out of the scoring function: see PartitionScorer.
    RDD<InternalRow> output = rows.queryExecution().toRdd().toJavaRDD().mapPartitions(scorer).rdd();
    return ((org.apache.spark.sql.classic.SparkSession) spark)
        .internalCreateDataFrame(output, DataTypes.createStructType(fields), false);
  }

  /**
   * A probabilities column whose metadata names the class of each position ({@link
   * #CLASSES_METADATA}), so a reader of the output (realized performance) knows which probability
   * is which class without the model.
   */
  private static StructField probabilities(String name, List<String> classes) {
    Metadata metadata =
        classes == null
            ? Metadata.empty()
            : new MetadataBuilder()
                .putStringArray(CLASSES_METADATA, classes.toArray(String[]::new))
                .build();
    return DataTypes.createStructField(
        name, new ArrayType(DataTypes.DoubleType, false), true, metadata);
  }

  /**
   * The scoring function's input columns (see {@link PartitionScorer}): keys, check results,
   * numeric features as double, categorical features, then (pipeline) the feature vector. The
   * numeric and categorical columns are the champion's features, then a shadow's others: those the
   * champion's checks do not cover, so a value there that is not a finite number counts as missing
   * for the shadow instead of sending the row to the quarantine (the champion's output stays as
   * without a shadow).
   */
  private static Column[] scoringInput(
      ScoringRequest request,
      FeatureManifest manifest,
      List<String> numericIn,
      List<String> categoricalIn,
      List<Column> checked,
      boolean afterPipeline) {
    List<Column> input = new ArrayList<>();
    for (String key : request.keyColumns()) {
      input.add(col(InputData.quoted(key)));
    }
    for (int i = 0; i < checked.size(); i++) {
      input.add(afterPipeline ? col(FeatureJob.WORK + "check" + i) : checked.get(i));
    }
    for (int j = 0; j < numericIn.size(); j++) {
      Column x = col(InputData.quoted(numericIn.get(j))).try_cast("double");
      if (!manifest.numeric().contains(numericIn.get(j))) {
        x =
            when(
                    isnan(x)
                        .or(x.equalTo(lit(Double.POSITIVE_INFINITY)))
                        .or(x.equalTo(lit(Double.NEGATIVE_INFINITY))),
                    lit(null).cast("double"))
                .otherwise(x);
      }
      input.add(x.as(FeatureJob.WORK + "n" + j));
    }
    for (int j = 0; j < categoricalIn.size(); j++) {
      input.add(col(InputData.quoted(categoricalIn.get(j))).as(FeatureJob.WORK + "c" + j));
    }
    if (afterPipeline) {
      input.add(col("features"));
    }
    return input.toArray(Column[]::new);
  }

  /**
   * The key and feature columns as the pipeline takes them; numeric features held as strings become
   * doubles (blank strings become null, which the pipeline fills with the training median).
   */
  private static Map<String, Column> prepared(
      StructType schema, ScoringRequest request, FeatureManifest manifest) {
    Set<String> names = new LinkedHashSet<>(request.keyColumns());
    names.addAll(manifest.numeric());
    names.addAll(manifest.categorical());
    Map<String, Column> columns = new LinkedHashMap<>();
    for (String name : names) {
      Column c = col(InputData.quoted(name));
      if (manifest.numeric().contains(name)
          && !request.keyColumns().contains(name)
          && schema.apply(name).dataType() instanceof StringType) {
        c = c.try_cast("double");
      }
      columns.put(name, c);
    }
    return columns;
  }

  /**
   * Prediction drift: the PSI of the scored rows' predictions (classes, or regression's reference
   * bins) against the model's test-split predictions; null without a reference or scored rows.
   */
  static Double predictionPsi(ScoringTotals totals, PredictionReference reference) {
    long[] counts = totals.classes != null ? totals.classes : totals.predictionBins;
    if (reference == null || counts == null || totals.scored == 0) {
      return null;
    }
    double[] actual = new double[counts.length];
    for (int i = 0; i < counts.length; i++) {
      actual[i] = (double) counts[i] / totals.scored;
    }
    return PopulationStability.psi(reference.shares(), actual);
  }

  /** Scored rows and the prediction distribution. */
  private record Distribution(long scored, Map<String, Double> shares) {
    private static final double[] QUANTILES = {0.05, 0.5, 0.95};

    static Distribution of(ScoringTotals totals, FeatureManifest manifest) {
      long scored = totals.scored;
      Map<String, Double> shares = new LinkedHashMap<>();
      if (scored == 0) {
        return new Distribution(0, shares);
      }
      if (manifest.kind() == TrainingTask.Kind.REGRESSION) {
        double[] p = totals.percentiles(QUANTILES);
        shares.put("p05", p[0]);
        shares.put("p50", p[1]);
        shares.put("p95", p[2]);
        shares.put("mean", totals.sum / scored);
      } else {
        List<String> labels = manifest.labels();
        for (int i = 0; i < labels.size(); i++) {
          shares.put(labels.get(i), (double) totals.classes[i] / scored);
        }
      }
      return new Distribution(scored, shares);
    }
  }
}
