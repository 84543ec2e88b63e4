package dev.trainyard.workflows.pipeline;

import java.util.List;
import java.util.Map;

/** Small valid specs for tests, changed with the {@code with*} helpers. */
final class Specs {
  private Specs() {}

  static PipelineSpec binary() {
    return new PipelineSpec(
        "churn",
        new PipelineSpec.Dataset("file:///data/churn.parquet", null),
        "churned",
        "binary",
        new PipelineSpec.Features(List.of("age", "tenure"), List.of("plan"), List.of("id")),
        null,
        null,
        new PipelineSpec.Model("mlp", List.of(8), 3, 32, 0.01, 2, "cpu", 1L),
        null,
        new PipelineSpec.Gate(
            Map.of("roc_auc", new PipelineSpec.Bound(0.7, null)), null, false, null),
        "churn-classifier");
  }

  static PipelineSpec withGate(PipelineSpec s, PipelineSpec.Gate gate) {
    return s.withGate(gate);
  }
}
