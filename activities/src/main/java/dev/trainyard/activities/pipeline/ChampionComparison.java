package dev.trainyard.activities.pipeline;

import dev.trainyard.activities.runtime.ActivityEnvironment;
import dev.trainyard.activities.runtime.Failures;
import dev.trainyard.activities.runtime.LineageRecorder;
import dev.trainyard.registry.Metric;
import dev.trainyard.spark.features.FeatureJob;
import dev.trainyard.spark.features.FeatureManifest;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.training.Evaluation;
import dev.trainyard.training.PairedBootstrap;
import dev.trainyard.training.Predictions;
import dev.trainyard.workflows.pipeline.Gate;
import dev.trainyard.workflows.pipeline.Payloads;
import dev.trainyard.workflows.pipeline.Payloads.CompareRequest;
import dev.trainyard.workflows.pipeline.Payloads.Comparison;
import dev.trainyard.workflows.pipeline.Payloads.Difference;
import dev.trainyard.workflows.pipeline.Payloads.SegmentComparison;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TaskKind;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The challenger against the champion on the same raw test rows: both scored (each through its own
 * feature pipeline), paired row by row, compared with {@link PairedBootstrap} overall and per
 * segment value, and the whole table written as {@code evaluation/report.json} on the run. The
 * per-row predictions stay in files under the work folder; only the summary goes back to the
 * workflow.
 */
final class ChampionComparison {
  /** Segment values compared per column at most: each is a line of the payload and the report. */
  static final int MAX_SEGMENT_VALUES = 200;

  /** Values below minRows listed in the report per column at most (a numeric column has many). */
  static final int MAX_LISTED_SMALL_SEGMENTS = 1000;

  static final String REPORT = "evaluation/report.json";

  private static final String ROW = "paired__row";
  private static final String LABEL_CANDIDATE = "paired__label_candidate";
  private static final String LABEL_CHAMPION = "paired__label_champion";

  private final ActivityEnvironment env;

  ChampionComparison(ActivityEnvironment env) {
    this.env = env;
  }

  /** What the comparison found, and where the rows it paired are. */
  record Outcome(Comparison comparison, long rows, Path pairedRows) {}

