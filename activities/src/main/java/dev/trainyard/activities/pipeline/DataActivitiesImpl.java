package dev.trainyard.activities.pipeline;

import dev.trainyard.activities.runtime.ActivityEnvironment;
import dev.trainyard.activities.runtime.Failures;
import dev.trainyard.activities.runtime.Heartbeat;
import dev.trainyard.activities.runtime.LineageRecord;
import dev.trainyard.activities.runtime.LineageRecorder;
import dev.trainyard.activities.runtime.OpenLineageInterceptor;
import dev.trainyard.activities.runtime.RunDatasets;
import dev.trainyard.activities.runtime.SparkJobs;
import dev.trainyard.registry.MlflowException;
import dev.trainyard.spark.features.FeatureColumns;
import dev.trainyard.spark.features.FeatureJob;
import dev.trainyard.spark.features.FeatureManifest;
import dev.trainyard.spark.features.FeatureResult;
import dev.trainyard.spark.features.FeatureTransform;
import dev.trainyard.spark.features.SplitSpec;
import dev.trainyard.spark.io.DataInputException;
import dev.trainyard.spark.io.DatasetFingerprint;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.io.Fingerprints;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.spark.validation.DataProfile;
import dev.trainyard.spark.validation.ValidationReport;
import dev.trainyard.spark.validation.ValidationReportHtml;
import dev.trainyard.spark.validation.ValidationRules;
import dev.trainyard.workflows.pipeline.Payloads.BuildFeaturesRequest;
import dev.trainyard.workflows.pipeline.Payloads.FeaturesResult;
import dev.trainyard.workflows.pipeline.Payloads.ValidateDataRequest;
import dev.trainyard.workflows.pipeline.Payloads.ValidationResult;
import dev.trainyard.workflows.pipeline.PipelineActivities;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TaskKind;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Spark steps: validation and the (memoized) feature build. */
public class DataActivitiesImpl implements PipelineActivities.Data {
  private final ActivityEnvironment env;
  private final LineageRecorder lineage;
  private final SparkJobs jobs;

  public DataActivitiesImpl(ActivityEnvironment env) {
    this(env, SparkJobs.inProcess());
  }

  public DataActivitiesImpl(ActivityEnvironment env, SparkJobs jobs) {
    this.env = env;
    this.jobs = jobs;
    this.lineage = new LineageRecorder(env, env.workDir().resolve("lineage"));
  }

  static DatasetInput input(PipelineSpec spec) {
    String uri = spec.dataset().uri();
    return new DatasetInput(uri.startsWith("/") ? "file://" + uri : uri, spec.dataset().format());
  }

  static SplitSpec split(PipelineSpec spec) {
    return new SplitSpec(
        spec.split().train(), spec.split().validation(), spec.split().test(), spec.split().seed());
  }

  /**
   * The spec's raw test rows, as the feature job split them: what the champion and the challenger
   * are both evaluated on.
   */
  static Dataset<Row> rawTestRows(SparkSession spark, PipelineSpec spec) {
    return FeatureJob.rawSplit(spark, input(spec), columns(spec), split(spec), "test");
  }

  static FeatureColumns columns(PipelineSpec spec) {
    return new FeatureColumns(
        spec.label(),
        spec.task(),
        spec.features().numeric(),
        spec.features().categorical(),
        spec.features().keys(),
        transform(spec));
  }

  /**
   * The spec's {@code transform:} steps and {@code trainingFilter:}, as the Spark jobs take them.
   */
  static FeatureTransform transform(PipelineSpec spec) {
    List<FeatureTransform.Step> steps =
        spec.transform() == null
            ? List.of()
            : spec.transform().stream().map(DataActivitiesImpl::step).toList();
    Map<String, FeatureTransform.Encoding> encodings = new java.util.TreeMap<>();
    if (spec.features().encoding() != null) {
      spec.features()
          .encoding()
          .forEach((c, e) -> encodings.put(c, new FeatureTransform.Encoding(e.hash(), e.topK())));
    }
    PipelineSpec.TrainingFilter f = spec.trainingFilter();
    return new FeatureTransform(
        steps, f == null ? null : f.where(), f == null ? null : f.maxRemovedFraction(), encodings);
  }

  private static FeatureTransform.Step step(PipelineSpec.TransformStep t) {
    PipelineSpec.Datetime d = t.datetime();
    PipelineSpec.Bucketize b = t.bucketize();
    PipelineSpec.Text x = t.text();
    PipelineSpec.Lookup l = t.lookup();
    return new FeatureTransform.Step(
        t.sql(),
        d == null ? null : new FeatureTransform.Datetime(d.column(), d.pattern(), d.parts()),
        b == null
            ? null
            : new FeatureTransform.Bucketize(b.column(), b.quantiles(), b.edges(), b.output()),
        x == null ? null : new FeatureTransform.Text(x.column(), x.numFeatures(), x.output()),
        l == null
            ? null
            : new FeatureTransform.Lookup(
                lookupUri(l.table()), l.format(), l.key(), l.columns(), null));
  }

