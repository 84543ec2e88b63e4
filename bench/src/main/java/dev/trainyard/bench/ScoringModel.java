package dev.trainyard.bench;

import dev.trainyard.spark.features.FeatureColumns;
import dev.trainyard.spark.features.FeatureJob;
import dev.trainyard.spark.features.FeatureManifest;
import dev.trainyard.spark.features.SplitSpec;
import dev.trainyard.spark.io.DatasetInput;
import dev.trainyard.spark.validation.DataProfile;
import dev.trainyard.spark.validation.DataValidation;
import dev.trainyard.training.EpochListener;
import dev.trainyard.training.ModelSpec;
import dev.trainyard.training.Trainer;
import dev.trainyard.training.TrainingResult;
import dev.trainyard.training.TrainingTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * A model folder as the activities lay it out for scoring ({@code djl/}, {@code feature-pipeline/},
 * {@code features.json}, {@code training-profile.json}), built from a Parquet sample: {@link
 * FeatureJob#fitAndWrite} with the given columns (and their transform), the training module's
 * {@link Trainer} (binary MLP [32, 16], 3 epochs, batch 512, cpu, seed 7) and the sample's {@code
 * DataProfile} (so scoring computes PSI).
 */
record ScoringModel(Path dir, FeatureManifest manifest, Map<String, Double> validationMetrics) {

  static ScoringModel build(
      SparkSession spark, Path sample, FeatureColumns columns, Path build, Path dir)
      throws IOException {
    String sampleUri = sample.toUri().toString();
    Path features = build.resolve("features");
    FeatureJob.fitAndWrite(
        spark,
        DatasetInput.parquet(sampleUri),
        columns,
        new SplitSpec(0.8, 0.2, 0, 42),
        features.toUri().toString());
    FeatureManifest manifest =
        FeatureManifest.fromJson(Files.readString(features.resolve("features.json")));
    TrainingResult trained =
        new Trainer(
                ModelSpec.mlp(List.of(32, 16))
                    .withEpochs(3)
                    .withBatchSize(512)
                    .withLearningRate(0.005)
                    .withEarlyStoppingPatience(0)
                    .withDevice(ModelSpec.DeviceChoice.CPU)
                    .withSeed(7),
                TrainingTask.binary(manifest.numFeatures()))
            .train(
                features.resolve("train"),
                features.resolve("validation"),
                build.resolve("checkpoints"),
                EpochListener.NONE);
    DataProfile profile =
        DataValidation.validate(spark, DatasetInput.parquet(sampleUri), columns, null, null)
            .profile();
    ScoringBench.copyTree(trained.modelDir(), dir.resolve("djl"));
    ScoringBench.copyTree(features.resolve("pipeline"), dir.resolve("feature-pipeline"));
    Files.copy(features.resolve("features.json"), dir.resolve("features.json"));
    Files.writeString(dir.resolve("training-profile.json"), profile.toJson());
    return new ScoringModel(dir, manifest, trained.bestValidationMetrics());
  }
}
