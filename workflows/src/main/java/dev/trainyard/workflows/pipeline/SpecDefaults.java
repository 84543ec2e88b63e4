package dev.trainyard.workflows.pipeline;

import java.util.List;
import java.util.Map;

/** Fills what a spec may leave out; applied after {@link SpecProblems} found nothing wrong. */
public final class SpecDefaults {
  /** Resamples of the gate's paired bootstrap unless {@code gate.resamples} says otherwise. */
  public static final int DEFAULT_RESAMPLES = 1000;

  /** Test rows a segment value needs before the gate compares the models on it. */
  public static final int DEFAULT_SEGMENT_MIN_ROWS = 100;

  private SpecDefaults() {}

  public static PipelineSpec apply(PipelineSpec s) {
    PipelineSpec.Dataset d = s.dataset();
    String format =
        d.format() != null
            ? d.format()
            : d.uri().toLowerCase().endsWith(".csv") ? "csv" : "parquet";
    PipelineSpec.Features f = s.features();
    PipelineSpec.Features features =
        new PipelineSpec.Features(
            orEmpty(f.numeric()), orEmpty(f.categorical()), orEmpty(f.keys()), f.encoding());
    PipelineSpec.Validation v =
        s.validation() != null
            ? s.validation()
            : new PipelineSpec.Validation(null, null, null, null, null, null, null);
    PipelineSpec.Validation validation =
        new PipelineSpec.Validation(
            v.minRows() != null ? v.minRows() : 1L,
            v.maxRows(),
            v.maxNullFraction() != null ? v.maxNullFraction() : 0.5,
            v.maxNullFractionByColumn() != null ? v.maxNullFractionByColumn() : Map.of(),
            v.ranges() != null ? v.ranges() : Map.of(),
            v.allowedCategories() != null ? v.allowedCategories() : Map.of(),
            v.maxDriftPsi() != null ? v.maxDriftPsi() : 0.25);
    PipelineSpec.Split split =
        s.split() != null ? s.split() : new PipelineSpec.Split(0.7, 0.15, 0.15, 42L);
    if (split.seed() == null) {
      split = new PipelineSpec.Split(split.train(), split.validation(), split.test(), 42L);
    }
    PipelineSpec.Model m =
        s.model() != null
            ? s.model()
            : new PipelineSpec.Model(null, null, null, null, null, null, null, null);
    ModelType type = m.type() != null ? m.modelType() : ModelType.MLP;
    PipelineSpec.Model model =
        new PipelineSpec.Model(
            type.wire(),
            m.hiddenLayers() != null
                ? m.hiddenLayers()
                : switch (type) {
                  case MLP -> List.of(64, 32);
                  case LINEAR -> List.of();
                },
            m.epochs() != null ? m.epochs() : 20,
            m.batchSize() != null ? m.batchSize() : 256,
            m.learningRate() != null ? m.learningRate() : 0.001,
            m.earlyStoppingPatience() != null ? m.earlyStoppingPatience() : 3,
            m.device() != null ? m.device() : DeviceChoice.AUTO.wire(),
            m.seed() != null ? m.seed() : 7L);
    PipelineSpec.Gate g = s.gate() != null ? s.gate() : PipelineSpec.Gate.builder().build();
    PipelineSpec.Improvement imp = g.minImprovement();
    List<String> segments = g.segments() != null ? g.segments() : List.of();
    PipelineSpec.Gate gate =
        PipelineSpec.Gate.builder()
            .optThresholds(g.thresholds() != null ? g.thresholds() : Map.of())
            .optMinImprovement(
                new PipelineSpec.Improvement(
                    imp != null && imp.metric() != null
                        ? imp.metric()
                        : TaskMetrics.primary(s.taskKind()),
                    imp != null ? imp.absolute() : null,
                    imp != null ? imp.relative() : null))
            .optManual(g.manual() != null ? g.manual() : false)
            .optApprovalTimeout(g.approvalTimeout() != null ? g.approvalTimeout() : "PT24H")
            .optConfidence(g.confidence() != null ? g.confidence() : Confidence.DEFAULT)
            .optResamples(g.resamples() != null ? g.resamples() : DEFAULT_RESAMPLES)
            .optSegments(segments)
            .optMinRows(g.minRows() != null ? g.minRows() : DEFAULT_SEGMENT_MIN_ROWS)
            .optMaxRegression(g.maxRegression())
            .build();
    return s.toBuilder()
        .setDataset(new PipelineSpec.Dataset(d.uri(), format))
        .setFeatures(features)
        .optValidation(validation)
        .optSplit(split)
        .optModel(model)
        .optGate(gate)
        .build();
  }

  private static List<String> orEmpty(List<String> l) {
    return l == null ? List.of() : l;
  }
}
