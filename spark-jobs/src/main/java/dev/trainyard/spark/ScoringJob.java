package dev.trainyard.spark;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import dev.trainyard.training.SavedModel;
import dev.trainyard.training.TrainingTask;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.spark.SparkFiles;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
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
 * rows per failed check, PSI bins ({@link DriftBins}) and the prediction distribution while the
 * output is written, into a {@link ScoringTotals} accumulator, so only those aggregates reach the
 * driver and memory does not grow with the input.
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
 * <p>PyTorch: every task runs its own model, so give PyTorch one intra-op thread per task ({@code
 * -Dai.djl.pytorch.num_threads=1}, before the engine starts); the tests do.
 */
public final class ScoringJob {
  public static final String PREDICTION = "prediction";
  public static final String PROBABILITIES = "probabilities";
  public static final String MODEL_NAME = "model_name";
  public static final String MODEL_VERSION = "model_version";
  public static final String SCORING_RUN_ID = "scoring_run_id";

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

  private static final int REASONS_IN_MESSAGE = 3;

  private ScoringJob() {}

  public static ScoringReport score(SparkSession spark, ScoringRequest request) {
    return score(spark, request, !spark.sparkContext().isLocal());
  }

  /**
   * @param shipModel ship {@code djl/} to the executors through {@code addArchive} instead of
   *     reading it from {@code modelDir} (needed on a cluster; optional in local mode)
   */
  static ScoringReport score(SparkSession spark, ScoringRequest request, boolean shipModel) {
    long start = System.nanoTime();
    Outputs.checkWritable(spark, request.outputUri(), "output");
    Outputs.checkWritable(spark, request.quarantineUri(), "quarantine");
    ModelFolder model = ModelFolder.open(request);
    FeatureManifest manifest = model.manifest();
    Dataset<Row> raw = InputData.read(spark, request.input());
    StructType schema = raw.schema();
    checkColumns(schema, request, manifest);
    List<Check> checks = checks(schema, request, manifest);
    String modelLocation = model.djl().toString();
    if (shipModel) {
      Path archive = zip(model.djl());
      spark.sparkContext().addArchive(archive.toString());
      modelLocation = archive.getFileName().toString();
    }
    // One read of the input: the scoring function counts rows, failed checks, drift bins and
    // predictions while the output is written (ScoringTotals, through an accumulator). Nothing is
    // cached, so memory does not grow with the input (rows stream through each task).
    boolean regression = manifest.task().equals(FeatureColumns.REGRESSION);
    DriftBins drift =
        model.profile() == null
            ? null
            : DriftBins.of(model.profile(), manifest.numeric(), manifest.categorical());
    ScoringTotals.Accumulator totals =
        new ScoringTotals.Accumulator(
            new ScoringTotals(checks.size(), regression ? 0 : manifest.labels().size(), drift));
    // Unnamed: the Spark UI lists named accumulators' values, and this one's is no number.
    spark.sparkContext().register(totals);
    String location = modelLocation;

    Counts[] counts = new Counts[1];
    Outputs.publish(
        spark,
        request.outputUri(),
        staging -> {
          InputData.action(
              request.input(),
              () -> {
                scored(spark, raw, checks, request, model, location, shipModel, totals)
                    .write()
                    .parquet(staging);
                return null;
              });
          // Checked before the output is moved into place: over the limit, nothing is published.
          counts[0] = Counts.of(totals.value(), checks);
          counts[0].requireWithinLimit(request);
          // The quarantine is published before the output, so a reader who sees the output
          // finds its quarantine too. Only a run with quarantined rows reads the input again.
          Outputs.publish(
              spark,
              request.quarantineUri(),
              q ->
                  (counts[0].quarantined == 0
                          ? spark.createDataFrame(List.of(), quarantineSchema(schema))
                          : raw.withColumn(REASON, reason(checks)).where(col(REASON).isNotNull()))
                      .write()
                      .parquet(q));
        });
    Distribution distribution = Distribution.of(totals.value(), manifest);
    Map<String, Double> psi = drift == null ? Map.of() : totals.value().drift.psi(model.profile());
    double seconds = (System.nanoTime() - start) / 1e9;
    return new ScoringReport(
        counts[0].rows,
        distribution.scored(),
        counts[0].quarantined,
        counts[0].reasons,
        distribution.shares(),
        psi,
        seconds,
        seconds > 0 ? counts[0].rows / seconds : 0,
        request.outputUri(),
        request.modelVersion());
  }

  /** The quarantine's columns: the input's and {@code reason}. */
  private static StructType quarantineSchema(StructType input) {
    return input.add(REASON, DataTypes.StringType, true);
  }

  /** True when {@code outputUri} already holds a published output ({@code _SUCCESS}). */
  public static boolean isPublished(SparkSession spark, String outputUri) {
    return Outputs.isPublished(spark, outputUri);
  }

