package dev.trainyard.workflows.pipeline;

import dev.trainyard.workflows.pipeline.Payloads.*;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Our own activity interfaces answered with fixed summaries, so the workflow's decisions can be
 * tested alone; the real activities are tested against real services elsewhere.
 */
final class FakeActivities
    implements PipelineActivities.Registry, PipelineActivities.Data, PipelineActivities.Training {
  final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  Champion champion;
  boolean validationPasses = true;
  double candidateAuc = 0.85;
  double championAuc = 0.80;
  PromoteRequest promoted;
  RegisterRequest registered;

  /** Half the width of the interval compareWithChampion reports around the AUC difference. */
  double halfWidth = 0.005;

  /** Null: the point rule (gate.confidence off). */
  Double confidence = 0.95;

  List<SegmentComparison> segments = List.of();

  @Override
  public PipelineRun startPipelineRun(PipelineSpec spec, String workflowId) {
    calls.add("startPipelineRun");
    return new PipelineRun("1", "run-1", "mlflow-artifacts:/1/run-1/artifacts");
  }

  @Override
  public PipelineRun startTrialRun(PipelineRun parent, PipelineSpec trialSpec, String trialName) {
    calls.add("startTrialRun:" + trialName);
    return new PipelineRun("1", "child-" + trialName, "mlflow-artifacts:/1/child/artifacts");
  }

  @Override
  public void recordTrials(PipelineRun parent, List<String> trialNames, String bestTrial) {
    calls.add("recordTrials:" + bestTrial);
  }

  @Override
  public Champion findChampion(String registeredModel) {
    calls.add("findChampion");
    return champion;
  }

  @Override
  public ModelVersionRef registerModel(RegisterRequest request) {
    calls.add("registerModel");
    registered = request;
    return new ModelVersionRef(request.spec().registeredModel(), "2", "src");
  }

  @Override
  public Promotion promote(PromoteRequest request) {
    calls.add("promote");
    promoted = request;
    return new Promotion(
        request.registeredModel(), request.version(), champion == null ? null : champion.version());
  }

  @Override
  public void finishPipelineRun(FinishRunRequest request) {
    calls.add("finishPipelineRun:" + request.status());
  }

  @Override
  public ValidationResult validateData(ValidateDataRequest request) {
    calls.add("validateData");
    return validationPasses
        ? new ValidationResult(true, 1000, List.of(), "report.json", "abc", "profile.json")
        : new ValidationResult(
            false, 1000, List.of("label 'churned' has 3 NaN values"), "report.json", "abc", null);
  }

  @Override
  public FeaturesResult buildFeatures(BuildFeaturesRequest request) {
    calls.add("buildFeatures");
    return FeaturesResult.builder()
        .setFeaturesUri("file:///f")
        .setCacheKey("key")
        .optCacheHit(false)
        .setTrainRows(700)
        .setValidationRows(150)
        .setTestRows(150)
        .setNumFeatures(5)
        .setNumClasses(2)
        .build();
  }

  @Override
  public TrainResult trainModel(TrainRequest request) {
    calls.add("trainModel");
    // With trials, a higher learning rate scores better here, so the test knows the winner.
    double auc =
        request.spec().trials() == null
            ? candidateAuc
            : 0.7 + request.spec().model().learningRate();
    return new TrainResult(
        "file:///m-" + request.run().runId(), 3, 3, 0, Map.of("roc_auc", auc), "cpu");
  }

  @Override
  public Map<String, Double> evaluateModel(EvaluateRequest request) {
    calls.add(request.champion() == null ? "evaluateModel" : "evaluateChampion");
    return Map.of("roc_auc", request.champion() == null ? candidateAuc : championAuc);
  }

  @Override
  public Comparison compareWithChampion(CompareRequest request) {
    calls.add("compareWithChampion");
    double gain = candidateAuc - championAuc;
    Difference d =
        new Difference(
            candidateAuc,
            championAuc,
            gain,
            confidence == null ? null : gain - halfWidth,
            confidence == null ? null : gain + halfWidth);
    return Comparison.builder()
        .setChampionMetrics(Map.of("roc_auc", championAuc))
        .optConfidence(confidence)
        .optResamples(1000)
        .setRows(150)
        .setDifferences(Map.of("roc_auc", d))
        .setMetric("roc_auc")
        .optSegments(segments, 1)
        .optReportUri("mlflow-artifacts:/1/run-1/artifacts/evaluation/report.json")
        .build();
  }
}
