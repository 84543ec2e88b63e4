package dev.trainyard.workflows.scoring;

import dev.trainyard.workflows.pipeline.Payloads.PipelineRun;
import java.util.Map;

/** What the scoring activities take and return: references and aggregates, never rows. */
public final class ScoringPayloads {
  private ScoringPayloads() {}

  /**
   * The version a scoring run uses, pinned when the run starts.
   *
   * @param alias the alias it was resolved through, or null for a {@code NAME/VERSION} reference
   * @param source the version's artifact URI (its {@code model/} folder)
   */
  public record ResolvedModel(
      String name, String version, String alias, String source, String runId) {
    public String ref() {
      return name + "/" + version;
    }
  }

  public record StartScoringRunRequest(
      ScoringSpec spec, ResolvedModel model, String workflowId, String workflowRunId) {}

  public record ScoreBatchRequest(ScoringSpec spec, ResolvedModel model, PipelineRun run) {}

  /**
   * @param skipped the output was already published and the spec says {@code skip}
   * @param maxPsi the largest per-feature PSI (0 when the model has no training profile)
   * @param reportUri the full JSON report (an MLflow artifact of the scoring run)
   */
  public record ScoreBatchResult(
      boolean skipped,
      long rowsIn,
      long scored,
      long quarantined,
      Map<String, Long> quarantineReasons,
      Map<String, Double> predictionDistribution,
      Map<String, Double> psi,
      double maxPsi,
      String maxPsiFeature,
      double rowsPerSecond,
      String outputUri,
      String quarantineUri,
      String reportUri) {}
}
