package dev.trainyard.activities.scoring;

import dev.trainyard.activities.runtime.ActivityEnvironment;
import dev.trainyard.activities.runtime.Failures;
import dev.trainyard.activities.runtime.Heartbeat;
import dev.trainyard.activities.runtime.LineageRecord;
import dev.trainyard.activities.runtime.LineageRecorder;
import dev.trainyard.activities.runtime.ModelFolders;
import dev.trainyard.activities.runtime.OpenLineageInterceptor;
import dev.trainyard.activities.runtime.RunDatasets;
import dev.trainyard.activities.runtime.SparkJobs;
import dev.trainyard.registry.Metric;
import dev.trainyard.registry.MlflowException;
import dev.trainyard.spark.drift.DriftLimits;
import dev.trainyard.spark.drift.DriftReportHtml;
import dev.trainyard.spark.io.DataInputException;
import dev.trainyard.spark.io.DatasetFingerprint;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.io.Fingerprints;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.spark.scoring.ScoringJob;
import dev.trainyard.spark.scoring.ScoringReport;
import dev.trainyard.spark.scoring.ScoringRequest;
import dev.trainyard.spark.scoring.ShadowComparison;
import dev.trainyard.spark.scoring.ShadowModel;
import dev.trainyard.workflows.pipeline.Payloads.PipelineRun;
import dev.trainyard.workflows.scoring.IfOutputExists;
import dev.trainyard.workflows.scoring.ScoringActivities;
import dev.trainyard.workflows.scoring.ScoringPayloads.ResolvedModel;
import dev.trainyard.workflows.scoring.ScoringPayloads.ScoreBatchRequest;
import dev.trainyard.workflows.scoring.ScoringPayloads.ScoreBatchResult;
import dev.trainyard.workflows.scoring.ScoringPayloads.ShadowSummary;
import dev.trainyard.workflows.scoring.ScoringSpec;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The scoring step: fetches the pinned model version once per worker, runs {@link ScoringJob}, then
 * reports to the scoring run (metrics, report artifact) and records lineage (input fingerprint →
 * model version → output). A retry replaces the output, never adds to it.
 */
public class ScoringDataActivitiesImpl implements ScoringActivities.Data {
  private final ActivityEnvironment env;
  private final LineageRecorder lineage;
  private final SparkJobs jobs;
  private final ModelFolders models;

  public ScoringDataActivitiesImpl(ActivityEnvironment env) {
    this(env, SparkJobs.inProcess());
  }

  public ScoringDataActivitiesImpl(ActivityEnvironment env, SparkJobs jobs) {
    this.env = env;
    this.jobs = jobs;
    this.models = ModelFolders.in(env);
    this.lineage = new LineageRecorder(env, env.workDir().resolve("lineage"));
  }

