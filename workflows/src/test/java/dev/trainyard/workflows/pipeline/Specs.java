package dev.trainyard.workflows.pipeline;

import java.util.List;
import java.util.Map;

/** Small valid specs for tests, changed with the {@code with*} helpers. */
final class Specs {
  private Specs() {}

  static PipelineSpec binary() {
    return PipelineSpec.builder()
        .setName("churn")
        .setDataset(new PipelineSpec.Dataset("file:///data/churn.parquet", null))
        .setLabel("churned")
        .setTask("binary")
        .setFeatures(
            new PipelineSpec.Features(List.of("age", "tenure"), List.of("plan"), List.of("id")))
        .optModel(
            PipelineSpec.Model.builder()
                .optType("mlp")
                .optHiddenLayers(List.of(8))
                .optEpochs(3)
                .optBatchSize(32)
                .optLearningRate(0.01)
                .optEarlyStoppingPatience(2)
                .optDevice("cpu")
                .optSeed(1L)
                .build())
        .optGate(
            new PipelineSpec.Gate(
                Map.of("roc_auc", new PipelineSpec.Bound(0.7, null)), null, false, null))
        .setRegisteredModel("churn-classifier")
        .build();
  }

  static PipelineSpec withGate(PipelineSpec s, PipelineSpec.Gate gate) {
    return s.withGate(gate);
  }
}
