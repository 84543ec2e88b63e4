package dev.trainyard.bench;

import static org.apache.spark.sql.functions.col;

import dev.trainyard.activities.pipeline.SpecColumns;
import dev.trainyard.spark.features.FeatureColumns;
import dev.trainyard.spark.features.FeatureJob;
import dev.trainyard.spark.features.FeatureTransform;
import dev.trainyard.spark.features.SplitSpec;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.spark.scoring.ScoringJob;
import dev.trainyard.spark.scoring.ScoringReport;
import dev.trainyard.spark.scoring.ScoringRequest;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Benchmark 4: what the spec's {@code transform:} costs.
 *
 * <p><b>Feature job.</b> {@code examples/flights}' spec (a {@code sql} step deriving the label and
 * a route, a {@code datetime} step, the training filter, {@code tailnum} hashed into 256 buckets,
 * {@code route} cut to its top 40) run by {@link FeatureJob#fitAndWrite} on rows written by {@code
 * examples/flights/generate.py}, against the same work written by hand in plain Spark SQL ({@link
 * #handWritten}): the same SELECT, date parts and hash expression, the same filter and split, the
 * medians, means and standard deviations, top routes and category lists computed on the training
 * split with SQL aggregates, and the feature array (standardized numbers, one-hot with an unknown
 * slot) and label written as the three splits. Interleaved per round, round 0 warm-up.
 *
 * <p><b>Scoring.</b> {@link ScoringJob#score} on the scoring benchmark's churn-shaped input ({@link
 * ScoringData}) with models fitted by the feature job on a sample: no transform ({@code
 * scoring_job_plain}), {@code examples/churn-ratio}'s {@code sql} step ({@code scoring_job_sql}:
 * the compiled path), the same with {@code region} encoded {@code topK: 10} ({@code
 * scoring_job_sql_pipeline}: all ten regions, so the same features, but an encoding makes the job
 * apply the fitted pipeline instead of its compiled arithmetic); and {@code examples/flights}' full
 * transform on the flights rows without {@code arr_delay} ({@code scoring_job_flights}, the fitted
 * pipeline path), each beside a Parquet copy of its input.
 */
