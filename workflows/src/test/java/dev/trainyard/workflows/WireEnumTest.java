package dev.trainyard.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.workflows.pipeline.DeviceChoice;
import dev.trainyard.workflows.pipeline.ModelType;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TaskKind;
import dev.trainyard.workflows.pipeline.TrialStrategy;
import dev.trainyard.workflows.scoring.IfOutputExists;
import dev.trainyard.workflows.scoring.ScoringSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The closed sets are enums in code and the same lowercase strings on the wire. */
class WireEnumTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void spellingsAreTheLowercaseStringsSpecsUse() {
    assertEquals(List.of("binary", "multiclass", "regression"), List.copyOf(TaskKind.SPELLINGS));
    assertEquals(List.of("mlp", "linear"), List.copyOf(ModelType.SPELLINGS));
    assertEquals(List.of("auto", "cpu", "gpu"), List.copyOf(DeviceChoice.SPELLINGS));
    assertEquals(List.of("grid", "random"), List.copyOf(TrialStrategy.SPELLINGS));
    assertEquals(List.of("replace", "skip"), List.copyOf(IfOutputExists.SPELLINGS));
  }

  @Test
  void jsonCarriesTheSpellingBothWays() throws Exception {
    for (WireEnum[] values :
        new WireEnum[][] {
          TaskKind.values(),
          ModelType.values(),
          DeviceChoice.values(),
          TrialStrategy.values(),
          IfOutputExists.values()
        }) {
      for (WireEnum v : values) {
        String text = json.writeValueAsString(v);
        assertEquals("\"" + v.wire() + "\"", text);
        assertEquals(v, json.readValue(text, v.getClass()));
      }
    }
  }

  @Test
  void parsingIsExactLikeTheSpecChecks() {
    assertEquals(TaskKind.MULTICLASS, TaskKind.of("multiclass"));
    assertTrue(TaskKind.parse("Binary").isEmpty());
    assertTrue(ModelType.parse(null).isEmpty());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DeviceChoice.of("tpu"));
    assertEquals("model.device: 'tpu' is not one of [auto, cpu, gpu]", e.getMessage());
  }

  @Test
  void typedAccessorsStayOffTheWire() throws Exception {
    PipelineSpec spec =
        PipelineSpec.builder()
            .setName("churn")
            .setDataset(new PipelineSpec.Dataset("file:///data/churn.parquet", null))
            .setLabel("churned")
            .setTask("binary")
            .optModel(
                PipelineSpec.Model.builder()
                    .optType("linear")
                    .optHiddenLayers(List.of())
                    .optEpochs(3)
                    .optBatchSize(32)
                    .optLearningRate(0.01)
                    .optEarlyStoppingPatience(2)
                    .optDevice("gpu")
                    .optSeed(1L)
                    .build())
            .optTrials(new PipelineSpec.Trials("random", 2, 1, Map.of("epochs", List.of(1, 2))))
            .setRegisteredModel("churn-classifier")
            .build();
    assertEquals(TaskKind.BINARY, spec.taskKind());
    assertEquals(ModelType.LINEAR, spec.model().modelType());
    assertEquals(DeviceChoice.GPU, spec.model().deviceChoice());
    assertEquals(TrialStrategy.RANDOM, spec.trials().trialStrategy());
    String text = json.writeValueAsString(spec);
    for (String typed : List.of("taskKind", "modelType", "deviceChoice", "trialStrategy")) {
      assertFalse(text.contains(typed), text);
    }
    assertEquals(spec, json.readValue(text, PipelineSpec.class));

    ScoringSpec scoring = ScoringSpec.of("churn@champion", "/in", "/out");
    assertEquals(IfOutputExists.REPLACE, scoring.ifOutputExistsPolicy());
    assertEquals(IfOutputExists.SKIP, scoring.withIfOutputExists("skip").ifOutputExistsPolicy());
    assertFalse(json.writeValueAsString(scoring).contains("ifOutputExistsPolicy"));
  }
}
