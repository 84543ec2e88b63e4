package dev.trainyard.spark.scoring;

import dev.trainyard.spark.features.FeatureManifest;
import dev.trainyard.spark.validation.DataProfile;
import dev.trainyard.training.PredictionReference;
import dev.trainyard.training.SavedModel;
import dev.trainyard.training.TrainingTask;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.spark.SparkFiles;

/**
 * The files of one downloaded model version.
 *
 * @param profile the training data's profile (feature drift); null when the version has none
 * @param predictions the test split's prediction distribution ({@code djl/}{@value
 *     PredictionReference#FILE}, prediction drift); null when the version has none
 */
record ModelFolder(
    Path dir,
    Path djl,
    String pipelineUri,
    FeatureManifest manifest,
    DataProfile profile,
    PredictionReference predictions) {

  static ModelFolder open(ScoringRequest request) {
    return open(request.modelDir(), request.modelName(), request.modelVersion());
  }

  /** The folder of {@code modelName}'s {@code modelVersion} (the champion's or a shadow's). */
  static ModelFolder open(String modelDir, String modelName, String modelVersion) {
    Path dir = localPath(modelDir);
    String what = "model '" + modelName + "' version " + modelVersion;
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          "model folder " + dir + " of " + what + " does not exist: download the version first");
    }
    List<String> missing = new ArrayList<>();
    for (String file :
        List.of(
            ScoringJob.DJL + "/model-spec.json",
            ScoringJob.FEATURE_PIPELINE + "/metadata",
            ScoringJob.FEATURES_JSON)) {
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
              + "; scoring needs djl/ (ScoringJob.DJL parameters + model-spec.json), feature-pipeline/"
              + " (the fitted Spark pipeline) and features.json, as a model version's artifacts"
              + " hold them");
    }
    FeatureManifest manifest;
    DataProfile profile = null;
    try {
      manifest = FeatureManifest.fromJson(Files.readString(dir.resolve(ScoringJob.FEATURES_JSON)));
      if (Files.exists(dir.resolve(ScoringJob.PROFILE))) {
        profile = DataProfile.fromJson(Files.readString(dir.resolve(ScoringJob.PROFILE)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the model folder " + dir, e);
    }
    Path djl = dir.resolve(ScoringJob.DJL);
    PredictionReference predictions = PredictionReference.readFrom(djl);
    // Load once on the driver: a folder whose parts do not belong together fails here, with a
    // message, instead of in every task.
    try (SavedModel model = SavedModel.load(djl)) {
      TrainingTask task = model.task();
      List<String> problems = new ArrayList<>();
      if (task.task() != manifest.kind()) {
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
      boolean regression = task.task() == TrainingTask.Kind.REGRESSION;
      if (predictions != null
          && !(regression
              ? !predictions.classes()
              : predictions.classes() && predictions.shares().length == task.numClasses())) {
        problems.add(
            "its "
                + PredictionReference.FILE
                + " holds "
                + predictions.shares().length
                + (predictions.classes() ? " class shares" : " bins")
                + " for a "
                + task.task()
                + " model");
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
        dir,
        djl,
        dir.resolve(ScoringJob.FEATURE_PIPELINE).toUri().toString(),
        manifest,
        profile,
        predictions);
  }

  static Path localPath(String dir) {
    return dir.startsWith("file:") ? Path.of(URI.create(dir)) : Path.of(dir);
  }

  /**
   * {@code djl/} as a zip in a fresh temporary directory, named uniquely for {@link SparkFiles}. It
   * stays until the JVM exits: every later task of the session lists the archive, and an executor
   * that joins later fetches it from the driver.
   */
  static Path zip(Path djl) {
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
}
