package dev.trainyard.bench;

import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;

import dev.trainyard.spark.features.FeatureJob;
import dev.trainyard.spark.features.FeatureManifest;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.spark.scoring.ScoringJob;
import dev.trainyard.spark.scoring.ScoringPaths;
import dev.trainyard.spark.scoring.ScoringReport;
import dev.trainyard.spark.scoring.ScoringRequest;
import dev.trainyard.spark.scoring.ShadowModel;
import dev.trainyard.training.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Benchmark 3: batch-scoring throughput of {@link ScoringJob} against the I/O bound (a plain Spark
 * Parquet read → write copy of the same input) and against Spark MLlib's own {@code
 * LogisticRegressionModel.transform} on the same fitted feature pipeline, in one JVM, interleaved
 * per round.
 *
 * <p>Set-up (not timed): a seeded {@link ScoringData} input of {@code rows} rows in {@code files}
 * part files and a separate training sample of {@code train-rows} rows, both cached under the data
 * folder; the feature pipeline fitted by {@link FeatureJob#fitAndWrite} on the sample, an MLP
 * trained by the training module's {@link Trainer} on its features, the sample's {@code
 * DataProfile} (so the job computes PSI), laid out as a model folder ({@code djl/}, {@code
 * feature-pipeline/}, {@code features.json}, {@code training-profile.json}); an MLlib {@link
 * LogisticRegression} fitted on the same pipeline's features of the same sample.
 *
 * <p>Each round runs, in turn:
 *
 * <ol>
 *   <li>{@code copy}: {@code spark.read.parquet(input).write.parquet(out)};
 *   <li>{@code scoring_job}: {@code ScoringJob.score(spark, request)} end to end (input checks,
 *       counts, PSI, quarantine, pipeline + DJL predict, staged publish with {@code _SUCCESS}),
 *       with the Spark jobs it ran and their times;
 *   <li>{@code mllib_lr}: the same fitted pipeline's {@code transform}, then {@code
 *       LogisticRegressionModel.transform}, written as the job's output columns (keys, {@code
 *       prediction} as the label value, {@code probabilities} array, model name/version/run id);
 *   <li>{@code predict_only}: the job's own prediction path ({@code PartitionScorer} after {@code
 *       FeatureJob.applyPipeline}) and write, without checks, counts, PSI, quarantine or staging —
 *       what the job would cost with no safety passes;
 *   <li>{@code features_only}: the pipeline alone, keys + {@code features} written;
 *   <li>{@code scoring_job_shadow} (with {@code --shadow true}, after {@code scoring_job}): the
 *       same job with a shadow model (a second copy of the model) scored in the same pass — the
 *       side-by-side output published, the champion's output written from it, the comparison
 *       computed; {@code ratios.scoring_job_vs_scoring_job_shadow_median} is its cost as a multiple
 *       of the plain job's time.
 * </ol>
 *
 * Round 0 is warm-up. Outputs are deleted before each timed run (outside the timing).
 */
public final class ScoringBench {
  private ScoringBench() {}

  static final List<String> KEYS = List.of("customer_id");
  static final List<String> ALL_VARIANTS =
      List.of("copy", "scoring_job", "mllib_lr", "predict_only", "features_only");

  /** Shadow scoring's cost, run with {@code --shadow true} (or named in {@code --variants}). */
  static final String SHADOW = "scoring_job_shadow";

