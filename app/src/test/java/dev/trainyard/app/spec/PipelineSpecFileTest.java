package dev.trainyard.app.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.trainyard.workflows.pipeline.PipelineSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineSpecFileTest {
  @TempDir Path dir;

  private static final String VALID =
      """
      name: churn
      dataset: {uri: "file:///data/churn.parquet"}
      label: churned
      task: binary
      features:
        numeric: [age, tenure]
        categorical: [plan]
        keys: [customer_id]
      model: {type: mlp, hiddenLayers: [32, 16], epochs: 5}
      gate:
        thresholds: {roc_auc: {min: 0.7}}
      registeredModel: churn-classifier
      """;

  @Test
  void yamlAndTheSameDocumentAsJsonGiveTheSameSpec() throws IOException {
    PipelineSpec fromYaml = PipelineSpecFile.load(write("p.yaml", VALID));
    PipelineSpec fromJson =
        PipelineSpecFile.load(write("p.json", PipelineSpecFile.toJson(fromYaml)));

    assertEquals(fromYaml, fromJson);
    assertEquals(List.of(32, 16), fromYaml.model().hiddenLayers());
    assertEquals(0.7, fromYaml.gate().thresholds().get("roc_auc").min());
  }

  @Test
  void unknownFieldsAndWrongTypesAreAllReportedWithTheirPaths() throws IOException {
    Path f =
        write(
            "bad.yaml",
            VALID
                .replace("label: churned", "labels: churned")
                .replace("epochs: 5", "epochs: five")
                .replace("numeric: [age, tenure]", "numeric: age"));

    var e =
        assertThrows(PipelineSpecFile.InvalidSpecException.class, () -> PipelineSpecFile.load(f));

    assertEquals(
        List.of(
            "labels: unknown field (known here: name, dataset, label, task, features, validation, split, model, trials, gate, registeredModel)",
            "features.numeric: must be a list, e.g. [a, b]",
            "model.epochs: must be a whole number, got \"five\""),
        e.problems());
  }

  @Test
  void ruleProblemsComeWithTheSameShape() throws IOException {
    Path f = write("rules.yaml", VALID.replace("task: binary", "task: regression"));

    var e =
        assertThrows(PipelineSpecFile.InvalidSpecException.class, () -> PipelineSpecFile.load(f));

    assertEquals(
        List.of(
            "gate.thresholds.roc_auc: no such metric for task 'regression' (use one of [rmse, mae, r2])"),
        e.problems());
    assertEquals(
        f
            + " has 1 problem(s):\n  - gate.thresholds.roc_auc: no such metric for task 'regression' (use one of [rmse, mae, r2])",
        e.getMessage());
  }

  @Test
  void aMissingFileSaysSo() {
    var e =
        assertThrows(
            PipelineSpecFile.InvalidSpecException.class,
            () -> PipelineSpecFile.load(dir.resolve("nope.yaml")));
    assertEquals(List.of("file not found: check the path"), e.problems());
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }
}
