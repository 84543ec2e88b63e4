package dev.trainyard.app.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  void aThresholdWithConfidenceReadsAndSurvivesJsonAndAPlainOneStaysAsItWas() throws IOException {
    String gate = "gate:\n  thresholds: {roc_auc: {min: 0.7}}";
    PipelineSpec confident =
        PipelineSpecFile.load(
            write(
                "confident.yaml",
                VALID.replace(
                    gate, "gate:\n  thresholds: {roc_auc: {min: 0.7, withConfidence: true}}")));
    assertTrue(confident.gate().thresholds().get("roc_auc").confident());
    assertEquals(
        confident,
        PipelineSpecFile.load(write("confident.json", PipelineSpecFile.toJson(confident))));
    PipelineSpec plain = PipelineSpecFile.load(write("plain.yaml", VALID));
    assertEquals(false, plain.gate().thresholds().get("roc_auc").confident());
    assertThat(PipelineSpecFile.toJson(plain)).doesNotContain("withConfidence");
  }

  @Test
  void theTrainingSectionSetsTheGpuBatchAndIsCheckedWithItsPath() throws IOException {
    PipelineSpec gpu =
        PipelineSpecFile.load(
            write(
                "gpu.yaml",
                VALID
                    + "\ntraining:\n  gpuBatchSize: 8192\n  learningRateScaling: linear\n"
                    + "  residentShare: 0.5\n"));
    assertEquals(new PipelineSpec.Training(8192, "linear", 0.5), gpu.training());
    assertEquals(gpu, PipelineSpecFile.load(write("gpu.json", PipelineSpecFile.toJson(gpu))));

    Path bad =
        write(
            "bad-gpu.yaml",
            VALID + "\ntraining:\n  gpuBatchSize: 0\n  learningRateScaling: cubic\n");
    var e =
        assertThrows(PipelineSpecFile.InvalidSpecException.class, () -> PipelineSpecFile.load(bad));
    assertEquals(
        List.of(
            "training.gpuBatchSize: must be a positive integer, got 0",
            "training.learningRateScaling: 'cubic' is not one of [linear, none, sqrt]"),
        e.problems());
  }

  @Test
  void gateConfidenceReadsAsANumberOrOffAndSurvivesJson() throws IOException {
    String gate = "gate:\n  thresholds: {roc_auc: {min: 0.7}}";
    PipelineSpec off =
        PipelineSpecFile.load(
            write(
                "off.yaml",
                VALID.replace(
                    gate,
                    gate
                        + "\n  confidence: off\n  resamples: 500\n  segments: [plan]\n"
                        + "  maxRegression: 0.02")));
    assertTrue(off.gate().confidence().isOff(), "YAML reads a bare off as false: still off");
    assertEquals(List.of("plan"), off.gate().segments());
    assertEquals(off, PipelineSpecFile.load(write("off.json", PipelineSpecFile.toJson(off))));

    PipelineSpec level =
        PipelineSpecFile.load(
            write("level.yaml", VALID.replace(gate, gate + "\n  confidence: 0.9")));
    assertEquals(0.9, level.gate().confidence().value());

    var e =
        assertThrows(
            PipelineSpecFile.InvalidSpecException.class,
            () ->
                PipelineSpecFile.load(
                    write(
                        "bad-gate.yaml",
                        VALID.replace(
                            gate,
                            gate + "\n  confidence: 95\n  resamples: 10\n  segments: [regoin]"))));
    assertThat(e.problems())
        .anyMatch(p -> p.startsWith("gate.confidence: 95.0 is outside (0, 1)"))
        .anyMatch(p -> p.startsWith("gate.resamples: 10 is below 100"))
        .anyMatch(p -> p.startsWith("gate.segments[0]: 'regoin' is not a column of the spec"));
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
            "labels: unknown field (known here: name, dataset, label, task, features, validation, split, model, trials, gate, registeredModel, training, transform, trainingFilter)",
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

  @Test
  void transformAndTrainingFilterReadFromYamlAndABadStepIsNamedWithItsPosition()
      throws IOException {
    String label = "label: churned";
    PipelineSpec spec =
        PipelineSpecFile.load(
            write(
                "t.yaml",
                VALID.replace(
                    label,
                    label
                        + "\ntrainingFilter: {where: tenure IS NOT NULL, maxRemovedFraction: 0.2}"
                        + "\ntransform:\n  - sql: SELECT *, age / tenure AS ratio FROM __THIS__")));
    assertEquals(
        List.of(new PipelineSpec.TransformStep("SELECT *, age / tenure AS ratio FROM __THIS__")),
        spec.transform());
    assertEquals(new PipelineSpec.TrainingFilter("tenure IS NOT NULL", 0.2), spec.trainingFilter());
    assertEquals(spec, PipelineSpecFile.load(write("t.json", PipelineSpecFile.toJson(spec))));

    Path bad =
        write(
            "bad.yaml",
            VALID.replace(
                label,
                label
                    + "\ntransform:\n  - sql: SELECT * FROM __THIS__\n"
                    + "  - sql: DELETE FROM __THIS__"));
    PipelineSpecFile.InvalidSpecException e =
        assertThrows(PipelineSpecFile.InvalidSpecException.class, () -> PipelineSpecFile.load(bad));
    assertThat(e.problems())
        .containsExactly(
            "transform step 2 (sql): is not a SELECT … FROM __THIS__ ('DELETE FROM __THIS__'); a"
                + " sql step reads the rows as __THIS__, e.g. SELECT *, a / b AS ratio FROM"
                + " __THIS__");
  }

  @Test
  void theFlightsExampleIsAValidSpec() throws IOException {
    PipelineSpec spec = PipelineSpecFile.load(Path.of("../examples/flights/pipeline.yaml"));
    assertEquals("delayed", spec.label());
    assertEquals(3, spec.transform().size());
    assertEquals(256, spec.features().encoding().get("tailnum").hash());
    assertEquals("arr_delay IS NOT NULL", spec.trainingFilter().where());
    assertEquals(
        new PipelineSpec.Lookup(
            "file:///tmp/flights-carriers.csv",
            "csv",
            "carrier",
            List.of("alliance", "fleet_size")),
        spec.transform().get(2).lookup());
  }

  @Test
  void theReviewsExampleIsAValidSpec() throws IOException {
    PipelineSpec spec = PipelineSpecFile.load(Path.of("../examples/reviews/pipeline.yaml"));
    assertEquals(new PipelineSpec.Text("review", 1024, null), spec.transform().get(0).text());
    assertEquals(
        new PipelineSpec.Bucketize("price", null, List.of(10.0, 50.0, 200.0), "price_band"),
        spec.transform().get(1).bucketize());
  }
}
