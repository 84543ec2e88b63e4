package dev.trainyard.activities.pipeline;

import dev.trainyard.workflows.pipeline.PipelineSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/** The spec as flat MLflow params, so the MLflow UI can compare runs column by column. */
final class SpecParams {
  private SpecParams() {}

  static Map<String, String> of(PipelineSpec s) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("dataset.uri", s.dataset().uri());
    p.put("dataset.format", s.dataset().format());
    p.put("task", s.task());
    p.put("label", s.label());
    p.put("features.numeric", String.join(",", s.features().numeric()));
    p.put("features.categorical", String.join(",", s.features().categorical()));
    p.put("split", s.split().train() + "/" + s.split().validation() + "/" + s.split().test());
    p.put("split.seed", String.valueOf(s.split().seed()));
    PipelineSpec.Model m = s.model();
    p.put("model.type", m.type());
    p.put("model.hiddenLayers", String.valueOf(m.hiddenLayers()));
    p.put("model.epochs", String.valueOf(m.epochs()));
    p.put("model.batchSize", String.valueOf(m.batchSize()));
    p.put("model.learningRate", String.valueOf(m.learningRate()));
    p.put("model.earlyStoppingPatience", String.valueOf(m.earlyStoppingPatience()));
    p.put("model.device", m.device());
    p.put("model.seed", String.valueOf(m.seed()));
    p.put("registeredModel", s.registeredModel());
    return p;
  }
}