public final class TransformBench {
  private TransformBench() {}

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv);
    long rows = Long.parseLong(args.get("rows", "1000000"));
    long scoringRows = Long.parseLong(args.get("scoring-rows", "1000000"));
    long trainRows = Long.parseLong(args.get("train-rows", "200000"));
    int rounds = args.getInt("rounds", 3);
    Path home = Path.of(args.get("home", ".")).toAbsolutePath();
    Path dataRoot = Path.of(args.get("data", ".trainyard/bench/data")).toAbsolutePath();
    Path work = Path.of(args.get("work", ".trainyard/bench/transforms-work")).toAbsolutePath();
    Path out = Path.of(args.get("out", "bench/target/parts/transforms.json"));

    List<Double> loadBefore = Machine.loadAverage();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("benchmark", "transforms");
    result.put("flights_rows", rows);
    result.put("scoring_rows", scoringRows);
    result.put("train_rows", trainRows);
    SparkSession spark = SparkSessions.local();
    result.put("spark_master", spark.sparkContext().master());

    String carriers = carriersCsv(home, dataRoot);
    FeatureColumns flights = SpecColumns.of(flightsSpec(home, dataRoot, carriers));
    FeatureColumns churnRatio = SpecColumns.of(home.resolve("examples/churn-ratio/pipeline.yaml"));
    FeatureTransform ratio = churnRatio.transform();
    FeatureColumns churnRatioPipeline =
        churnRatio.withTransform(
            new FeatureTransform(
                ratio.steps(),
                ratio.trainingFilter(),
                ratio.maxFilteredFraction(),
                Map.of("region", new FeatureTransform.Encoding(null, 10))));
    SplitSpec flightsSplit = new SplitSpec(0.7, 0.15, 0.15, 42);
    result.put("flights_transform", flights.transform().describe());
    result.put("churn_ratio_transform", ratio.describe());

    String flightsUri = flightsParquet(spark, home, dataRoot, rows, 13);
    String flightsSample = flightsParquet(spark, home, dataRoot, trainRows, 7);
    Path unlabelled = dataRoot.resolve("flights-" + rows + "-13-unlabelled.parquet");
    if (!Files.exists(unlabelled.resolve("_SUCCESS"))) {
      spark.read().parquet(flightsUri).drop("arr_delay").write().parquet(unlabelled.toString());
    }
    Path scoringInput = dataRoot.resolve("scoring-input-" + scoringRows + "-8files.parquet");
    if (!Files.exists(scoringInput.resolve("_SUCCESS"))) {
      ScoringData.write(spark, scoringInput.toUri().toString(), scoringRows, 8, 42, 0, 1e-4);
    }
    Path churnSample = dataRoot.resolve("scoring-train-" + trainRows + ".parquet");
    if (!Files.exists(churnSample.resolve("_SUCCESS"))) {
      ScoringData.write(spark, churnSample.toUri().toString(), trainRows, 2, 7, 1_000_000_000L, 0);
    }

    ScoringBench.deleteTree(work);
    Files.createDirectories(work);
    long t0 = System.nanoTime();
    Map<String, ScoringModel> models = new LinkedHashMap<>();
    models.put(
        "plain",
        ScoringModel.build(
            spark,
            churnSample,
            ScoringData.COLUMNS,
            work.resolve("b-plain"),
            work.resolve("plain")));
    models.put(
        "sql",
        ScoringModel.build(
            spark, churnSample, churnRatio, work.resolve("b-sql"), work.resolve("sql")));
    models.put(
        "sql_pipeline",
        ScoringModel.build(
            spark,
            churnSample,
            churnRatioPipeline,
            work.resolve("b-sqlp"),
            work.resolve("sql_pipeline")));
    models.put(
        "flights",
        ScoringModel.build(
            spark,
            Path.of(java.net.URI.create(flightsSample)),
            flights,
            work.resolve("b-flights"),
            work.resolve("flights")));
    result.put("model_build_s", Stats.round3((System.nanoTime() - t0) / 1e9));
    Map<String, Object> described = new LinkedHashMap<>();
    models.forEach(
        (k, m) ->
            described.put(
                k,
                Map.of(
                    "features", m.manifest().numFeatures(),
                    "validation", m.validationMetrics())));
    result.put("models", described);
    System.out.println("models: " + described);

    List<String> variants =
        List.of(
            "feature_job",
            "spark_sql",
            "copy",
            "scoring_job_plain",
            "scoring_job_sql",
            "scoring_job_sql_pipeline",
            "copy_flights",
            "scoring_job_flights");
    Map<String, List<Double>> times = new LinkedHashMap<>();
    variants.forEach(v -> times.put(v, new ArrayList<>()));
    Map<String, Object> reports = new LinkedHashMap<>();
    List<List<Double>> loads = new ArrayList<>();
    for (int round = 0; round <= rounds; round++) {
      List<Double> load = Machine.loadAverage();
      StringBuilder line =
          new StringBuilder(
              String.format("%-12s load %s |", round == 0 ? "warm-up" : "round " + round, load));
      for (String v : variants) {
        Path target = work.resolve(v + "-out");
        Path quarantine = work.resolve(v + "-quarantine");
        ScoringBench.deleteTree(target);
        ScoringBench.deleteTree(quarantine);
        String targetUri = target.toUri().toString();
        long s = System.nanoTime();
        switch (v) {
          case "feature_job" ->
              FeatureJob.fitAndWrite(
                  spark, DatasetInput.parquet(flightsUri), flights, flightsSplit, targetUri);
          case "spark_sql" -> handWritten(spark, flightsUri, carriers, targetUri);
          case "copy" ->
              spark.read().parquet(scoringInput.toUri().toString()).write().parquet(targetUri);
          case "copy_flights" ->
              spark.read().parquet(unlabelled.toUri().toString()).write().parquet(targetUri);
          default -> {
            String model = v.substring("scoring_job_".length());
            Path input = model.equals("flights") ? unlabelled : scoringInput;
            ScoringReport report =
                ScoringJob.score(
                    spark,
                    ScoringRequest.builder()
                        .setInput(DatasetInput.parquet(input.toUri().toString()))
                        .setModelDir(models.get(model).dir().toString())
                        .setModelName("bench-" + model)
                        .setModelVersion("1")
                        .setScoringRunId("bench-round-" + round)
                        .optKeyColumns(models.get(model).manifest().keys())
                        .setOutputUri(targetUri)
                        .setQuarantineUri(quarantine.toUri().toString())
                        .optMaxQuarantineFraction(0.01)
                        .build());
            reports.put(
                v,
                Map.of(
                    "rows_in", report.rowsIn(),
                    "scored", report.scored(),
                    "quarantined", report.quarantined()));
          }
        }
        double secs = (System.nanoTime() - s) / 1e9;
        line.append(String.format(" %s %.2f s", v, secs));
        if (round > 0) {
          times.get(v).add(secs);
        }
        if (round == 0 && v.equals("spark_sql")) {
          result.put(
              "hand_written_vs_feature_job",
              sameWork(spark, work.resolve("feature_job-out"), target));
          System.out.println("same work: " + result.get("hand_written_vs_feature_job"));
        }
        // The feature job's output stays until the hand-written job's is compared with it.
        if (!v.equals("feature_job")) {
          ScoringBench.deleteTree(target);
          ScoringBench.deleteTree(quarantine);
        }
        if (v.equals("spark_sql")) {
          ScoringBench.deleteTree(work.resolve("feature_job-out"));
        }
      }
      System.out.println(line);
      if (round > 0) {
        loads.add(load);
      }
    }
    ScoringBench.deleteTree(work);

    result.put("repetitions", rounds);
    result.put("warm_up_rounds", 1);
    for (String v : variants) {
      boolean flightsRows =
          v.equals("feature_job") || v.equals("spark_sql") || v.endsWith("flights");
      result.put(v, Stats.throughput(times.get(v), flightsRows ? rows : scoringRows));
    }
    result.put("scoring_reports", reports);
    Map<String, Double> ratios = new LinkedHashMap<>();
    ratios.put("feature_job_vs_spark_sql_median", ratio(times, "spark_sql", "feature_job"));
    ratios.put("scoring_job_plain_vs_copy_median", ratio(times, "copy", "scoring_job_plain"));
    ratios.put(
        "scoring_job_sql_vs_plain_median", ratio(times, "scoring_job_plain", "scoring_job_sql"));
    ratios.put(
        "scoring_job_sql_pipeline_vs_sql_median",
        ratio(times, "scoring_job_sql", "scoring_job_sql_pipeline"));
    ratios.put(
        "scoring_job_flights_vs_copy_flights_median",
        ratio(times, "copy_flights", "scoring_job_flights"));
    result.put("ratios", ratios);
    result.put("load_average_per_round", loads);
    result.put("load_average_before", loadBefore);
    result.put("load_average_after", Machine.loadAverage());
    JsonFiles.write(out, result);

    System.out.println();
    for (String v : variants) {
      @SuppressWarnings("unchecked")
      Map<String, Object> t = (Map<String, Object>) result.get(v);
      System.out.printf(
          "%-26s %,10d rows/s median (%s s)%n", v, t.get("samples_per_s_median"), t.get("seconds"));
    }
    ratios.forEach((k, x) -> System.out.printf("%-46s %.3f%n", k, x));
    System.out.println("wrote " + out);
    System.exit(0);
  }

  /**
   * Rows/s of {@code measured} as a share of {@code base}'s (the ratio of their median seconds).
   */
  private static double ratio(Map<String, List<Double>> times, String base, String measured) {
    return Stats.round3(Stats.median(times.get(base)) / Stats.median(times.get(measured)));
  }

  /**
   * {@code examples/flights/generate.py} rows at {@code .trainyard/bench/data/flights-N-SEED.*}:
   * the CSV as generated, then as Parquet in 4 files with the types a CSV read infers for the
   * numbers and {@code dep_time} kept a string (so the datetime step parses it, as in the example).
   */
  private static String flightsParquet(
      SparkSession spark, Path home, Path dataRoot, long rows, long seed) throws Exception {
    Path parquet = dataRoot.resolve("flights-" + rows + "-" + seed + ".parquet");
    if (Files.exists(parquet.resolve("_SUCCESS"))) {
      return parquet.toUri().toString();
    }
    Files.createDirectories(dataRoot);
    Path csv = dataRoot.resolve("flights-" + rows + "-" + seed + ".csv");
    System.out.println("generating " + rows + " flights rows at " + csv);
    Process p =
        new ProcessBuilder(
                "python3",
                "examples/flights/generate.py",
                "--rows",
                Long.toString(rows),
                "--seed",
                Long.toString(seed),
                csv.toString())
            .directory(home.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .inheritIO()
            .start();
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("examples/flights/generate.py failed");
    }
    spark
        .read()
        .option("header", "true")
        .csv(csv.toString())
        .selectExpr(
            "CAST(flight_id AS INT) AS flight_id",
            "carrier",
            "tailnum",
            "origin",
            "dest",
            "CAST(distance AS INT) AS distance",
            "dep_time",
            "CAST(arr_delay AS INT) AS arr_delay")
        .repartition(4)
        .write()
        .parquet(parquet.toString());
    Files.delete(csv);
    return parquet.toUri().toString();
  }

  /**
   * The carriers reference table {@code examples/flights/generate.py} writes for the spec's lookup
   * step (fixed content), at {@code .trainyard/bench/data/flights-carriers.csv}.
   */
  private static String carriersCsv(Path home, Path dataRoot) throws Exception {
    Path carriers = dataRoot.resolve("flights-carriers.csv");
    if (!Files.exists(carriers)) {
      Files.createDirectories(dataRoot);
      Path one = dataRoot.resolve("flights-carriers-only.csv");
      Process p =
          new ProcessBuilder(
                  "python3",
                  "examples/flights/generate.py",
                  "--rows",
                  "1",
                  "--carriers",
                  carriers.toString(),
                  one.toString())
              .directory(home.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .inheritIO()
              .start();
      if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException("examples/flights/generate.py failed");
      }
      Files.deleteIfExists(one);
    }
    return carriers.toUri().toString();
  }

  /**
   * {@code examples/flights/pipeline.yaml} with its lookup step reading {@code carriers}, not the
   * example's {@code /tmp} path: the spec as the example has it otherwise.
   */
  private static Path flightsSpec(Path home, Path dataRoot, String carriers) throws Exception {
    String example = Files.readString(home.resolve("examples/flights/pipeline.yaml"));
    String table = "file:///tmp/flights-carriers.csv";
    if (!example.contains(table)) {
      throw new IllegalStateException(
          "examples/flights/pipeline.yaml no longer reads " + table + ": update TransformBench");
    }
    Path spec = dataRoot.resolve("flights-pipeline.yaml");
    Files.writeString(spec, example.replace(table, carriers));
    return spec;
  }

  /**
   * The flights feature job written by hand in Spark SQL: what a user would write without
   * Trainyard, doing the same work on the same rows. Output: {@code train}, {@code validation},
   * {@code test} Parquet with {@code flight_id}, {@code features} (array of float) and {@code
   * label}.
   */
  static void handWritten(SparkSession spark, String input, String carriers, String out) {
    String ts = "try_to_timestamp(dep_time, 'yyyy-MM-dd HH:mm')";
    // The lookup: a left join on the small carriers table (a carrier it lacks gets nulls).
    Dataset<Row> carrierTable =
        spark
            .read()
            .option("header", "true")
            .csv(carriers)
            .selectExpr("carrier AS lookup_carrier", "alliance", "fleet_size");
    Dataset<Row> rows =
        spark
            .read()
            .parquet(input)
            .join(
                org.apache.spark.sql.functions.broadcast(carrierTable),
                col("carrier").cast("string").equalTo(col("lookup_carrier")),
                "left")
            .drop("lookup_carrier")
            .selectExpr(
                "*",
                "IF(arr_delay > 15, 'late', 'on_time') AS delayed",
                "CONCAT(origin, '-', dest) AS route")
            .selectExpr(
                "*",
                "CAST(dayofweek(" + ts + ") AS DOUBLE) AS dep_time_dayofweek",
                "CAST(month(" + ts + ") AS DOUBLE) AS dep_time_month",
                "sin(2 * pi() * hour(" + ts + ") / 24.0) AS dep_time_hour_sin",
                "cos(2 * pi() * hour(" + ts + ") / 24.0) AS dep_time_hour_cos")
            .where("arr_delay IS NOT NULL")
            .selectExpr(
                "*",
                "CAST(pmod(xxhash64(CAST(tailnum AS STRING)), 256) AS STRING) AS tailnum_bucket",
                "shiftrightunsigned(xxhash64(CAST(42 AS BIGINT), flight_id), 11)"
                    + " / pow(2, 53) AS u")
            .selectExpr(
                "*",
                "CASE WHEN u < 0.7 THEN 'train' WHEN u < 0.85 THEN 'validation'"
                    + " ELSE 'test' END AS split")
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> train = rows.where("split = 'train'");
      List<String> top =
          train
              .groupBy("route")
              .count()
              .orderBy(col("count").desc(), col("route").asc())
              .limit(40)
              .collectAsList()
              .stream()
              .map(r -> r.getString(0))
              .toList();
      String route =
          "CASE WHEN route IS NULL THEN NULL WHEN route IN ("
              + top.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", "))
              + ") THEN route ELSE '__other__' END";
      List<String> numeric =
          List.of(
              "distance",
              "dep_time_dayofweek",
              "dep_time_month",
              "dep_time_hour_sin",
              "dep_time_hour_cos",
              "fleet_size");
      Row medians =
          train
              .selectExpr(
                  numeric.stream()
                      .map(n -> "percentile_approx(CAST(" + n + " AS DOUBLE), 0.5, 1000)")
                      .toArray(String[]::new))
              .first();
      List<String> imputed = new ArrayList<>();
      for (int i = 0; i < numeric.size(); i++) {
        imputed.add(
            "coalesce(CAST(" + numeric.get(i) + " AS DOUBLE), " + medians.getDouble(i) + ")");
      }
      List<String> moments = new ArrayList<>();
      imputed.forEach(x -> moments.addAll(List.of("avg(" + x + ")", "stddev_samp(" + x + ")")));
      List<String> categorical =
          List.of("CAST(carrier AS STRING)", "tailnum_bucket", route, "CAST(alliance AS STRING)");
      categorical.forEach(c -> moments.add("array_sort(collect_set(" + c + "))"));
      Row fitted = train.selectExpr(moments.toArray(String[]::new)).first();
      List<String> labels = rows.selectExpr("array_sort(collect_set(delayed))").first().getList(0);

      List<String> parts = new ArrayList<>();
      List<String> scaled = new ArrayList<>();
      for (int i = 0; i < numeric.size(); i++) {
        double mean = fitted.getDouble(2 * i);
        double std = fitted.getDouble(2 * i + 1);
        scaled.add(
            "CAST(("
                + imputed.get(i)
                + " - "
                + mean
                + ") * "
                + (std == 0 ? 0 : 1 / std)
                + " AS FLOAT)");
      }
      parts.add("array(" + String.join(", ", scaled) + ")");
      for (int j = 0; j < categorical.size(); j++) {
        List<String> values = fitted.getList(2 * numeric.size() + j);
        int n = values.size();
        String arr =
            "array("
                + values.stream().map(v -> "'" + v + "'").collect(Collectors.joining(", "))
                + ")";
        // Slot 0..n-1 for the training values, n for unseen values and nulls.
        String slot =
            "coalesce(nullif(array_position("
                + arr
                + ", "
                + categorical.get(j)
                + "), 0), "
                + (n + 1)
                + ") - 1";
        parts.add(
            "transform(sequence(0, "
                + n
                + "), i -> IF(i = "
                + slot
                + ", CAST(1 AS FLOAT), CAST(0 AS FLOAT)))");
      }
      String labelArray =
          "array("
              + labels.stream().map(l -> "'" + l + "'").collect(Collectors.joining(", "))
              + ")";
      Dataset<Row> features =
          rows.selectExpr(
              "flight_id",
              "concat(" + String.join(", ", parts) + ") AS features",
              "CAST(array_position(" + labelArray + ", delayed) - 1 AS DOUBLE) AS label",
              "split");
      for (String set : List.of("train", "validation", "test")) {
        features.where(col("split").equalTo(set)).drop("split").write().parquet(out + "/" + set);
      }
    } finally {
      rows.unpersist();
    }
  }

  /**
   * Whether the hand-written job did the feature job's work: rows per split, feature width, and the
   * largest difference of any feature value over the training rows (the medians come from two
   * approximate quantile algorithms, so numbers may differ slightly; one-hot slots must not).
   */
  private static Map<String, Object> sameWork(SparkSession spark, Path featureJob, Path byHand) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String set : List.of("train", "validation", "test")) {
      m.put(
          set + "_rows",
          List.of(
              spark.read().parquet(featureJob.resolve(set).toString()).count(),
              spark.read().parquet(byHand.resolve(set).toString()).count()));
    }
    List<Row> joined =
        spark
            .read()
            .parquet(featureJob.resolve("train").toString())
            .selectExpr("flight_id", "features AS a", "label AS la")
            .join(
                spark
                    .read()
                    .parquet(byHand.resolve("train").toString())
                    .selectExpr("flight_id", "features AS b", "label AS lb"),
                "flight_id")
            .limit(2000)
            .collectAsList();
    double maxDiff = 0;
    int width = -1;
    long labelsDiffer = 0;
    for (Row r : joined) {
      List<Float> a = r.getList(1);
      List<Float> b = r.getList(3);
      width = a.size();
      if (a.size() != b.size()) {
        m.put("width", List.of(a.size(), b.size()));
        return m;
      }
      for (int i = 0; i < a.size(); i++) {
        maxDiff = Math.max(maxDiff, Math.abs(a.get(i) - b.get(i)));
      }
      labelsDiffer += r.getDouble(2) == r.getDouble(4) ? 0 : 1;
    }
    m.put("width", width);
    m.put("rows_compared", joined.size());
    m.put("max_abs_feature_difference", maxDiff);
    m.put("labels_differ", labelsDiffer);
    return m;
  }
}