  @Override
  public ScoreBatchResult scoreBatch(ScoreBatchRequest r) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    Instant start = Instant.now();
    ScoringSpec spec = r.spec();
    ResolvedModel model = r.model();
    PipelineRun run = r.run();
    SparkSession spark = SparkSessions.local();
    try {
      if (spec.ifOutputExistsPolicy() == IfOutputExists.SKIP
          && ScoringJob.isPublished(spark, spec.output())) {
        env.mlflow()
            .tracking()
            .setTag(run.runId(), "trainyard.skipped", "output already published");
        return ScoreBatchResult.skipped(spec.output(), spec.quarantine());
      }
      Path modelDir;
      Path shadowDir = null;
      ResolvedModel shadow = r.shadow();
      // Heartbeats while a large model downloads, so the attempt is not taken for lost.
      try (Heartbeat hb = Heartbeat.every(ctx, 1)) {
        modelDir = models.fetch(model.name(), model.version(), model.source());
        if (shadow != null) {
          shadowDir = models.fetch(shadow.name(), shadow.version(), shadow.source());
        }
      }
      ScoringReport report =
          jobs.score(
              ctx,
              ScoringRequest.builder()
                  .setInput(new DatasetInput(spec.input(), spec.format()))
                  .setModelDir(modelDir.toString())
                  .setModelName(model.name())
                  .setModelVersion(model.version())
                  .setScoringRunId(ctx.getInfo().getWorkflowId())
                  .optKeyColumns(spec.keys())
                  .setOutputUri(spec.output())
                  .setQuarantineUri(spec.quarantine())
                  .optBatchSize(spec.batchSize())
                  .optPartitions(spec.partitions())
                  .optMaxQuarantineFraction(spec.maxQuarantineFraction())
                  .optWorkflowRunId(ctx.getInfo().getRunId())
                  .optShadow(
                      shadow == null
                          ? null
                          : new ShadowModel(
                              shadowDir.toString(),
                              shadow.name(),
                              shadow.version(),
                              spec.shadowOutput()))
                  .build());
      env.metrics()
          .rowsScored(model.name(), report.rowsIn(), report.scored(), report.quarantined());
      DatasetFingerprint fp;
      try (Heartbeat hb = Heartbeat.every(ctx, 1)) {
        fp = Fingerprints.of(spec.input());
      }
      String maxFeature = null;
      double maxPsi = 0;
      for (var e : report.psi().entrySet()) {
        if (e.getValue() > maxPsi) {
          maxPsi = e.getValue();
          maxFeature = e.getKey();
        }
      }
      DriftLimits limits = driftLimits(spec);
      List<DriftLimits.Violation> violations =
          limits.violations(report.missingChange(), report.unseenShare(), report.predictionPsi());
      List<String> driftFlags = violations.stream().map(DriftLimits.Violation::describe).toList();
      String reportUri = logReport(ctx, run, report, maxPsi, driftFlags);
      logDriftHtml(
          ctx,
          run,
          DriftReportHtml.render(
              model.ref() + " on " + spec.input(),
              report.psi(),
              report.missingChange(),
              report.unseenShare(),
              report.predictionPsi(),
              limits,
              spec.retrain() == null ? null : spec.retrain().maxPsi(),
              violations));
      env.mlflow()
          .tracking()
          .logInputs(
              run.runId(),
              List.of(RunDatasets.scoring(spec.input(), fp.sha256(), report.rowsIn())));
      // Schema facets of the batch (Parquet) and of everything published, from their footers.
      if ("parquet".equals(spec.format())) {
        OpenLineageInterceptor.parquetSchema(spark, spec.input());
      }
      for (LineageRecord.Dataset published : outputs(spec, report)) {
        OpenLineageInterceptor.parquetSchema(spark, published.uri());
      }
      lineage.record(
          run,
          ctx.getInfo(),
          "score",
          start,
          List.of(
              new LineageRecord.Dataset(spec.input(), fp.sha256(), report.rowsIn()),
              new LineageRecord.Dataset("models:/" + model.ref(), null, null)),
          outputs(spec, report),
          Map.of(
              "model",
              model.ref(),
              "resolvedFrom",
              model.alias() == null ? model.ref() : model.name() + "@" + model.alias(),
              "date",
              spec.date(),
              "batchSize",
              String.valueOf(spec.batchSize())),
          false);
      return ScoreBatchResult.builder()
          .setRowsIn(report.rowsIn())
          .setScored(report.scored())
          .setQuarantined(report.quarantined())
          .optQuarantineReasons(report.quarantineReasons())
          .optPredictionDistribution(report.predictionDistribution())
          .optPsi(report.psi())
          .optMaxPsi(maxPsi, maxFeature)
          .optDriftFlags(driftFlags)
          .optPredictionPsi(report.predictionPsi())
          .setRowsPerSecond(report.rowsPerSecond())
          .setOutputUri(spec.output())
          .setQuarantineUri(spec.quarantine())
          .optReportUri(reportUri)
          .optShadow(summary(report.shadow()))
          .build();
    } catch (DataInputException e) {
      throw Failures.badInput("BadInputData", e.getMessage());
    } catch (IllegalArgumentException e) {
      throw Failures.badInput("BadScoringRequest", e.getMessage());
    } catch (MlflowException e) {
      throw Failures.fromMlflow(e);
    } catch (Exception e) {
      // S3 or Spark trouble (a SparkException is checked, yet thrown undeclared): retried, with a
      // message the history can hold.
      throw Failures.retryable(e);
    }
  }

  /** The drift report as {@code scoring/drift-report.html} on the run (MLflow shows it inline). */
  private void logDriftHtml(ActivityExecutionContext ctx, PipelineRun run, String html)
      throws IOException {
    Path dir =
        Files.createDirectories(
            env.workDir().resolve(ctx.getInfo().getWorkflowId()).resolve("score"));
    Path file = Files.writeString(dir.resolve("drift-report.html"), html);
    env.mlflow().artifacts().upload(run.artifactUri(), file, "scoring/drift-report.html");
  }

  /** The spec's drift limits, the defaults where it leaves them out. */
  static DriftLimits driftLimits(ScoringSpec spec) {
    ScoringSpec.Drift d = spec.drift();
    return d == null
        ? DriftLimits.defaults()
        : DriftLimits.of(d.maxMissingChange(), d.maxUnseenShare(), d.maxPredictionPsi());
  }

  /** The published outputs, the side-by-side shadow output among them when there is one. */
  private static List<LineageRecord.Dataset> outputs(ScoringSpec spec, ScoringReport report) {
    List<LineageRecord.Dataset> out = new ArrayList<>();
    out.add(new LineageRecord.Dataset(spec.output(), null, report.scored()));
    out.add(new LineageRecord.Dataset(spec.quarantine(), null, report.quarantined()));
    if (report.shadow() != null) {
      out.add(new LineageRecord.Dataset(spec.shadowOutput(), null, report.shadow().rows()));
    }
    return out;
  }

  private static ShadowSummary summary(ShadowComparison c) {
    return c == null
        ? null
        : new ShadowSummary(
            c.modelName() + "/" + c.modelVersion(),
            c.outputUri(),
            c.rows(),
            c.agreement(),
            c.meanAbsDifference(),
            c.predictionPsi());
  }

  private String logReport(
      ActivityExecutionContext ctx,
      PipelineRun run,
      ScoringReport report,
      double maxPsi,
      List<String> driftFlags)
      throws IOException {
    Path dir =
        Files.createDirectories(
            env.workDir().resolve(ctx.getInfo().getWorkflowId()).resolve("score"));
    Path file = Files.writeString(dir.resolve("report.json"), report.toJson());
    env.mlflow().artifacts().upload(run.artifactUri(), file, "scoring/report.json");
    List<Metric> metrics = new ArrayList<>();
    Map<String, Double> values = new LinkedHashMap<>();
    values.put("rows_in", (double) report.rowsIn());
    values.put("rows_scored", (double) report.scored());
    values.put("rows_quarantined", (double) report.quarantined());
    values.put("rows_per_second", report.rowsPerSecond());
    values.put("seconds", report.seconds());
    values.put("max_psi", maxPsi);
    report.psi().forEach((k, v) -> values.put("psi_" + k, v));
    report.missingChange().forEach((k, v) -> values.put("missing_change_" + k, v));
    report.unseenShare().forEach((k, v) -> values.put("unseen_share_" + k, v));
    if (report.predictionPsi() != null) {
      values.put("prediction_psi", report.predictionPsi());
    }
    values.put("drift_flags", (double) driftFlags.size());
    report.predictionDistribution().forEach((k, v) -> values.put("prediction_" + k, v));
    report.quarantineReasons().forEach((k, v) -> values.put("quarantined_" + k, (double) v));
    ShadowComparison shadow = report.shadow();
    if (shadow != null) {
      env.mlflow()
          .tracking()
          .setTag(
              run.runId(), "trainyard.shadow", shadow.modelName() + "/" + shadow.modelVersion());
      if (shadow.agreement() != null) {
        values.put("shadow_agreement", shadow.agreement());
      }
      if (shadow.meanAbsDifference() != null) {
        values.put("shadow_mean_abs_difference", shadow.meanAbsDifference());
      }
      values.put("shadow_prediction_psi", shadow.predictionPsi());
    }
    values.forEach((k, v) -> metrics.add(Metric.of(k.replaceAll("[^A-Za-z0-9_./ -]", "_"), v, 0)));
    env.mlflow().tracking().logMetrics(run.runId(), metrics);
    if (!driftFlags.isEmpty()) {
      // Tag values are short; the report artifact holds every number.
      String flags = String.join("; ", driftFlags);
      env.mlflow()
          .tracking()
          .setTag(
              run.runId(),
              "trainyard.drift_flags",
              flags.length() > 4000 ? flags.substring(0, 4000) + "…" : flags);
    }
    return run.artifactUri() + "/scoring/report.json";
  }
}
