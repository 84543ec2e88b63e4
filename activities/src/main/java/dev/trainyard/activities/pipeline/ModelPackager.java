package dev.trainyard.activities.pipeline;

import dev.trainyard.registry.ModelVersion;
import dev.trainyard.workflows.pipeline.Payloads.Champion;
import dev.trainyard.workflows.pipeline.Payloads.RegisterRequest;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The layout of a model version's artifacts, in one place: under the run's {@code model/} folder,
 * everything scoring needs to rebuild the exact prediction path.
 *
 * <pre>
 * model/MLmodel               signature, so the MLflow UI shows inputs and outputs
 * model/djl/                  DJL parameters + model-spec.json (architecture, hyper-parameters)
 * model/feature-pipeline/     the fitted Spark PipelineModel, reused verbatim when scoring
 * model/features.json         feature names, label values, split
 * model/training-profile.json the training data's profile, for drift checks
 * </pre>
 */
final class ModelPackager {
  static final String MODEL_PATH = "model";
  static final String DJL = "djl";
  static final String FEATURE_PIPELINE = "feature-pipeline";
  static final String PROFILE = "training-profile.json";

  private final PipelineEnvironment env;

  ModelPackager(PipelineEnvironment env) {
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

  /** Uploads the version's files to the run; returns the artifact path the version points at. */
  String upload(RegisterRequest r) {
    String root = r.run().artifactUri();
    var artifacts = env.mlflow().artifacts();
    Path features = Path.of(URI.create(r.features().featuresUri()));
    artifacts.upload(root, Path.of(URI.create(r.training().modelUri())), MODEL_PATH + "/" + DJL);
    artifacts.upload(root, features.resolve("pipeline"), MODEL_PATH + "/" + FEATURE_PIPELINE);
    artifacts.upload(root, features.resolve("features.json"), MODEL_PATH + "/features.json");
    if (r.validation().profileUri() != null) {
      artifacts.upload(
          root, Path.of(URI.create(r.validation().profileUri())), MODEL_PATH + "/" + PROFILE);
    }
    try {
      Path mlmodel = Files.createTempFile("MLmodel", "");
      Files.writeString(mlmodel, mlmodel(r.spec(), r.run().runId()));
      artifacts.upload(root, mlmodel, MODEL_PATH + "/MLmodel");
      Files.delete(mlmodel);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return MODEL_PATH;
  }

  /** An MLflow {@code MLmodel} file: a custom flavor plus a column-based signature. */
  static String mlmodel(PipelineSpec spec, String runId) {
    List<String> inputs = new ArrayList<>();
    for (String c : spec.features().numeric()) {
      inputs.add("{\"name\": \"" + c + "\", \"type\": \"double\", \"required\": false}");
    }
    for (String c : spec.features().categorical()) {
      inputs.add("{\"name\": \"" + c + "\", \"type\": \"string\", \"required\": false}");
    }
    String outputs =
        spec.task().equals("regression")
            ? "[{\"name\": \"prediction\", \"type\": \"double\"}]"
            : "[{\"name\": \"prediction\", \"type\": \"string\"}, {\"name\": \"probability\", \"type\": \"tensor\"}]";
    return String.join(
        "\n",
        "artifact_path: model",
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