  Outcome run(String workflowId, CompareRequest r) throws IOException {
    PipelineSpec spec = r.spec();
    PipelineSpec.Gate gate = spec.gate();
    Path features = Path.of(URI.create(r.features().featuresUri()));
    Path dir = env.workDir().resolve(workflowId).resolve("compare-" + r.champion().version());
    Path version = TrainingActivitiesImpl.championFolder(env, spec, r.champion());
    FeatureManifest championManifest =
        FeatureManifest.fromJson(Files.readString(version.resolve("features.json")));
    FeatureManifest candidateManifest =
        FeatureManifest.fromJson(Files.readString(features.resolve("features.json")));

    SparkSession spark = SparkSessions.local();
    Dataset<Row> rawTest = DataActivitiesImpl.rawTestRows(spark, spec);
    boolean classification = spec.taskKind() != TaskKind.REGRESSION;
    Dataset<Row> numbered =
        rawTest
            .withColumn(ROW, functions.monotonically_increasing_id())
            .withColumn(LABEL_CANDIDATE, labelIndex(spec, candidateManifest, classification))
            .withColumn(LABEL_CHAMPION, labelIndex(spec, championManifest, classification));
    if (classification) {
      // A class one of the models never saw cannot be scored for it: pair only rows both know.
      numbered =
          numbered.where(
              functions.col(LABEL_CANDIDATE).geq(0).and(functions.col(LABEL_CHAMPION).geq(0)));
    }
    // Written once and read back, so both models and the segment values see the same numbering.
    Path pairedRows = dir.resolve("paired-rows");
    numbered.write().mode("overwrite").parquet(pairedRows.toUri().toString());
    Dataset<Row> paired = spark.read().parquet(pairedRows.toUri().toString());

    Predictions candidate =
        score(
            spark,
            paired,
            features.resolve("pipeline"),
            LABEL_CANDIDATE,
            Path.of(URI.create(r.candidateModelUri())),
            dir.resolve("candidate-test"));
    Predictions champion =
        score(
            spark,
            paired,
            version.resolve(ModelPackager.FEATURE_PIPELINE),
            LABEL_CHAMPION,
            version.resolve(ModelPackager.DJL),
            dir.resolve("champion-test"));
    if (candidate.rows() != champion.rows()) {
      throw new IllegalStateException(
          "paired test rows differ: candidate "
              + candidate.rows()
              + ", champion "
              + champion.rows()
              + " (under "
              + dir
              + ")");
    }

    boolean withConfidence = !gate.confidence().isOff();
    PairedBootstrap.Settings settings =
        withConfidence
            ? new PairedBootstrap.Settings(
                gate.resamples(), gate.confidence().value(), spec.split().seed())
            : null;
    String metric = gate.minImprovement().metric();
    long started = System.nanoTime();
    PairedBootstrap.Result overall =
        withConfidence
            ? PairedBootstrap.compare(candidate, champion, settings)
            : PairedBootstrap.point(candidate, champion, null);

    List<SegmentComparison> segments = new ArrayList<>();
    List<Map<String, Object>> segmentRows = new ArrayList<>();
    int below = 0;
    for (String column : gate.segments()) {
      String[] values = segmentValues(paired, column, candidate.rows());
      TreeMap<String, List<Integer>> byValue = new TreeMap<>();
      for (int i = 0; i < values.length; i++) {
        byValue.computeIfAbsent(values[i], v -> new ArrayList<>()).add(i);
      }
      long big = byValue.values().stream().filter(l -> l.size() >= gate.minRows()).count();
      if (big > MAX_SEGMENT_VALUES) {
        throw Failures.badInput(
            "TooManySegments",
            "gate.segments: column '"
                + column
                + "' has "
                + big
                + " values with at least "
                + gate.minRows()
                + " test rows, more than the "
                + MAX_SEGMENT_VALUES
                + " the gate compares; segment by a column with fewer values, or raise"
                + " gate.minRows");
      }
      int listedSmall = 0;
      for (var e : byValue.entrySet()) {
        int[] rows = e.getValue().stream().mapToInt(Integer::intValue).toArray();
        if (rows.length < gate.minRows()) {
          below++;
          if (listedSmall++ < MAX_LISTED_SMALL_SEGMENTS) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("column", column);
            row.put("value", e.getKey());
            row.put("rows", rows.length);
            row.put("verdict", "not compared: fewer than " + gate.minRows() + " rows");
            segmentRows.add(row);
          }
          continue;
        }
        PairedBootstrap.Result one =
            withConfidence
                ? PairedBootstrap.compare(
                    candidate,
                    champion,
                    rows,
                    new PairedBootstrap.Settings(
                        settings.resamples(),
                        settings.confidence(),
                        PairedBootstrap.seedFor(settings.seed(), column, e.getKey())))
                : PairedBootstrap.point(candidate, champion, rows);
        SegmentComparison s =
            new SegmentComparison(
                column, e.getKey(), rows.length, difference(one.differences().get(metric)));
        segments.add(s);
        Boolean holds =
            Gate.segmentHolds(
                s, withConfidence, gate.maxRegression() == null ? 0 : gate.maxRegression());
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("column", column);
        row.put("value", e.getKey());
        row.put("rows", rows.length);
        row.put("metric", metric);
        row.put("difference", s.difference());
        row.put(
            "verdict",
            holds == null
                ? "not judged: " + metric + " undefined"
                : holds ? "holds" : "worse than the champion by more than " + gate.maxRegression());
        segmentRows.add(row);
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;

    Map<String, Difference> differences = new LinkedHashMap<>();
    Map<String, Double> championMetrics = new LinkedHashMap<>();
    Map<String, Payloads.Interval> candidateIntervals = new LinkedHashMap<>();
    overall
        .differences()
        .forEach(
            (m, d) -> {
              differences.put(m, difference(d));
              championMetrics.put(m, d.champion());
              if (withConfidence) {
                candidateIntervals.put(
                    m,
                    new Payloads.Interval(finite(d.candidateLower()), finite(d.candidateUpper())));
              }
            });

    String reportUri = r.run().artifactUri() + "/" + REPORT;
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("candidateModel", r.candidateModelUri());
    report.put(
        "champion", Map.of("version", r.champion().version(), "runId", r.champion().runId()));
    report.put("rows", candidate.rows());
    report.put("confidence", withConfidence ? settings.confidence() : "off");
    report.put("resamples", withConfidence ? settings.resamples() : 0);
    report.put("seed", spec.split().seed());
    report.put("bootstrapSeconds", seconds);
    report.put(
        "note",
        "differences are gains: positive means the challenger is better (for log_loss, rmse and"
            + " mae too); intervals are paired-bootstrap percentile intervals over the same test"
            + " rows");
    List<Map<String, Object>> metrics = new ArrayList<>();
    overall
        .differences()
        .forEach(
            (m, d) -> {
              Map<String, Object> row = new LinkedHashMap<>();
              row.put("metric", m);
              row.put("gate", m.equals(metric));
              row.put("difference", difference(d));
              row.put("bootstrap", distribution(d.gains()));
              metrics.add(row);
            });
    report.put("metrics", metrics);
    Map<String, Object> segmentReport = new LinkedHashMap<>();
    segmentReport.put("columns", gate.segments());
    segmentReport.put("metric", metric);
    segmentReport.put("minRows", gate.minRows());
    segmentReport.put("maxRegression", gate.maxRegression());
    segmentReport.put("belowMinRows", below);
    segmentReport.put("values", segmentRows);
    report.put("segments", segmentReport);
    Path reportFile = dir.resolve("report.json");
    LineageRecorder.JSON.writerWithDefaultPrettyPrinter().writeValue(reportFile.toFile(), report);
    env.mlflow().artifacts().upload(r.run().artifactUri(), reportFile, REPORT);

    List<Metric> logged = new ArrayList<>();
    Instant now = Instant.now();
    championMetrics.forEach((k, v) -> logged.add(new Metric("champion_test_" + k, v, 0, now)));
    differences.forEach(
        (k, d) -> {
          addFinite(logged, "gate_gain_" + k, d.estimate(), now);
          addFinite(logged, "gate_gain_lower_" + k, d.lower(), now);
          addFinite(logged, "gate_gain_upper_" + k, d.upper(), now);
        });
    logged.add(new Metric("gate_bootstrap_seconds", seconds, 0, now));
    env.mlflow().tracking().logMetrics(r.run().runId(), logged);

    Comparison comparison =
        Comparison.builder()
            .setChampionMetrics(championMetrics)
            .optConfidence(withConfidence ? settings.confidence() : null)
            .optResamples(withConfidence ? settings.resamples() : 0)
            .setRows(candidate.rows())
            .setDifferences(differences)
            .setMetric(metric)
            .optSegments(segments, below)
            .optReportUri(reportUri)
            .optBootstrapSeconds(seconds)
            .optCandidateIntervals(candidateIntervals)
            .build();
    return new Outcome(comparison, candidate.rows(), pairedRows);
  }

  /** The label as the model's class index (-1 for a class it never saw), or the target. */
  private static Column labelIndex(
      PipelineSpec spec, FeatureManifest manifest, boolean classification) {
    Column label = functions.col(spec.label());
    if (!classification) {
      return label.cast("double");
    }
    Column idx = functions.lit(-1.0);
    for (int i = manifest.labels().size() - 1; i >= 0; i--) {
      idx =
          functions
              .when(label.cast("string").equalTo(manifest.labels().get(i)), (double) i)
              .otherwise(idx);
    }
    return idx;
  }

  /** The rows through one model's pipeline, in row order, one file; then its predictions. */
  private static Predictions score(
      SparkSession spark,
      Dataset<Row> paired,
      Path pipeline,
      String labelColumn,
      Path model,
      Path out) {
    FeatureJob.applyPipeline(spark, pipeline.toUri().toString(), paired)
        .select(
            functions.col(ROW),
            functions.col("features"),
            functions.col(labelColumn).cast("double").as("label"))
        .repartition(1)
        .sortWithinPartitions(ROW)
        .write()
        .mode("overwrite")
        .parquet(out.toUri().toString());
    return Evaluation.predict(model, out);
  }

  /** A segment column's value per paired row, in row order; null as "(null)". */
  private static String[] segmentValues(Dataset<Row> paired, String column, int expected) {
    List<Row> rows =
        paired
            .select(
                functions.col(ROW),
                functions.col(dev.trainyard.spark.io.InputData.quoted(column)).cast("string"))
            .orderBy(ROW)
            .collectAsList();
    if (rows.size() != expected) {
      throw new IllegalStateException(
          "segment column '" + column + "': " + rows.size() + " rows, expected " + expected);
    }
    String[] values = new String[rows.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = rows.get(i).isNullAt(1) ? "(null)" : rows.get(i).getString(1);
    }
    return values;
  }

  private static Difference difference(PairedBootstrap.Difference d) {
    return Difference.builder()
        .setCandidate(finite(d.candidate()))
        .setChampion(finite(d.champion()))
        .setEstimate(finite(d.estimate()))
        .setLower(finite(d.lower()))
        .setUpper(finite(d.upper()))
        .build();
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private static void addFinite(List<Metric> out, String name, Double v, Instant now) {
    if (v != null) {
      out.add(new Metric(name, v, 0, now));
    }
  }

  /** The resampled gains, summarised: quantiles and a 20-bin histogram. */
  private static Map<String, Object> distribution(double[] sorted) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("resamples", sorted.length);
    if (sorted.length == 0) {
      return out;
    }
    Map<String, Double> q = new LinkedHashMap<>();
    for (double p : new double[] {0.005, 0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975, 0.995}) {
      q.put(
          String.format(java.util.Locale.ROOT, "p%s", Double.toString(p * 100)),
          PairedBootstrap.quantile(sorted, p));
    }
    out.put("quantiles", q);
    double min = sorted[0];
    double max = sorted[sorted.length - 1];
    int bins = 20;
    int[] counts = new int[bins];
    for (double g : sorted) {
      int b = max == min ? 0 : (int) Math.min(bins - 1, (g - min) / (max - min) * bins);
      counts[b]++;
    }
    out.put("histogram", Map.of("min", min, "max", max, "counts", counts));
    return out;
  }
}
