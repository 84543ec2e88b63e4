package dev.trainyard.activities.pipeline;

import dev.trainyard.activities.runtime.ActivityEnvironment;
import dev.trainyard.activities.runtime.Failures;
import dev.trainyard.activities.runtime.Heartbeat;
import dev.trainyard.activities.runtime.LineageRecord;
import dev.trainyard.activities.runtime.LineageRecorder;
import dev.trainyard.activities.runtime.ModelFolders;
import dev.trainyard.registry.Metric;
import dev.trainyard.registry.MlflowException;
import dev.trainyard.spark.features.FeatureJob;
import dev.trainyard.spark.features.FeatureManifest;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.training.DeviceOptions;
import dev.trainyard.training.EpochMetrics;
import dev.trainyard.training.Evaluation;
import dev.trainyard.training.EvaluationPlots;
import dev.trainyard.training.ModelSpec;
import dev.trainyard.training.Trainer;
import dev.trainyard.training.TrainingDataException;
import dev.trainyard.training.TrainingResult;
import dev.trainyard.training.TrainingStoppedException;
import dev.trainyard.training.TrainingTask;
import dev.trainyard.workflows.pipeline.Payloads;
import dev.trainyard.workflows.pipeline.Payloads.CompareRequest;
import dev.trainyard.workflows.pipeline.Payloads.Comparison;
import dev.trainyard.workflows.pipeline.Payloads.EvaluateRequest;
import dev.trainyard.workflows.pipeline.Payloads.FeaturesResult;
import dev.trainyard.workflows.pipeline.Payloads.TrainRequest;
import dev.trainyard.workflows.pipeline.Payloads.TrainResult;
import dev.trainyard.workflows.pipeline.PipelineActivities;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TaskKind;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.WorkflowClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DJL steps. Training checkpoints every epoch into a folder derived from the workflow id, and
 * heartbeats {@code {epoch, checkpoint}}: a retried attempt (say, after the worker was killed)
 * finds the folder and resumes after the last finished epoch.
 */
public class TrainingActivitiesImpl implements PipelineActivities.Training {
  private static final Logger log = LoggerFactory.getLogger(TrainingActivitiesImpl.class);
  private final ActivityEnvironment env;
  private final WorkflowClient client;
  private final LineageRecorder lineage;

  public TrainingActivitiesImpl(ActivityEnvironment env, WorkflowClient client) {
    this.env = env;
    this.client = client;
    this.lineage = new LineageRecorder(env, env.workDir().resolve("lineage"));
  }

  /** The champion's model version folder, fetched once per worker and verified. */
  static Path championFolder(
      ActivityEnvironment env, PipelineSpec spec, Payloads.Champion champion) {
    // modelUri names the DJL folder inside the version's files; the version is its parent.
    String source = champion.modelUri().substring(0, champion.modelUri().lastIndexOf('/'));
    return ModelFolders.in(env).fetch(spec.registeredModel(), champion.version(), source);
  }

  /** Heartbeat details of the training activity: what a retry resumes from. */
  public record TrainingHeartbeat(int epoch, String checkpoint) {}

  static ModelSpec modelSpec(PipelineSpec.Model m) {
    ModelSpec.Type type =
        switch (m.modelType()) {
          case MLP -> ModelSpec.Type.MLP;
          case LINEAR -> ModelSpec.Type.LINEAR;
        };
    ModelSpec.DeviceChoice device =
        switch (m.deviceChoice()) {
          case AUTO -> ModelSpec.DeviceChoice.AUTO;
          case CPU -> ModelSpec.DeviceChoice.CPU;
          case GPU -> ModelSpec.DeviceChoice.GPU;
        };
    return ModelSpec.of(type, m.hiddenLayers())
        .withEpochs(m.epochs())
        .withBatchSize(m.batchSize())
        .withLearningRate(m.learningRate())
        .withEarlyStoppingPatience(m.earlyStoppingPatience())
        .withDevice(device)
        .withSeed(m.seed());
  }

  static TrainingTask task(PipelineSpec spec, FeaturesResult f) {
    return switch (spec.taskKind()) {
      case BINARY -> TrainingTask.binary(f.numFeatures());
      case MULTICLASS -> TrainingTask.multiclass(f.numFeatures(), f.numClasses());
      case REGRESSION -> TrainingTask.regression(f.numFeatures());
    };
  }