  private static String lookupUri(String table) {
    return table != null && table.startsWith("/") ? "file://" + table : table;
  }

  /**
   * The fingerprints of the spec's lookup tables, in step order ("none" without any): part of the
   * feature cache key, since a changed table changes the features.
   */
  static String lookupFingerprints(PipelineSpec spec) {
    List<String> prints = new java.util.ArrayList<>();
    FeatureTransform t = transform(spec);
    for (int i = 0; i < t.steps().size(); i++) {
      FeatureTransform.Lookup l = t.steps().get(i).lookup();
      if (l != null) {
        try {
          prints.add(l.table() + "=" + Fingerprints.of(l.table()).sha256());
        } catch (DataInputException e) {
          throw new DataInputException(
              FeatureTransform.where(i, t.steps().get(i))
                  + ": cannot read the lookup table: "
                  + e.getMessage(),
              e);
        }
      }
    }
    return prints.isEmpty() ? "none" : String.join(",", prints);
  }

  @Override
  public ValidationResult validateData(ValidateDataRequest r) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    Instant start = Instant.now();
    PipelineSpec spec = r.spec();
    DatasetInput input = input(spec);
    try {
      DataProfile championProfile = null;
      if (r.champion() != null && r.champion().profileUri() != null) {
        championProfile =
            DataProfile.fromJson(download(r.champion().profileUri(), ctx, "champion-profile.json"));
      }
      PipelineSpec.Validation v = spec.validation();
      ValidationReport report =
          jobs.validate(
              ctx,
              input,
              columns(spec),
              ValidationRules.builder()
                  .optMinRows(v.minRows())
                  .optMaxRows(v.maxRows())
                  .optMaxNullFraction(v.maxNullFraction())
                  .optMaxNullFractionByColumn(v.maxNullFractionByColumn())
                  .optRanges(v.ranges())
                  .optAllowedCategories(v.allowedCategories())
                  .optMaxPsi(v.maxDriftPsi())
                  .build(),
              championProfile);
      // After validation: it is what tells a user plainly that the path is wrong.
      DatasetFingerprint fp;
      try (Heartbeat hb = Heartbeat.every(ctx, 1)) {
        fp = Fingerprints.of(input.uri());
      }
      Path dir = Files.createDirectories(stepDir(ctx, "validate"));
      Path reportFile = Files.writeString(dir.resolve("report.json"), report.toJson());
      Path summaryFile = Files.writeString(dir.resolve("summary.txt"), report.summary());
      Path profileFile = Files.writeString(dir.resolve("profile.json"), report.profile().toJson());
      Path htmlFile =
          Files.writeString(
              dir.resolve("report.html"),
              ValidationReportHtml.render(input.uri(), report, championProfile));
      String root = r.run().artifactUri();
      env.mlflow().artifacts().upload(root, reportFile, "validation/report.json");
      env.mlflow().artifacts().upload(root, summaryFile, "validation/summary.txt");
      env.mlflow().artifacts().upload(root, profileFile, "validation/profile.json");
      env.mlflow().artifacts().upload(root, htmlFile, "validation/report.html");
      env.mlflow()
          .tracking()
          .setTags(
              r.run().runId(),
              Map.of(
                  "trainyard.validation", report.passed() ? "passed" : "failed",
                  "trainyard.dataset_sha256", fp.sha256(),
                  "trainyard.dataset_rows", Long.toString(report.rows())));
      env.mlflow().tracking().logMetric(r.run().runId(), "dataset_rows", report.rows(), 0);
      env.metrics().rowsValidated(spec.name(), spec.registeredModel(), report.rows());
      env.mlflow()
          .tracking()
          .logInputs(
              r.run().runId(),
              List.of(RunDatasets.training(spec, input.uri(), fp.sha256(), report)));
      lineage.record(
          r.run(),
          ctx.getInfo(),
          "validate",
          start,
          List.of(new LineageRecord.Dataset(input.uri(), fp.sha256(), report.rows())),
          List.of(new LineageRecord.Dataset(root + "/validation/report.json", null, null)),
          Map.of(
              "rules",
              String.valueOf(v),
              "champion",
              r.champion() == null ? "none" : r.champion().version()),
          false);
      return new ValidationResult(
          report.passed(),
          report.rows(),
          report.violations().stream().map(x -> x.message()).toList(),
          root + "/validation/report.json",
          fp.sha256(),
          profileFile.toUri().toString());
    } catch (DataInputException e) {
      throw Failures.badInput("BadInputData", e.getMessage());
    } catch (MlflowException e) {
      throw Failures.fromMlflow(e);
    } catch (Exception e) {
      // S3 or Spark trouble (a SparkException is checked, yet thrown undeclared): retried, with a
      // message the history can hold.
      throw Failures.retryable(e);
    }
  }

  @Override
  public FeaturesResult buildFeatures(BuildFeaturesRequest r) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    Instant start = Instant.now();
    PipelineSpec spec = r.spec();
    DatasetInput input = input(spec);
    SplitSpec split = split(spec);
    // Same data bytes + same feature spec (lookup tables' bytes included) + same code → the same
    // outputs: reuse them.
    String key;
    try {
      key =
          sha256(
              String.join(
                  "\n",
                  r.fingerprint(),
                  input.format(),
                  String.valueOf(columns(spec)),
                  lookupFingerprints(spec),
                  String.valueOf(split),
                  env.codeVersion()));
    } catch (DataInputException e) {
      throw Failures.badInput("BadInputData", e.getMessage());
    }
    Path out = env.lakeDir().resolve("features").resolve(key);
    String outUri = out.toUri().toString().replaceAll("/$", "");
    boolean hit = Files.exists(out.resolve("_SUCCESS"));
    try {
      FeatureManifest m;
      if (hit) {
        m = FeatureJob.readManifest(spark(), outUri);
      } else {
        Files.createDirectories(out.getParent());
        FeatureResult fr = jobs.features(ctx, input, columns(spec), split, outUri);
        m = FeatureJob.readManifest(spark(), fr.outputUri());
      }
      env.mlflow()
          .tracking()
          .setTags(
              r.run().runId(),
              Map.of(
                  "trainyard.features", outUri, "trainyard.feature_cache", hit ? "hit" : "miss"));
      // The splits, identified by the feature cache key (data fingerprint + spec + code) per split.
      env.mlflow()
          .tracking()
          .logInputs(
              r.run().runId(),
              List.of(
                  RunDatasets.split(
                      outUri + "/validation",
                      sha256(key + "/validation"),
                      m.validationRows(),
                      "validation"),
                  RunDatasets.split(
                      outUri + "/test", sha256(key + "/test"), m.testRows(), "test")));
      // Schema facets of the dataset and of the splits written, as their Parquet footers say.
      if (input.format().equals("parquet")) {
        OpenLineageInterceptor.parquetSchema(spark(), input.uri());
      }
      for (String part : List.of("train", "validation", "test")) {
        OpenLineageInterceptor.parquetSchema(spark(), outUri + "/" + part);
      }
      lineage.record(
          r.run(),
          ctx.getInfo(),
          "features",
          start,
          inputs(input.uri(), r.fingerprint(), m),
          List.of(
              new LineageRecord.Dataset(outUri + "/train", null, m.trainRows()),
              new LineageRecord.Dataset(outUri + "/validation", null, m.validationRows()),
              new LineageRecord.Dataset(outUri + "/test", null, m.testRows()),
              new LineageRecord.Dataset(outUri + "/pipeline", null, null)),
          Map.of(
              "cacheKey",
              key,
              "split",
              String.valueOf(split),
              "numFeatures",
              Integer.toString(m.numFeatures()),
              "transform",
              m.transformOrNone().isEmpty() ? "none" : m.transformOrNone().describe()),
          hit);
      return FeaturesResult.builder()
          .setFeaturesUri(outUri)
          .setCacheKey(key)
          .optCacheHit(hit)
          .setTrainRows(m.trainRows())
          .setValidationRows(m.validationRows())
          .setTestRows(m.testRows())
          .setNumFeatures(m.numFeatures())
          .setNumClasses(spec.taskKind() == TaskKind.REGRESSION ? 1 : m.labels().size())
          .build();
    } catch (DataInputException e) {
      throw Failures.badInput("BadInputData", e.getMessage());
    } catch (MlflowException e) {
      throw Failures.fromMlflow(e);
    } catch (Exception e) {
      // S3 or Spark trouble (a SparkException is checked, yet thrown undeclared): retried, with a
      // message the history can hold.
      throw Failures.retryable(e);
    }
  }

  /** The dataset, and each lookup table with the fingerprint of the snapshot the features used. */
  private static List<LineageRecord.Dataset> inputs(
      String uri, String fingerprint, FeatureManifest m) {
    List<LineageRecord.Dataset> inputs = new java.util.ArrayList<>();
    inputs.add(new LineageRecord.Dataset(uri, fingerprint, null));
    for (FeatureTransform.Lookup l : m.transformOrNone().lookups()) {
      inputs.add(new LineageRecord.Dataset(l.table(), l.sha256(), null));
    }
    return inputs;
  }

  private SparkSession spark() {
    return SparkSessions.local();
  }

  private Path stepDir(ActivityExecutionContext ctx, String step) {
    return env.workDir().resolve(ctx.getInfo().getWorkflowId()).resolve(step);
  }

  private String download(String artifactUri, ActivityExecutionContext ctx, String name)
      throws IOException {
    int slash = artifactUri.lastIndexOf('/');
    Path target = stepDir(ctx, "downloads").resolve(name);
    Files.createDirectories(target.getParent());
    env.mlflow()
        .artifacts()
        .download(artifactUri.substring(0, slash), artifactUri.substring(slash + 1), target);
    return Files.readString(target, StandardCharsets.UTF_8);
  }

  static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