  // ---- the model folder

  /** The files of one downloaded model version. */
  private record ModelFolder(
      Path dir, Path djl, String pipelineUri, FeatureManifest manifest, DataProfile profile) {

    static ModelFolder open(ScoringRequest request) {
      Path dir = localPath(request.modelDir());
      String what = "model '" + request.modelName() + "' version " + request.modelVersion();
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException(
            "model folder " + dir + " of " + what + " does not exist: download the version first");
      }
      List<String> missing = new ArrayList<>();
      for (String file :
          List.of(DJL + "/model-spec.json", FEATURE_PIPELINE + "/metadata", FEATURES_JSON)) {
        if (!Files.exists(dir.resolve(file))) {
          missing.add(file);
        }
      }
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException(
            "model folder "
                + dir
                + " of "
                + what
                + " lacks "
                + missing
                + "; scoring needs djl/ (DJL parameters + model-spec.json), feature-pipeline/"
                + " (the fitted Spark pipeline) and features.json, as a model version's artifacts"
                + " hold them");
      }
      FeatureManifest manifest;
      DataProfile profile = null;
      try {
        manifest = FeatureManifest.fromJson(Files.readString(dir.resolve(FEATURES_JSON)));
        if (Files.exists(dir.resolve(PROFILE))) {
          profile = DataProfile.fromJson(Files.readString(dir.resolve(PROFILE)));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the model folder " + dir, e);
      }
      Path djl = dir.resolve(DJL);
      // Load once on the driver: a folder whose parts do not belong together fails here, with a
      // message, instead of in every task.
      try (SavedModel model = SavedModel.load(djl)) {
        TrainingTask task = model.task();
        List<String> problems = new ArrayList<>();
        if (!task.task().toString().equals(manifest.task())) {
          problems.add("the model is " + task.task() + ", features.json says " + manifest.task());
        }
        if (task.numFeatures() != manifest.numFeatures()) {
          problems.add(
              "the model takes "
                  + task.numFeatures()
                  + " features, the pipeline makes "
                  + manifest.numFeatures());
        }
        if (task.task() != TrainingTask.Kind.REGRESSION
            && task.numClasses() != manifest.labels().size()) {
          problems.add(
              "the model predicts "
                  + task.numClasses()
                  + " classes, features.json lists "
                  + manifest.labels().size()
                  + " labels");
        }
        if (!problems.isEmpty()) {
          throw new IllegalArgumentException(
              "model folder "
                  + dir
                  + " of "
                  + what
                  + " mixes files of different models: "
                  + String.join("; ", problems));
        }
      }
      return new ModelFolder(
          dir, djl, dir.resolve(FEATURE_PIPELINE).toUri().toString(), manifest, profile);
    }
  }

  static Path localPath(String dir) {
    return dir.startsWith("file:") ? Path.of(URI.create(dir)) : Path.of(dir);
  }

  /**
   * {@code djl/} as a zip in a fresh temporary directory, named uniquely for {@link SparkFiles}. It
   * stays until the JVM exits: every later task of the session lists the archive, and an executor
   * that joins later fetches it from the driver.
   */
  private static Path zip(Path djl) {
    try {
      Path dir = Files.createTempDirectory("trainyard-scoring-");
      Path zip = dir.resolve(dir.getFileName() + "-model.zip");
      dir.toFile().deleteOnExit();
      zip.toFile().deleteOnExit();
      try (OutputStream file = Files.newOutputStream(zip);
          ZipOutputStream out = new ZipOutputStream(file);
          Stream<Path> files = Files.walk(djl)) {
        for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
          out.putNextEntry(new ZipEntry(djl.relativize(f).toString().replace('\\', '/')));
          Files.copy(f, out);
          out.closeEntry();
        }
      }
      return zip;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot pack " + djl + " for the executors", e);
    }
  }

  // ---- input checks

  private static void checkColumns(
      StructType schema, ScoringRequest request, FeatureManifest manifest) {
    String uri = request.input().uri();
    String what = "model '" + request.modelName() + "' version " + request.modelVersion();
    List<String> existing = Arrays.asList(schema.fieldNames());
    Set<String> needed = new LinkedHashSet<>(request.keyColumns());
    needed.addAll(manifest.numeric());
    needed.addAll(manifest.categorical());
    InputData.Absent absent = InputData.absent(existing, needed);
    List<String> missing = absent.columns();
    List<String> hints = absent.hints();
    if (!missing.isEmpty()) {
      throw new DataInputException(
          "dataset "
              + uri
              + " lacks "
              + (missing.size() == 1 ? "a column" : missing.size() + " columns")
              + " that "
              + what
              + " needs: "
              + missing
              + ". Columns in the data: "
              + existing
              + (hints.isEmpty() ? "" : ". Case differs: " + String.join(", ", hints))
              + ". The model was trained on numeric "
              + manifest.numeric()
              + " and categorical "
              + manifest.categorical()
              + (request.keyColumns().isEmpty()
                  ? ""
                  : "; the request names keys " + request.keyColumns())
              + ".");
    }
    List<String> problems = new ArrayList<>();
    for (String column : manifest.numeric()) {
      DataType type = schema.apply(column).dataType();
      if (!(type instanceof NumericType) && !(type instanceof StringType)) {
        problems.add(
            "numeric feature '"
                + column
                + "' has type "
                + type.simpleString()
                + ", expected a number (int, bigint, float, double, decimal) or a string holding"
                + " numbers");
      }
    }
    for (String column : manifest.categorical()) {
      DataType type = schema.apply(column).dataType();
      if (!InputData.isCategoryType(type)) {
        problems.add(
            "categorical feature '"
                + column
                + "' has type "
                + type.simpleString()
                + ", expected string, integer or boolean, as in training");
      }
    }
    if (!problems.isEmpty()) {
      throw new DataInputException(
          "dataset "
              + uri
              + " has "
              + (problems.size() == 1 ? "a column" : problems.size() + " columns")
              + " of the wrong type for "
              + what
              + ": "
              + String.join("; ", problems)
              + ". Cast it where the data is written.");
    }
    if (existing.contains(REASON)) {
      throw new DataInputException(
          "dataset "
              + uri
              + " has a column named '"
              + REASON
              + "', which the quarantine output adds to the input columns: rename it upstream");
    }
  }

  /** A reason a row cannot be scored, and the condition (never null) that finds it. */
  private record Check(String reason, Column failed) {}

  private static List<Check> checks(
      StructType schema, ScoringRequest request, FeatureManifest manifest) {
    List<Check> checks = new ArrayList<>();
    for (String key : request.keyColumns()) {
      checks.add(new Check("key '" + key + "' is null", col(InputData.quoted(key)).isNull()));
    }
    for (String column : manifest.numeric()) {
      DataType type = schema.apply(column).dataType();
      Column c = col(InputData.quoted(column));
      if (type instanceof StringType) {
        Column number = c.try_cast("double");
        checks.add(
            new Check(
                "feature '" + column + "' is not a number",
                c.isNotNull().and(trim(c).notEqual("")).and(number.isNull())));
        checks.add(new Check("feature '" + column + "' is NaN or infinite", notFinite(number)));
      } else if (InputData.isFloating(type)) {
        checks.add(
            new Check("feature '" + column + "' is NaN or infinite", notFinite(c.cast("double"))));
      }
    }
    return checks;
  }

  private static Column notFinite(Column d) {
    return coalesce(
        isnan(d)
            .or(d.equalTo(lit(Double.POSITIVE_INFINITY)))
            .or(d.equalTo(lit(Double.NEGATIVE_INFINITY))),
        lit(false));
  }

  /** Every failed check's reason, joined by {@code "; "}; null for a scoreable row. */
  private static Column reason(List<Check> checks) {
    if (checks.isEmpty()) {
      return lit(null).cast("string");
    }
    Column any = lit(false);
    List<Column> reasons = new ArrayList<>();
    for (Check check : checks) {
      any = any.or(check.failed());
      reasons.add(when(check.failed(), lit(check.reason())));
    }
    return when(any, concat_ws("; ", reasons.toArray(Column[]::new)));
  }

  /** Row and per-reason counts. */
  private static final class Counts {
    long rows;
    long quarantined;
    final Map<String, Long> reasons = new LinkedHashMap<>();

    static Counts of(ScoringTotals totals, List<Check> checks) {
      Counts counts = new Counts();
      counts.rows = totals.rows;
      counts.quarantined = totals.quarantined;
      for (int i = 0; i < checks.size(); i++) {
        long n = totals.failedChecks[i];
        if (n > 0) {
          counts.reasons.merge(checks.get(i).reason(), n, Long::sum);
        }
      }
      return counts;
    }

    void requireWithinLimit(ScoringRequest request) {
      if (rows == 0 || (double) quarantined / rows <= request.maxQuarantineFraction()) {
        return;
      }
      String reasonsText =
          reasons.entrySet().stream()
              .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
              .limit(REASONS_IN_MESSAGE)
              .map(
                  e ->
                      e.getKey()
                          + " ("
                          + e.getValue()
                          + " row"
                          + (e.getValue() == 1 ? "" : "s")
                          + ")")
              .collect(Collectors.joining(", "));
      throw new DataInputException(
          quarantined
              + " of "
              + rows
              + " rows ("
              + ValidationReport.percent((double) quarantined / rows)
              + ") of "
              + request.input().uri()
              + " could not be scored, over the limit of "
              + ValidationReport.percent(request.maxQuarantineFraction())
              + " (maxQuarantineFraction): first reasons: "
              + reasonsText
              + ". Nothing was published; fix the data upstream or raise the limit.");
    }
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
      List<Check> checks,
      ScoringRequest request,
      ModelFolder model,
      String modelLocation,
      boolean shipped,
      ScoringTotals.Accumulator totals) {
    FeatureManifest manifest = model.manifest();
    StructType schema = raw.schema();
    CompiledFeatures compiled =
        CompiledFeatures.compile(PipelineStages.load(spark, model.pipelineUri()), manifest);
    List<Column> checked = new ArrayList<>();
    for (int i = 0; i < checks.size(); i++) {
      checked.add(checks.get(i).failed().as(FeatureJob.WORK + "check" + i));
    }
    Dataset<Row> rows;
    if (compiled != null) {
      // The version's fitted pipeline as arithmetic inside the scoring function: the raw
      // feature values go in.
      rows = raw.select(scoringInput(request, manifest, schema, checked, false));
    } else {
      // The pipeline itself, on every row: a flagged row's values are nulled first (nulls are
      // valid pipeline input, NaN or junk may not be), and the scoring function drops it.
      Column scoreable = lit(true);
      for (Check check : checks) {
        scoreable = scoreable.and(not(check.failed()));
      }
      List<Column> base = new ArrayList<>(checked);
      for (var c : prepared(schema, request, manifest).entrySet()) {
        base.add(when(scoreable, c.getValue()).as(c.getKey()));
      }
      rows = raw.select(base.toArray(Column[]::new));
    }
    if (request.partitions() != null) {
      rows = rows.repartition(request.partitions());
    }
    if (compiled == null) {
      Dataset<Row> withFeatures =
          FeatureJob.applyPipelineAsVectors(spark, model.pipelineUri(), rows);
      rows = withFeatures.select(scoringInput(request, manifest, schema, checked, true));
    }

    boolean regression = manifest.task().equals(FeatureColumns.REGRESSION);
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
    fields.add(
        DataTypes.createStructField(
            PROBABILITIES, new ArrayType(DataTypes.DoubleType, false), true));
    for (String constant : List.of(MODEL_NAME, MODEL_VERSION, SCORING_RUN_ID)) {
      fields.add(DataTypes.createStructField(constant, DataTypes.StringType, false));
    }
    PartitionScorer scorer =
        new PartitionScorer(
            modelLocation,
            shipped,
            request.batchSize(),
            keyTypes,
            checks.size(),
            manifest.numeric().size(),
            manifest.categorical().stream()
                .map(c -> schema.apply(c).dataType())
                .toArray(DataType[]::new),
            regression ? null : manifest.labels().toArray(String[]::new),
            compiled,
            new String[] {request.modelName(), request.modelVersion(), request.scoringRunId()},
            totals);
    // Internal rows in and out of the scoring function: see PartitionScorer.
    RDD<InternalRow> output = rows.queryExecution().toRdd().toJavaRDD().mapPartitions(scorer).rdd();
    return ((org.apache.spark.sql.classic.SparkSession) spark)
        .internalCreateDataFrame(output, DataTypes.createStructType(fields), false);
  }

  /**
   * The scoring function's input columns (see {@link PartitionScorer}): keys, check results,
   * numeric features as double, categorical features, then (pipeline) the feature vector.
   */
  private static Column[] scoringInput(
      ScoringRequest request,
      FeatureManifest manifest,
      StructType schema,
      List<Column> checked,
      boolean afterPipeline) {
    List<Column> input = new ArrayList<>();
    for (String key : request.keyColumns()) {
      input.add(col(InputData.quoted(key)));
    }
    for (int i = 0; i < checked.size(); i++) {
      input.add(afterPipeline ? col(FeatureJob.WORK + "check" + i) : checked.get(i));
    }
    for (int j = 0; j < manifest.numeric().size(); j++) {
      input.add(
          col(InputData.quoted(manifest.numeric().get(j)))
              .try_cast("double")
              .as(FeatureJob.WORK + "n" + j));
    }
    for (int j = 0; j < manifest.categorical().size(); j++) {
      input.add(col(InputData.quoted(manifest.categorical().get(j))).as(FeatureJob.WORK + "c" + j));
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

  /** Scored rows and the prediction distribution. */
  private record Distribution(long scored, Map<String, Double> shares) {
    private static final double[] QUANTILES = {0.05, 0.5, 0.95};

    static Distribution of(ScoringTotals totals, FeatureManifest manifest) {
      long scored = totals.scored;
      Map<String, Double> shares = new LinkedHashMap<>();
      if (scored == 0) {
        return new Distribution(0, shares);
      }
      if (manifest.task().equals(FeatureColumns.REGRESSION)) {
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
