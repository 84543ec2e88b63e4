package dev.trainyard.workflows.pipeline;

import java.util.List;
import java.util.Map;

/**
 * What the {@code progress} query answers: the step running now, the steps done, and the latest
 * numbers, so the CLI's progress line and the Temporal UI show what is happening.
 */
public record PipelineProgress(
    String step, List<String> done, Map<String, Double> latestMetrics, String detail) {}
