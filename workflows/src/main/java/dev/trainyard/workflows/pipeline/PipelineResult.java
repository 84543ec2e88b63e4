package dev.trainyard.workflows.pipeline;

import java.util.List;
import java.util.Map;

/**
 * @param outcome {@code promoted}, {@code registered} (gate not passed) or {@code rejected} (a
 *     person said no)
 */
public record PipelineResult(
    String outcome,
    String registeredModel,
    String version,
    String previousChampion,
    String mlflowRunId,
    Map<String, Double> testMetrics,
    List<String> gateReasons,
    boolean featureCacheHit) {}
