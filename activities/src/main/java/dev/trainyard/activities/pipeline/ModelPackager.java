package dev.trainyard.activities.pipeline;

import dev.trainyard.activities.runtime.ActivityEnvironment;
import dev.trainyard.activities.runtime.ModelDigest;
import dev.trainyard.registry.ModelVersion;
import dev.trainyard.workflows.pipeline.Payloads.Champion;
import dev.trainyard.workflows.pipeline.Payloads.RegisterRequest;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TaskKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The layout of a model version's artifacts, in one place: under the run's {@code model/} folder,
 * everything scoring needs to rebuild the exact prediction path.
 *
 * <pre>
 * model/MLmodel               signature, so the MLflow UI shows inputs and outputs
 * model/djl/                  DJL parameters + model-spec.json (architecture, hyper-parameters),
 *                             prediction-reference.json (the test split's prediction
 *                             distribution, written by evaluation: prediction drift)
 * model/feature-pipeline/     the fitted Spark PipelineModel, reused verbatim when scoring
 * model/features.json         feature names, label values, split
 * model/training-profile.json the training data's profile, for drift checks
 * </pre>
 *
 * <p>A version's files are never replaced: should one MLflow run register two different models (a
 * workflow reset that trained again), the second goes under {@code model-SHA} beside the first.
 */
final class ModelPackager {
  static final String MODEL_PATH = "model";
  static final String DJL = "djl";
  static final String FEATURE_PIPELINE = "feature-pipeline";
  static final String PROFILE = "training-profile.json";

  private final ActivityEnvironment env;

  ModelPackager(ActivityEnvironment env) {
    this.env = env;
  }

  static Champion champion(ModelVersion v) {
    return new Champion(
        v.version(),
        v.runId(),
        v.source() + "/" + DJL,
        v.source() + "/" + FEATURE_PIPELINE,
        v.source() + "/" + PROFILE);
  }

  /**
   * The version's files gathered in a local folder laid out as under {@code artifactPath}, with
   * their digest. Staging first means the digest covers exactly what is uploaded.
   */
  Staged stage(RegisterRequest r, String artifactPath) {
    try {
      Path dir = Files.createTempDirectory("trainyard-model-");
      Path features = Path.of(URI.create(r.features().featuresUri()));
      copyTree(Path.of(URI.create(r.training().modelUri())), dir.resolve(DJL));
      copyTree(features.resolve("pipeline"), dir.resolve(FEATURE_PIPELINE));
      Files.copy(features.resolve("features.json"), dir.resolve("features.json"));
      if (r.validation().profileUri() != null) {
        Files.copy(Path.of(URI.create(r.validation().profileUri())), dir.resolve(PROFILE));
      }
      Files.writeString(dir.resolve("MLmodel"), mlmodel(r.spec(), r.run().runId(), artifactPath));
      return new Staged(dir, artifactPath, ModelDigest.of(dir));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot gather the model's files for registration", e);
    }
  }

  /** Uploads staged files to the run under their artifact path. */
  void upload(RegisterRequest r, Staged staged) {
    env.mlflow().artifacts().upload(r.run().artifactUri(), staged.dir(), staged.artifactPath());
  }

  /** A model folder ready to upload: its local copy, artifact path and {@link ModelDigest}. */
  record Staged(Path dir, String artifactPath, String sha256) implements AutoCloseable {
    @Override
    public void close() {
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  /** An MLflow {@code MLmodel} file: a custom flavor plus a column-based signature. */
  static String mlmodel(PipelineSpec spec, String runId, String artifactPath) {
    List<String> inputs = new ArrayList<>();
    for (String c : spec.features().numeric()) {
      inputs.add("{\"name\": \"" + c + "\", \"type\": \"double\", \"required\": false}");
    }
    for (String c : spec.features().categorical()) {
      inputs.add("{\"name\": \"" + c + "\", \"type\": \"string\", \"required\": false}");
    }
    String outputs =
        spec.taskKind() == TaskKind.REGRESSION
            ? "[{\"name\": \"prediction\", \"type\": \"double\"}]"
            : "[{\"name\": \"prediction\", \"type\": \"string\"}, {\"name\": \"probability\", \"type\": \"tensor\"}]";
    return String.join(
        "\n",
        "artifact_path: " + artifactPath,
        "flavors:",
        "  trainyard_djl:",
        "    engine: PyTorch",
        "    model_type: " + spec.model().type(),
        "    task: " + spec.task(),
        "    data: " + DJL,
        "    feature_pipeline: " + FEATURE_PIPELINE,
        "run_id: " + runId,
        "signature:",
        "  inputs: '[" + String.join(", ", inputs) + "]'",
        "  outputs: '" + outputs + "'",
        "");
  }
}
