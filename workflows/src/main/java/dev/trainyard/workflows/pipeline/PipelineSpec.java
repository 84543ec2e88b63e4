package dev.trainyard.workflows.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * What a training pipeline does, as the user wrote it (YAML for the CLI, the same document as JSON
 * in the Temporal UI's "start workflow" form). It carries references (URIs) and settings, never
 * data. {@link SpecProblems} lists everything wrong with one at once.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PipelineSpec(
    String name,
    Dataset dataset,
    String label,
    String task,
    Features features,
    Validation validation,
    Split split,
    Model model,
    Trials trials,
    Gate gate,
    String registeredModel) {

  /**
   * {@link #task()} as its enum, for a spec {@link SpecProblems} found nothing wrong with (the
   * field keeps the string the user wrote, so an unknown task is reported, not a parse error).
   *
   * @throws IllegalArgumentException when the task is missing or unknown
   */
  public TaskKind taskKind() {
    return TaskKind.of(task);
  }

  // Copies with one part replaced: how callers (the CLI's demo, trials, tests) vary a spec.

  public PipelineSpec withDataset(Dataset d) {
    return new PipelineSpec(
        name, d, label, task, features, validation, split, model, trials, gate, registeredModel);
  }

  public PipelineSpec withFeatures(Features f) {
    return new PipelineSpec(
        name, dataset, label, task, f, validation, split, model, trials, gate, registeredModel);
  }

  public PipelineSpec withModel(Model m) {
    return new PipelineSpec(
        name, dataset, label, task, features, validation, split, m, trials, gate, registeredModel);
  }

  public PipelineSpec withTrials(Trials t) {
    return new PipelineSpec(
        name, dataset, label, task, features, validation, split, model, t, gate, registeredModel);
  }

  public PipelineSpec withGate(Gate g) {
    return new PipelineSpec(
        name, dataset, label, task, features, validation, split, model, trials, g, registeredModel);
  }

  public PipelineSpec withRegisteredModel(String m) {
    return new PipelineSpec(
        name, dataset, label, task, features, validation, split, model, trials, gate, m);
  }

  /** Where the data is: a Parquet file or folder, or a CSV file, on file:// or s3://. */
  public record Dataset(String uri, String format) {}

  /** Feature columns by kind; {@code keys} are carried through untouched (ids, timestamps). */
  public record Features(List<String> numeric, List<String> categorical, List<String> keys) {}

  /**
   * Data checks. Nulls: {@code maxNullFraction} for every feature unless {@code
   * maxNullFractionByColumn} says otherwise. {@code ranges}: column → [min, max].
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Validation(
      Long minRows,
      Long maxRows,
      Double maxNullFraction,
      Map<String, Double> maxNullFractionByColumn,
      Map<String, List<Double>> ranges,
      Map<String, List<String>> allowedCategories,
      Double maxDriftPsi) {}

  /**
   * Fractions of rows for each split (they sum to 1) and the seed that makes the split repeatable.
   */
  public record Split(Double train, Double validation, Double test, Long seed) {}

  /**
   * The model: {@code mlp} or {@code linear}; {@code device} is auto, cpu or gpu (typed: {@link
   * #modelType()}, {@link #deviceChoice()}).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Model(
      String type,
      List<Integer> hiddenLayers,
      Integer epochs,
      Integer batchSize,
      Double learningRate,
      Integer earlyStoppingPatience,
      String device,
      Long seed) {

    /**
     * {@link #type()} as its enum, for a checked spec with defaults applied.
     *
     * @throws IllegalArgumentException when the type is missing or unknown
     */
    public ModelType modelType() {
      return ModelType.of(type);
    }

    /**
     * {@link #device()} as its enum, for a checked spec with defaults applied.
     *
     * @throws IllegalArgumentException when the device is missing or unknown
     */
    public DeviceChoice deviceChoice() {
      return DeviceChoice.of(device);
    }
  }

  /**
   * Optional hyper-parameter search: {@code grid} tries every combination of {@code space}, {@code
   * random} tries {@code count} of them; at most {@code maxParallel} at a time.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Trials(
      String strategy, Integer count, Integer maxParallel, Map<String, List<Object>> space) {

    /**
     * {@link #strategy()} as its enum, for a checked spec.
     *
     * @throws IllegalArgumentException when the strategy is missing or unknown
     */
    public TrialStrategy trialStrategy() {
      return TrialStrategy.of(strategy);
    }
  }

  /**
   * When a new model becomes champion: every threshold holds ({@code metric: {min: x}} or {@code
   * {max: x}}), it beats the current champion by {@code minImprovement}, and, if {@code manual}, a
   * person approves within {@code approvalTimeout} (ISO-8601 duration, e.g. PT24H).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Gate(
      Map<String, Bound> thresholds,
      Improvement minImprovement,
      Boolean manual,
      String approvalTimeout) {}

  public record Bound(Double min, Double max) {}

  /** {@code absolute} (e.g. 0.01 AUC) or {@code relative} (e.g. 0.02 = 2%) on {@code metric}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Improvement(String metric, Double absolute, Double relative) {}
}