  static final double TARGET = 0.5;

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv);
    long rows = Long.parseLong(args.get("rows", "5000000"));
    long trainRows = Long.parseLong(args.get("train-rows", "200000"));
    int files = args.getInt("files", 8);
    int rounds = args.getInt("rounds", 3);
    long warmupRows = Long.parseLong(args.get("warmup-rows", "0"));
    int batchSize = args.getInt("batch-size", ScoringRequest.DEFAULT_BATCH_SIZE);
    List<String> variants =
        new ArrayList<>(
            Arrays.asList(args.get("variants", String.join(",", ALL_VARIANTS)).split(",")));
    if (Boolean.parseBoolean(args.get("shadow", "false")) && !variants.contains(SHADOW)) {
      variants.add(variants.indexOf("scoring_job") + 1, SHADOW);
    }
    Path dataRoot = Path.of(args.get("data", ".trainyard/bench/data")).toAbsolutePath();
    Path work = Path.of(args.get("work", ".trainyard/bench/scoring-work")).toAbsolutePath();
    Path out = Path.of(args.get("out", "bench/target/parts/scoring.json"));
    for (String v : variants) {
      if (!ALL_VARIANTS.contains(v) && !v.equals(SHADOW)) {
        throw new IllegalArgumentException("unknown variant " + v + "; known: " + ALL_VARIANTS);
      }
    }

    List<Double> loadBefore = Machine.loadAverage();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("benchmark", "scoring_throughput");
    result.put("rows", rows);
    result.put("train_rows", trainRows);
    result.put("files", files);

    long t0 = System.nanoTime();
    SparkSession spark = SparkSessions.local();
    result.put("spark_session_start_s", seconds(t0));
    result.put("spark_master", spark.sparkContext().master());
    result.put("spark_default_parallelism", spark.sparkContext().defaultParallelism());

    Path input = dataRoot.resolve("scoring-input-" + rows + "-" + files + "files.parquet");
    Path sample = dataRoot.resolve("scoring-train-" + trainRows + ".parquet");
    if (!Files.exists(input.resolve("_SUCCESS"))) {
      System.out.println("generating " + rows + " scoring rows at " + input);
      t0 = System.nanoTime();
      ScoringData.write(spark, input.toUri().toString(), rows, files, 42, 0, 1e-4);
      System.out.printf("  %.1f s%n", seconds(t0));
      result.put("data_generation_s", seconds(t0));
    } else {
      System.out.println("using cached input " + input);
    }
    if (!Files.exists(sample.resolve("_SUCCESS"))) {
      System.out.println("generating a " + trainRows + "-row training sample at " + sample);
      ScoringData.write(spark, sample.toUri().toString(), trainRows, 2, 7, 1_000_000_000L, 0);
    }
    String inputUri = input.toUri().toString();
    String warmupUri = null;
    if (warmupRows > 0 && warmupRows != rows) {
      Path warmup = dataRoot.resolve("scoring-input-" + warmupRows + "-" + files + "files.parquet");
      if (!Files.exists(warmup.resolve("_SUCCESS"))) {
        System.out.println("generating " + warmupRows + " warm-up rows at " + warmup);
        ScoringData.write(spark, warmup.toUri().toString(), warmupRows, files, 42, 0, 1e-4);
      }
      warmupUri = warmup.toUri().toString();
      result.put("warm_up_rows", warmupRows);
    }
    result.put("input_bytes_on_disk", bytes(input));
    result.put("input_partitions", spark.read().parquet(inputUri).javaRDD().getNumPartitions());
    result.put(
        "input_columns", Arrays.asList(spark.read().parquet(inputUri).schema().fieldNames()));

    deleteTree(work);
    Files.createDirectories(work);
    t0 = System.nanoTime();
    Model model = Model.build(spark, sample, work.resolve("model-build"), work.resolve("model"));
    System.out.printf(
        "model: %d features, DJL mlp [32, 16] (validation %s), MLlib LR fitted; %.1f s%n",
        model.manifest.numFeatures(), model.validationMetrics, seconds(t0));
    result.put("model_build_s", seconds(t0));
    result.put("num_features", model.manifest.numFeatures());
    result.put(
        "model",
        "feature pipeline (Imputer, StandardScaler, StringIndexer+OneHotEncoder) fitted by"
            + " FeatureJob on the sample; DJL binary mlp [32, 16], 3 epochs, batch 512, Adam lr"
            + " 0.005, cpu; MLlib LogisticRegression (maxIter 50) on the same features");
    result.put("djl_validation_metrics", model.validationMetrics);
    result.put("batch_size", batchSize);
    result.put("torch_threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
    result.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);

    JobTimes jobs = new JobTimes();
    spark.sparkContext().addSparkListener(jobs);

    Map<String, List<Double>> times = new LinkedHashMap<>();
    variants.forEach(v -> times.put(v, new ArrayList<>()));
    Map<String, List<Map<String, Double>>> breakdowns = new LinkedHashMap<>();
    List<Double> reportSeconds = new ArrayList<>();
    ScoringReport lastReport = null;
    List<List<Double>> loads = new ArrayList<>();
    for (int round = 0; round <= rounds; round++) {
      String tag = round == 0 ? "warm-up" : "round " + round + "/" + rounds;
      // The warm-up (JIT, class loading, first Spark plans) may run on a smaller input.
      String roundInput = round == 0 && warmupUri != null ? warmupUri : inputUri;
      List<Double> load = Machine.loadAverage();
      StringBuilder line = new StringBuilder(String.format("%-12s load %s |", tag, load));
      for (String variant : variants) {
        Path target = work.resolve(variant + "-out");
        Path quarantine = work.resolve(variant + "-quarantine");
        deleteTree(target);
        deleteTree(quarantine);
        jobs.reset();
        long s = System.nanoTime();
        switch (variant) {
          case "copy" ->
              spark.read().parquet(roundInput).write().parquet(target.toUri().toString());
          case "scoring_job", SHADOW -> {
            // The shadow is a second copy of the same model (its own files, loaded and run
            // separately): the cost of a second model of the same size in the same pass.
            ShadowModel shadow =
                variant.equals(SHADOW)
                    ? new ShadowModel(
                        model.dir.toString(),
                        "bench-churn",
                        "2",
                        work.resolve(variant + "-side-by-side").toUri().toString())
                    : null;
            ScoringReport report =
                ScoringJob.score(
                    spark,
                    ScoringRequest.builder()
                        .setInput(DatasetInput.parquet(roundInput))
                        .setModelDir(model.dir.toString())
                        .setModelName("bench-churn")
                        .setModelVersion("1")
                        .setScoringRunId("bench-round-" + round)
                        .optKeyColumns(KEYS)
                        .setOutputUri(target.toUri().toString())
                        .setQuarantineUri(quarantine.toUri().toString())
                        .optBatchSize(batchSize)
                        .optMaxQuarantineFraction(0.01)
                        .optShadow(shadow)
                        .build());
            if (shadow == null) {
              lastReport = report;
              if (round > 0) {
                reportSeconds.add(report.seconds());
              }
            }
          }
          case "mllib_lr" -> model.mllib(spark, roundInput, target.toUri().toString(), round);
          case "predict_only" ->
              ScoringPaths.predictAndWrite(
                  spark,
                  roundInput,
                  model.dir,
                  KEYS,
                  batchSize,
                  "bench-churn",
                  "1",
                  "bench-round-" + round,
                  target.toUri().toString());
          case "features_only" ->
              ScoringPaths.featuresAndWrite(
                  spark, roundInput, model.dir, KEYS, target.toUri().toString());
          default -> throw new IllegalStateException(variant);
        }
        double secs = (System.nanoTime() - s) / 1e9;
        line.append(String.format(" %s %.2f s", variant, secs));
        if (round > 0) {
          times.get(variant).add(secs);
          if (variant.startsWith("scoring_job")) {
            breakdowns
                .computeIfAbsent(variant, k -> new ArrayList<>())
                .add(jobs.snapshot(spark, secs));
          }
        }
        deleteTree(target);
        deleteTree(quarantine);
        deleteTree(work.resolve(variant + "-side-by-side"));
      }
      System.out.println(line);
      if (round > 0) {
        loads.add(load);
      }
    }
    deleteTree(work);

    result.put("repetitions", rounds);
    result.put("warm_up_rounds", 1);
    for (String v : variants) {
      result.put(v, Stats.throughput(times.get(v), rows));
    }
    if (lastReport != null) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("rows_in", lastReport.rowsIn());
      r.put("scored", lastReport.scored());
      r.put("quarantined", lastReport.quarantined());
      r.put("quarantine_reasons", lastReport.quarantineReasons());
      r.put("prediction_distribution", lastReport.predictionDistribution());
      r.put("psi", lastReport.psi());
      r.put("report_seconds", reportSeconds.stream().map(Stats::round3).toList());
      result.put("scoring_job_report", r);
    }
    breakdowns.forEach((v, list) -> result.put(v + "_spark_jobs_s", median(list)));
    Map<String, Object> ratios = new LinkedHashMap<>();
    if (times.containsKey("scoring_job")) {
      double scoring = Stats.median(times.get("scoring_job"));
      double scoringBest = Stats.min(times.get("scoring_job"));
      for (String v : variants) {
        if (!v.equals("scoring_job")) {
          ratios.put(
              "scoring_job_vs_" + v + "_median",
              Stats.round3(Stats.median(times.get(v)) / scoring));
          ratios.put(
              "scoring_job_vs_" + v + "_best", Stats.round3(Stats.min(times.get(v)) / scoringBest));
        }
      }
    }
    if (times.containsKey("copy")) {
      // rows/s of each other variant as a share of the copy's
      for (String v : variants) {
        if (!v.equals("copy") && !v.equals("scoring_job")) {
          ratios.put(
              v + "_vs_copy_median",
              Stats.round3(Stats.median(times.get("copy")) / Stats.median(times.get(v))));
        }
      }
    }
    result.put("ratios", ratios);
    result.put("target_ratio_vs_copy", TARGET);
    Object vsCopy = ratios.get("scoring_job_vs_copy_median");
    if (vsCopy != null) {
      result.put("meets_target", (Double) vsCopy >= TARGET);
    }
    result.put("load_average_per_round", loads);
    result.put("load_average_before", loadBefore);
    result.put("load_average_after", Machine.loadAverage());
    JsonFiles.write(out, result);

    System.out.println();
    for (String v : variants) {
      System.out.printf(
          "%-14s %,10d rows/s median, %,10d best (%s s)%n",
          v,
          Math.round(rows / Stats.median(times.get(v))),
          Math.round(rows / Stats.min(times.get(v))),
          Stats.fmt(times.get(v).stream().mapToDouble(Double::doubleValue).toArray()));
    }
    ratios.forEach((k, v) -> System.out.printf("%-40s %.3f%n", k, (Double) v));
    if (vsCopy != null) {
      System.out.printf(
          "scoring_job / copy = %.3f (target >= %.2f: %s)%n",
          (Double) vsCopy, TARGET, (Double) vsCopy >= TARGET ? "met" : "NOT met");
    }
    for (String v : breakdowns.keySet()) {
      System.out.println(v + ", seconds per Spark job (median over rounds):");
      @SuppressWarnings("unchecked")
      Map<String, Double> b = (Map<String, Double>) result.get(v + "_spark_jobs_s");
      b.forEach((k, x) -> System.out.printf("  %-50s %8.3f%n", k, x));
    }
    System.out.println("wrote " + out);
    System.exit(0);
  }

  /** The fitted model folder (for the scoring job) and the MLlib side. */
  static final class Model {
    Path dir;
    FeatureManifest manifest;
    PipelineModel pipeline;
    LogisticRegressionModel lr;
    Map<String, Double> validationMetrics;

    static Model build(SparkSession spark, Path sample, Path build, Path dir) throws IOException {
      Model m = new Model();
      m.dir = dir;
      String sampleUri = sample.toUri().toString();
      ScoringModel built = ScoringModel.build(spark, sample, ScoringData.COLUMNS, build, dir);
      m.manifest = built.manifest();
      m.validationMetrics = built.validationMetrics();

      m.pipeline = PipelineModel.load(dir.resolve("feature-pipeline").toUri().toString());
      Dataset<Row> train =
          m.pipeline
              .transform(spark.read().parquet(sampleUri))
              .withColumn(
                  "label",
                  array_position(labels(m.manifest), col("churned")).minus(1).cast("double"));
      // Saved and loaded as a registry would hand it over. (A freshly fitted model also keeps
      // its training summary, which holds the SparkSession, and Spark 4.1 then fails to
      // serialize the transform's UDF: "Task not serializable ... ObservationManager".)
      String lrUri = build.resolve("mllib-lr").toUri().toString();
      new LogisticRegression().setMaxIter(50).fit(train).write().save(lrUri);
      m.lr = LogisticRegressionModel.load(lrUri);
      return m;
    }

    private static Column labels(FeatureManifest manifest) {
      return org.apache.spark.sql.functions.array(
          manifest.labels().stream().map(l -> lit(l)).toArray(Column[]::new));
    }

    /** The pipeline + MLlib LR, written as the scoring job's output columns. */
    void mllib(SparkSession spark, String inputUri, String outUri, int round) {
      Dataset<Row> scored = lr.transform(pipeline.transform(spark.read().parquet(inputUri)));
      List<Column> cols = new ArrayList<>();
      KEYS.forEach(k -> cols.add(col(k)));
      cols.add(
          element_at(labels(manifest), col("prediction").cast("int").plus(1))
              .as(ScoringJob.PREDICTION));
      cols.add(
          org.apache
              .spark
              .ml
              .functions
              .vector_to_array(col("probability"), "float64")
              .as(ScoringJob.PROBABILITIES));
      cols.add(lit("bench-churn").as(ScoringJob.MODEL_NAME));
      cols.add(lit("1").as(ScoringJob.MODEL_VERSION));
      cols.add(lit("bench-round-" + round).as(ScoringJob.SCORING_RUN_ID));
      scored.select(cols.toArray(Column[]::new)).write().parquet(outUri);
    }
  }

  /**
   * Wall time of every Spark job while a variant runs, by the job's call site (its last stage's
   * name, e.g. {@code "parquet at ScoringJob.java:170"}).
   */
  static final class JobTimes extends SparkListener {
    private final Map<Integer, Object[]> started = new ConcurrentHashMap<>();
    private final Map<String, Double> byName = new ConcurrentHashMap<>();

    void reset() {
      started.clear();
      byName.clear();
    }

    @Override
    public void onJobStart(SparkListenerJobStart e) {
      String name = "?";
      int last = -1;
      for (StageInfo s : CollectionConverters.asJava(e.stageInfos())) {
        if (s.stageId() > last) {
          last = s.stageId();
          name = s.name();
        }
      }
      Properties p = e.properties();
      if (p != null && p.getProperty("spark.job.description") != null) {
        name = p.getProperty("spark.job.description");
      }
      started.put(e.jobId(), new Object[] {name, e.time()});
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd e) {
      Object[] s = started.remove(e.jobId());
      if (s != null) {
        byName.merge((String) s[0], (e.time() - (Long) s[1]) / 1000.0, Double::sum);
      }
    }

    /** Seconds per call site, plus the rest of {@code wall} (driver work between the jobs). */
    Map<String, Double> snapshot(SparkSession spark, double wall) {
      try {
        spark.sparkContext().listenerBus().waitUntilEmpty();
      } catch (Exception e) {
        throw new IllegalStateException("Spark's listener bus did not drain", e);
      }
      Map<String, Double> m = new LinkedHashMap<>();
      double sum = 0;
      for (Map.Entry<String, Double> e :
          byName.entrySet().stream()
              .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
              .toList()) {
        m.put(e.getKey(), Stats.round3(e.getValue()));
        sum += e.getValue();
      }
      m.put("(outside Spark jobs: driver work)", Stats.round3(wall - sum));
      return m;
    }
  }

  /** Per key, the median over rounds (keys missing in a round count as 0). */
  private static Map<String, Double> median(List<Map<String, Double>> rounds) {
    Map<String, List<Double>> values = new LinkedHashMap<>();
    rounds.forEach(r -> r.keySet().forEach(k -> values.putIfAbsent(k, new ArrayList<>())));
    for (Map<String, Double> r : rounds) {
      values.forEach((k, list) -> list.add(r.getOrDefault(k, 0.0)));
    }
    Map<String, Double> m = new LinkedHashMap<>();
    values.forEach((k, v) -> m.put(k, Stats.round3(Stats.median(v))));
    return m;
  }

  private static double seconds(long t0) {
    return Stats.round3((System.nanoTime() - t0) / 1e9);
  }

  private static long bytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