  @Override
  public TrainResult trainModel(TrainRequest r) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    Instant start = Instant.now();
    Path features = Path.of(URI.create(r.features().featuresUri()));
    // One folder per MLflow run: trials train side by side without sharing checkpoints.
    Path checkpoints =
        env.workDir().resolve(ctx.getInfo().getWorkflowId()).resolve("train-" + r.run().runId());
    String workflowId = ctx.getInfo().getWorkflowId();
    TrainingPipelineWorkflow self =
        client.newWorkflowStub(TrainingPipelineWorkflow.class, workflowId);
    int[] lastEpoch = {
      ctx.getHeartbeatDetails(TrainingHeartbeat.class).map(TrainingHeartbeat::epoch).orElse(0)
    };
    UnloggedMetrics unlogged =
        new UnloggedMetrics(
            checkpoints.resolveSibling(checkpoints.getFileName() + ".unlogged.json"));
    Heartbeat hb = Heartbeat.every(ctx, 5);
    try (hb) {
      TrainingResult result =
          new Trainer(modelSpec(r.spec().model()), task(r.spec(), r.features()))
              .stopWhen(hb::stopRequested)
              .withDeviceOptions(deviceOptions(r.spec().training()))
              .train(
                  features.resolve("train"),
                  features.resolve("validation"),
                  checkpoints,
                  m -> onEpoch(hb, r, self, m, lastEpoch, unlogged));
      // Epochs whose metrics MLflow did not take (it was away): logged now, or this attempt fails
      // and the retry, resuming after the last epoch, logs them.
      unlogged.flush(env.mlflow().tracking(), r.run().runId());
      env.mlflow()
          .tracking()
          .setTags(
              r.run().runId(),
              Map.of(
                  "trainyard.device", result.device(),
                  "trainyard.device_choice", result.deviceChoice(),
                  "trainyard.resumed_from_epoch", Integer.toString(result.resumedFromEpoch()),
                  "trainyard.best_epoch", Integer.toString(result.bestEpoch())));
      lineage.record(
          r.run(),
          ctx.getInfo(),
          "train",
          start,
          List.of(
              new LineageRecord.Dataset(
                  r.features().featuresUri() + "/train", null, r.features().trainRows()),
              new LineageRecord.Dataset(
                  r.features().featuresUri() + "/validation", null, r.features().validationRows())),
          List.of(new LineageRecord.Dataset(result.modelDir().toUri().toString(), null, null)),
          Map.of(
              "model", String.valueOf(r.spec().model()),
              "device", result.device(),
              "deviceChoice", result.deviceChoice(),
              "resumedFromEpoch", Integer.toString(result.resumedFromEpoch())),
          false);
      return new TrainResult(
          result.modelDir().toUri().toString(),
          result.epochsRun(),
          result.bestEpoch(),
          result.resumedFromEpoch(),
          result.bestValidationMetrics(),
          result.device());
    } catch (MlflowException e) {
      throw Failures.fromMlflow(e);
    } catch (TrainingStoppedException e) {
      // Cancelled or timed out: end as Temporal said, leaving the checkpoints for a retry.
      hb.throwIfStopped();
      throw e;
    } catch (TrainingDataException e) {
      throw Failures.badInput("BadTrainingData", e.getMessage());
    } catch (IllegalStateException e) {
      throw Failures.badInput("TrainingSetupError", e.getMessage());
    }
  }

  private void onEpoch(
      Heartbeat hb,
      TrainRequest r,
      TrainingPipelineWorkflow self,
      EpochMetrics m,
      int[] lastEpoch,
      UnloggedMetrics unlogged) {
    hb.progress(new TrainingHeartbeat(m.epoch(), m.checkpoint().toString()));
    lastEpoch[0] = m.epoch();
    env.metrics()
        .epoch(
            r.spec().name(),
            r.spec().registeredModel(),
            m.trainRows(),
            m.trainSeconds(),
            m.dataWaitSeconds());
    List<Metric> metrics = new ArrayList<>();
    Instant now = Instant.now();
    metrics.add(new Metric("train_loss", m.trainLoss(), m.epoch(), now));
    metrics.add(new Metric("val_loss", m.validationLoss(), m.epoch(), now));
    m.validationMetrics().forEach((k, v) -> metrics.add(new Metric("val_" + k, v, m.epoch(), now)));
    // The epoch's checkpoint is already written, so a retry would not redo it: failing here on an
    // unreachable MLflow would lose its metrics. Keep them on disk and keep training instead.
    unlogged.add(metrics);
    try {
      unlogged.flush(env.mlflow().tracking(), r.run().runId());
    } catch (MlflowException e) {
      if (!e.isRetryable()) {
        throw e;
      }
      unlogged.save();
      log.warn(
          "epoch {}: MLflow unavailable, its metrics wait in {} ({})",
          m.epoch(),
          unlogged.file,
          e.getMessage());
    }
    Map<String, Double> shown = new LinkedHashMap<>();
    shown.put("train_loss", m.trainLoss());
    shown.put("val_" + m.primaryMetric(), m.primaryValue());
    try {
      self.epochDone(m.epoch(), shown);
    } catch (RuntimeException ignored) {
      // progress display only: never fail training because a signal did not go through
    }
  }

  /**
   * Epoch metrics MLflow has not taken yet, kept in a file beside the checkpoints so that neither
   * an MLflow outage nor a retried attempt loses an epoch's numbers.
   */
  static final class UnloggedMetrics {
    final Path file;
    private final List<Metric> pending = new ArrayList<>();

    UnloggedMetrics(Path file) {
      this.file = file;
      if (Files.isRegularFile(file)) {
        try {
          pending.addAll(List.of(LineageRecorder.JSON.readValue(file.toFile(), Metric[].class)));
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read unlogged metrics " + file, e);
        }
      }
    }

    void add(List<Metric> metrics) {
      pending.addAll(metrics);
    }

    /** Logs everything pending; throws (keeping it pending) when MLflow does not take it. */
    void flush(dev.trainyard.registry.TrackingClient tracking, String runId) {
      if (pending.isEmpty()) {
        return;
      }
      tracking.logMetrics(runId, pending);
      pending.clear();
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete " + file, e);
      }
    }

    void save() {
      try {
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        LineageRecorder.JSON.writeValue(temp.toFile(), pending);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write unlogged metrics " + file, e);
      }
    }
  }

  @Override
  public Map<String, Double> evaluateModel(EvaluateRequest r) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    Instant start = Instant.now();
    Path features = Path.of(URI.create(r.features().featuresUri()));
    try (Heartbeat hb = Heartbeat.every(ctx, 10)) {
      if (r.champion() == null) {
        Path modelDir = Path.of(URI.create(r.modelUri()));
        Evaluation.Evaluated evaluated =
            Evaluation.evaluateWithCurves(modelDir, features.resolve("test"));
        // Beside the parameters, so registration packs it into the version (model/djl/) and
        // scoring reads it from there: prediction drift's reference. The same evaluation writes
        // the same file, so a retry changes nothing.
        evaluated.reference().writeTo(modelDir);
        Map<String, Double> metrics = evaluated.metrics();
        List<Metric> logged = new ArrayList<>();
        Instant now = Instant.now();
        metrics.forEach((k, v) -> logged.add(new Metric("test_" + k, v, 0, now)));
        env.mlflow().tracking().logMetrics(r.run().runId(), logged);
        String plots = uploadPlots(ctx, r, features, evaluated);
        lineage.record(
            r.run(),
            ctx.getInfo(),
            "evaluate",
            start,
            List.of(
                new LineageRecord.Dataset(
                    r.features().featuresUri() + "/test", null, r.features().testRows()),
                new LineageRecord.Dataset(r.modelUri(), null, null)),
            List.of(),
            Map.of("metrics", String.valueOf(metrics), "plots", plots),
            false);
        return metrics;
      }
      Map<String, Double> metrics = evaluateChampion(ctx, r, features);
      List<Metric> logged = new ArrayList<>();
      Instant now = Instant.now();
      metrics.forEach((k, v) -> logged.add(new Metric("champion_test_" + k, v, 0, now)));
      env.mlflow().tracking().logMetrics(r.run().runId(), logged);
      return metrics;
    } catch (MlflowException e) {
      throw Failures.fromMlflow(e);
    } catch (TrainingDataException e) {
      throw Failures.badInput("BadTrainingData", e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Draws the evaluation plots ({@link EvaluationPlots}) and uploads them under {@code plots/} on
   * the training run, the run the registered model version points at. Only the files travel, to
   * MLflow: nothing of them goes into a Temporal payload. A retry draws and uploads them again,
   * replacing the same names. A chart that cannot be drawn (say, a JVM without java.desktop's
   * natives or fonts) is logged and noted on the run ({@code trainyard.plots} tag), and does not
   * fail the evaluation; an upload MLflow refuses does, as every other artifact does.
   *
   * @return what was uploaded, for the lineage record
   */
  private String uploadPlots(
      ActivityExecutionContext ctx,
      EvaluateRequest r,
      Path features,
      Evaluation.Evaluated evaluated)
      throws IOException {
    Path dir =
        env.workDir().resolve(ctx.getInfo().getWorkflowId()).resolve("plots-" + r.run().runId());
    List<Path> files;
    try {
      List<String> classNames = null;
      Path manifest = features.resolve("features.json");
      if (Files.isRegularFile(manifest)) {
        classNames = FeatureManifest.fromJson(Files.readString(manifest)).labels();
      }
      files = EvaluationPlots.write(evaluated.curves(), classNames, dir);
    } catch (RuntimeException | LinkageError | java.awt.AWTError e) {
      log.warn("evaluation plots could not be drawn; the run gets none", e);
      env.mlflow()
          .tracking()
          .setTag(
              r.run().runId(),
              "trainyard.plots",
              "not drawn: "
                  + String.valueOf(e).substring(0, Math.min(500, String.valueOf(e).length())));
      return "not drawn: " + e;
    }
    env.mlflow().artifacts().upload(r.run().artifactUri(), dir, PLOTS);
    return files.stream().map(f -> PLOTS + "/" + f.getFileName()).toList().toString();
  }

  /** The artifact folder of the evaluation plots on the training run. */
  public static final String PLOTS = "plots";

  @Override
  public Comparison compareWithChampion(CompareRequest r) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    Instant start = Instant.now();
    try (Heartbeat hb = Heartbeat.every(ctx, 10)) {
      ChampionComparison.Outcome outcome =
          new ChampionComparison(env).run(ctx.getInfo().getWorkflowId(), r);
      Comparison c = outcome.comparison();
      lineage.record(
          r.run(),
          ctx.getInfo(),
          "compare",
          start,
          List.of(
              new LineageRecord.Dataset(
                  r.features().featuresUri() + "/raw test rows", null, outcome.rows()),
              new LineageRecord.Dataset(r.candidateModelUri(), null, null),
              new LineageRecord.Dataset(
                  "models:/" + r.spec().registeredModel() + "/" + r.champion().version(),
                  null,
                  null)),
          List.of(new LineageRecord.Dataset(c.reportUri(), null, null)),
          Map.of(
              "confidence", String.valueOf(r.spec().gate().confidence()),
              "resamples", String.valueOf(c.resamples()),
              "segments", String.valueOf(r.spec().gate().segments()),
              "bootstrapSeconds",
                  String.format(java.util.Locale.ROOT, "%.3f", c.bootstrapSeconds())),
          false);
      log.info(
          "compared with champion {} on {} paired rows; bootstrap {} s",
          r.champion().version(),
          outcome.rows(),
          String.format(java.util.Locale.ROOT, "%.3f", c.bootstrapSeconds()));
      return c;
    } catch (MlflowException e) {
      throw Failures.fromMlflow(e);
    } catch (TrainingDataException e) {
      throw Failures.badInput("BadTrainingData", e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The champion scores the same raw test rows through its own feature pipeline, so the comparison
   * is fair even when the feature spec changed between the two.
   */
  private Map<String, Double> evaluateChampion(
      ActivityExecutionContext ctx, EvaluateRequest r, Path features) throws IOException {
    Path dir =
        env.workDir()
            .resolve(ctx.getInfo().getWorkflowId())
            .resolve("champion-" + r.champion().version());
    Path version = championFolder(env, r.spec(), r.champion());
    Path model = version.resolve(ModelPackager.DJL);
    Path pipeline = version.resolve(ModelPackager.FEATURE_PIPELINE);
    Path manifestFile = version.resolve("features.json");
    FeatureManifest manifest = FeatureManifest.fromJson(Files.readString(manifestFile));
    SparkSession spark = SparkSessions.local();
    PipelineSpec spec = r.spec();
    Dataset<Row> rawTest = DataActivitiesImpl.rawTestRows(spark, spec);
    Dataset<Row> scored = FeatureJob.applyPipeline(spark, pipeline.toUri().toString(), rawTest);
    org.apache.spark.sql.Column label = functions.col(spec.label());
    if (spec.taskKind() != TaskKind.REGRESSION) {
      // The champion's own label order: the index it was trained to predict for each value.
      org.apache.spark.sql.Column idx = functions.lit(-1.0);
      for (int i = manifest.labels().size() - 1; i >= 0; i--) {
        idx =
            functions
                .when(label.cast("string").equalTo(manifest.labels().get(i)), (double) i)
                .otherwise(idx);
      }
      label = idx;
    }
    Path out = dir.resolve("test-features");
    scored
        .select(functions.col("features"), label.cast("double").as("label"))
        .where(functions.col("label").geq(0))
        .write()
        .mode("overwrite")
        .parquet(out.toUri().toString());
    return Evaluation.evaluate(model, out);
  }

  /** The spec's {@code training} section as the trainer's options; defaults where left out. */
  static DeviceOptions deviceOptions(PipelineSpec.Training t) {
    DeviceOptions options = DeviceOptions.defaults();
    if (t == null) {
      return options;
    }
    if (t.gpuBatchSize() != null) {
      options = options.withGpuBatchSize(t.gpuBatchSize());
    }
    if (t.learningRateScaling() != null) {
      options =
          options.withLearningRateScaling(
              DeviceOptions.LearningRateScaling.of(t.learningRateScaling()));
    }
    if (t.residentShare() != null) {
      options = options.withResidentShare(t.residentShare());
    }
    return options;
  }
}
