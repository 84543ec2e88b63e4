package dev.trainyard.spark;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.percentile_approx;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.TaskCompletionListener;
import scala.jdk.javaapi.CollectionConverters;

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
 * <p>One pass over the input, nothing cached: the row and per-reason counts, PSI bin counts and the
 * prediction distribution are observed ({@link Observation}) while the output is written, so only
 * those aggregates reach the driver and memory does not grow with the input.
 *
 * <p>The model files: in local mode executors share the driver's file system and load {@code
 * modelDir/djl} directly. On a cluster the driver zips {@code djl/} and ships it with {@code
 * SparkContext.addArchive} (a local directory cannot go through {@code addFile} outside local
 * mode); each task loads it from {@link SparkFiles}. The archive stays in the driver's temporary
 * directory until the JVM exits. The feature pipeline is loaded on the driver only (its stages
 * travel inside the query plan). The model is also loaded once on the driver, to check that its
 * task, width and classes match {@code features.json}.
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

  private static final String FLAG = FeatureJob.WORK + "reason";
  private static final int QUANTILE_ACCURACY = 10_000;
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
    // One read of the input: the row and quarantine counts, the drift aggregates and the
    // prediction distribution are all observed while the output is written. Nothing is cached,
    // so memory does not grow with the input (rows stream through each task).
    Dataset<Row> flagged = raw.withColumn(FLAG, reason(checks));
    Observation inputMetrics = new Observation();
    Dataset<Row> counted = Counts.observe(flagged, checks, inputMetrics);
    Dataset<Row> valid = prepared(counted.where(col(FLAG).isNull()), schema, request, manifest);
    Observation driftMetrics = new Observation();
    DataValidation.PsiAggregates drift =
        model.profile() == null
            ? null
            : DataValidation.psiAggregates(
                valid.schema(), manifest.numeric(), manifest.categorical(), model.profile());
    if (drift != null && !drift.columns().isEmpty()) {
      Column[] aggregates = drift.columns().toArray(Column[]::new);
      valid =
          valid.observe(
              driftMetrics, aggregates[0], Arrays.copyOfRange(aggregates, 1, aggregates.length));
    } else {
      drift = null;
    }

    String modelLocation = model.djl().toString();
    if (shipModel) {
      Path archive = zip(model.djl());
      spark.sparkContext().addArchive(archive.toString());
      modelLocation = archive.getFileName().toString();
    }
    Dataset<Row> scored = predictions(spark, valid, request, model, modelLocation, shipModel);
    Observation outputMetrics = new Observation();
    Dataset<Row> observed = Distribution.observe(scored, manifest, outputMetrics);

    Counts[] counts = new Counts[1];
    Outputs.publish(
        spark,
        request.outputUri(),
        staging -> {
          InputData.action(
              request.input(),
              () -> {
                observed.write().parquet(staging);
                return null;
              });
          // Checked before the output is moved into place: over the limit, nothing is published.
          counts[0] = Counts.of(inputMetrics.getRow(), checks);
          counts[0].requireWithinLimit(request);
          // The quarantine is published before the output, so a reader who sees the output
          // finds its quarantine too. Only a run with quarantined rows reads the input again.
          Outputs.publish(
              spark,
              request.quarantineUri(),
              q ->
                  (counts[0].quarantined == 0
                          ? spark.createDataFrame(List.of(), flagged.schema())
                          : flagged.where(col(FLAG).isNotNull()))
                      .withColumnRenamed(FLAG, REASON)
                      .write()
                      .parquet(q));
        });
    Distribution distribution = Distribution.of(outputMetrics.getRow(), manifest);
    Map<String, Double> psi = drift == null ? Map.of() : drift.psi(driftMetrics.getRow());
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

  /** Row and per-reason counts in one aggregate. */
  private static final class Counts {
    long rows;
    long quarantined;
    final Map<String, Long> reasons = new LinkedHashMap<>();

    /** The input with its row count and per-reason counts attached as observed metrics. */
    static Dataset<Row> observe(Dataset<Row> flagged, List<Check> checks, Observation metrics) {
      List<Column> aggregates = new ArrayList<>();
      aggregates.add(count_if(col(FLAG).isNotNull()).as("quarantined"));
      for (int i = 0; i < checks.size(); i++) {
        aggregates.add(count_if(checks.get(i).failed()).as("check" + i));
      }
      return flagged.observe(metrics, count(lit(1)).as("rows"), aggregates.toArray(Column[]::new));
    }

    static Counts of(Row row, List<Check> checks) {
      Counts counts = new Counts();
      counts.rows = row.getLong(row.fieldIndex("rows"));
      counts.quarantined = row.getLong(row.fieldIndex("quarantined"));
      for (int i = 0; i < checks.size(); i++) {
        long n = row.getLong(row.fieldIndex("check" + i));
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
   * Scoreable rows narrowed to the key and feature columns; numeric features held as strings become
   * doubles (blank strings become null, which the pipeline fills with the training median).
   */
  private static Dataset<Row> prepared(
      Dataset<Row> rows, StructType schema, ScoringRequest request, FeatureManifest manifest) {
    Set<String> names = new LinkedHashSet<>(request.keyColumns());
    names.addAll(manifest.numeric());
    names.addAll(manifest.categorical());
    List<Column> columns = new ArrayList<>();
    for (String name : names) {
      Column c = col(InputData.quoted(name));
      if (manifest.numeric().contains(name)
          && !request.keyColumns().contains(name)
          && schema.apply(name).dataType() instanceof StringType) {
        c = c.try_cast("double").as(name);
      }
      columns.add(c);
    }
    return rows.select(columns.toArray(Column[]::new));
  }

  private static Dataset<Row> predictions(
      SparkSession spark,
      Dataset<Row> valid,
      ScoringRequest request,
      ModelFolder model,
      String modelLocation,
      boolean shipped) {
    Dataset<Row> rows =
        request.partitions() == null ? valid : valid.repartition(request.partitions());
    FeatureManifest manifest = model.manifest();
    CompiledFeatures compiled =
        CompiledFeatures.compile(PipelineModel.load(model.pipelineUri()), manifest);
    List<Column> input = new ArrayList<>();
    List<StructField> fields = new ArrayList<>();
    for (String key : request.keyColumns()) {
      input.add(col(InputData.quoted(key)));
      fields.add(valid.schema().apply(key));
    }
    Dataset<Row> withFeatures;
    if (compiled != null) {
      // The version's fitted pipeline as arithmetic inside the predict function: the raw
      // feature values go in, in the manifest's order.
      withFeatures = rows;
      for (int j = 0; j < manifest.numeric().size(); j++) {
        input.add(
            col(InputData.quoted(manifest.numeric().get(j)))
                .try_cast("double")
                .as(FeatureJob.WORK + "n" + j));
      }
      for (int j = 0; j < manifest.categorical().size(); j++) {
        input.add(
            col(InputData.quoted(manifest.categorical().get(j))).as(FeatureJob.WORK + "c" + j));
      }
    } else {
      withFeatures = FeatureJob.applyPipelineAsVectors(spark, model.pipelineUri(), rows);
      input.add(col("features"));
    }
    boolean regression = model.manifest().task().equals(FeatureColumns.REGRESSION);
    fields.add(
        DataTypes.createStructField(
            PREDICTION, regression ? DataTypes.DoubleType : DataTypes.StringType, false));
    fields.add(
        DataTypes.createStructField(
            PROBABILITIES, new ArrayType(DataTypes.DoubleType, false), true));
    Predict predict =
        new Predict(
            modelLocation,
            shipped,
            request.batchSize(),
            request.keyColumns().size(),
            regression ? null : model.manifest().labels().toArray(String[]::new),
            compiled);
    return withFeatures
        .select(input.toArray(Column[]::new))
        .mapPartitions(predict, Encoders.row(DataTypes.createStructType(fields)))
        .withColumn(MODEL_NAME, lit(request.modelName()))
        .withColumn(MODEL_VERSION, lit(request.modelVersion()))
        .withColumn(SCORING_RUN_ID, lit(request.scoringRunId()));
  }

  /**
   * One {@link SavedModel} per partition, loaded when the partition has rows and closed when it is
   * done (or when the task ends, whichever comes first).
   */
  static final class Predict implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final String model;
    private final boolean shipped;
    private final int batchSize;
    private final int keys;
    private final String[] labels;
    private final CompiledFeatures features;

    /**
     * @param model the {@code djl/} folder, or (shipped) the archive's name in {@link SparkFiles}
     * @param labels class values by index; null for regression
     * @param features the compiled feature pipeline, reading raw values after the keys; null: the
     *     column after the keys holds the pipeline's feature vector
     */
    Predict(
        String model,
        boolean shipped,
        int batchSize,
        int keys,
        String[] labels,
        CompiledFeatures features) {
      this.model = model;
      this.shipped = shipped;
      this.batchSize = batchSize;
      this.keys = keys;
      this.labels = labels;
      this.features = features;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      if (!rows.hasNext()) {
        return Collections.emptyIterator();
      }
      Path dir = shipped ? Path.of(SparkFiles.get(model)) : Path.of(model);
      Batches batches = new Batches(rows, SavedModel.load(dir), this);
      TaskContext task = TaskContext.get();
      if (task != null) {
        task.addTaskCompletionListener((TaskCompletionListener) context -> batches.close());
      }
      return batches;
    }
  }

  /** Reads {@code batchSize} rows, predicts them in one call, hands them out, repeats. */
  private static final class Batches implements Iterator<Row> {
    private final Iterator<Row> rows;
    private final Predict spec;
    private final ArrayDeque<Row> ready = new ArrayDeque<>();
    private SavedModel model;

    Batches(Iterator<Row> rows, SavedModel model, Predict spec) {
      this.rows = rows;
      this.model = model;
      this.spec = spec;
    }

    @Override
    public boolean hasNext() {
      if (!ready.isEmpty()) {
        return true;
      }
      if (model == null || !rows.hasNext()) {
        close();
        return false;
      }
      fill();
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return ready.poll();
    }

    private void fill() {
      List<Row> batch = new ArrayList<>(spec.batchSize);
      while (batch.size() < spec.batchSize && rows.hasNext()) {
        batch.add(rows.next());
      }
      float[][] features = new float[batch.size()][];
      for (int i = 0; i < features.length; i++) {
        if (spec.features != null) {
          float[] row = new float[spec.features.width()];
          spec.features.fill(batch.get(i), spec.keys, row);
          features[i] = row;
          continue;
        }
        double[] values = ((Vector) batch.get(i).get(spec.keys)).toArray();
        float[] row = new float[values.length];
        for (int j = 0; j < row.length; j++) {
          row[j] = (float) values[j];
        }
        features[i] = row;
      }
      float[][] predictions = model.predict(features);
      for (int i = 0; i < predictions.length; i++) {
        Object[] out = new Object[spec.keys + 2];
        Row in = batch.get(i);
        for (int k = 0; k < spec.keys; k++) {
          out[k] = in.get(k);
        }
        float[] p = predictions[i];
        if (spec.labels == null) {
          out[spec.keys] = (double) p[0];
          out[spec.keys + 1] = null;
        } else {
          int best = 0;
          List<Double> probabilities = new ArrayList<>(p.length);
          for (int c = 0; c < p.length; c++) {
            probabilities.add((double) p[c]);
            if (p[c] > p[best]) {
              best = c;
            }
          }
          out[spec.keys] = spec.labels[best];
          // The row encoder takes a Scala Seq for an array column.
          out[spec.keys + 1] = CollectionConverters.asScala(probabilities);
        }
        ready.add(RowFactory.create(out));
      }
    }

    synchronized void close() {
      if (model != null) {
        model.close();
        model = null;
      }
    }
  }

  /** Scored rows and the prediction distribution, observed while the output is written. */
  private record Distribution(long scored, Map<String, Double> shares) {
    private static final String ROWS = "rows";
    private static final Map<String, Double> QUANTILES = quantiles();

    private static Map<String, Double> quantiles() {
      Map<String, Double> q = new LinkedHashMap<>();
      q.put("p05", 0.05);
      q.put("p50", 0.5);
      q.put("p95", 0.95);
      return q;
    }

    /** The output with aggregate metrics attached: rows, then per class or per quantile. */
    static Dataset<Row> observe(
        Dataset<Row> output, FeatureManifest manifest, Observation observation) {
      Column p = col(PREDICTION);
      List<Column> metrics = new ArrayList<>();
      if (manifest.task().equals(FeatureColumns.REGRESSION)) {
        QUANTILES.forEach(
            (name, q) ->
                metrics.add(percentile_approx(p, lit(q), lit(QUANTILE_ACCURACY)).as(name)));
        metrics.add(avg(p).as("mean"));
      } else {
        List<String> labels = manifest.labels();
        for (int i = 0; i < labels.size(); i++) {
          metrics.add(count_if(p.equalTo(labels.get(i))).as("class" + i));
        }
      }
      return output.observe(observation, count(lit(1)).as(ROWS), metrics.toArray(Column[]::new));
    }

    static Distribution of(Row metrics, FeatureManifest manifest) {
      long scored = metrics.getLong(metrics.fieldIndex(ROWS));
      Map<String, Double> shares = new LinkedHashMap<>();
      if (scored == 0) {
        return new Distribution(0, shares);
      }
      if (manifest.task().equals(FeatureColumns.REGRESSION)) {
        for (String name : List.of("p05", "p50", "p95", "mean")) {
          shares.put(name, metrics.getDouble(metrics.fieldIndex(name)));
        }
      } else {
        List<String> labels = manifest.labels();
        for (int i = 0; i < labels.size(); i++) {
          shares.put(
              labels.get(i), (double) metrics.getLong(metrics.fieldIndex("class" + i)) / scored);
        }
      }
      return new Distribution(scored, shares);
    }
  }
}
