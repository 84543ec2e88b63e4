package dev.trainyard.workflows.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * What a training pipeline does, as the user wrote it (YAML for the CLI, the same document as JSON
 * in the Temporal UI's "start workflow" form). It carries references (URIs) and settings, never
 * data. {@link SpecProblems} lists everything wrong with one at once. In code, build one with
 * {@link #builder()} (and a model with {@link Model#builder()}).
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
    String registeredModel,
    Training training,
    List<TransformStep> transform,
    TrainingFilter trainingFilter) {

  /**
   * {@link #task()} as its enum, for a spec {@link SpecProblems} found nothing wrong with (the
   * field keeps the string the user wrote, so an unknown task is reported, not a parse error).
   *
   * @throws IllegalArgumentException when the task is missing or unknown
   */
  public TaskKind taskKind() {
    return TaskKind.of(task);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A spec in code. The {@code set} parts are those {@link SpecProblems} requires, the {@code opt}
   * parts may be left out; {@link #build()} checks nothing, so a test can build a bad spec and
   * {@link SpecProblems} says what is wrong with it.
   */
  public static final class Builder {
    private String name;
    private Dataset dataset;
    private String label;
    private String task;
    private Features features;
    private Validation validation;
    private Split split;
    private Model model;
    private Trials trials;
    private Gate gate;
    private String registeredModel;
    private Training training;
    private List<TransformStep> transform;
    private TrainingFilter trainingFilter;

    private Builder() {}

    public Builder optTraining(Training training) {
      this.training = training;
      return this;
    }

    public Builder setName(String name) {
      this.name = name;
      return this;
    }

    public Builder setDataset(Dataset dataset) {
      this.dataset = dataset;
      return this;
    }

    public Builder setLabel(String label) {
      this.label = label;
      return this;
    }

    /** The task as a spec spells it (an unknown one is kept, for {@link SpecProblems}). */
    public Builder setTask(String task) {
      this.task = task;
      return this;
    }

    public Builder setTask(TaskKind task) {
      this.task = task.wire();
      return this;
    }

    public Builder setFeatures(Features features) {
      this.features = features;
      return this;
    }

    public Builder optValidation(Validation validation) {
      this.validation = validation;
      return this;
    }

    public Builder optSplit(Split split) {
      this.split = split;
      return this;
    }

    public Builder optModel(Model model) {
      this.model = model;
      return this;
    }

    public Builder optTrials(Trials trials) {
      this.trials = trials;
      return this;
    }

    public Builder optGate(Gate gate) {
      this.gate = gate;
      return this;
    }

    public Builder setRegisteredModel(String registeredModel) {
      this.registeredModel = registeredModel;
      return this;
    }

    /** Steps applied to the raw rows, in order, before the features are read. */
    public Builder optTransform(List<TransformStep> transform) {
      this.transform = transform;
      return this;
    }

    public Builder optTrainingFilter(TrainingFilter trainingFilter) {
      this.trainingFilter = trainingFilter;
      return this;
    }

    public PipelineSpec build() {
      return new PipelineSpec(
          name,
          dataset,
          label,
          task,
          features,
          validation,
          split,
          model,
          trials,
          gate,
          registeredModel,
          training,
          transform,
          trainingFilter);
    }
  }

  // Copies with one part replaced: how callers (the CLI's demo, trials, tests) vary a spec.

  /** A builder holding every part of this spec. */
  public Builder toBuilder() {
    return builder()
        .setName(name)
        .setDataset(dataset)
        .setLabel(label)
        .setTask(task)
        .setFeatures(features)
        .optValidation(validation)
        .optSplit(split)
        .optModel(model)
        .optTrials(trials)
        .optGate(gate)
        .setRegisteredModel(registeredModel)
        .optTraining(training)
        .optTransform(transform)
        .optTrainingFilter(trainingFilter);
  }

  public PipelineSpec withDataset(Dataset d) {
    return toBuilder().setDataset(d).build();
  }

  public PipelineSpec withFeatures(Features f) {
    return toBuilder().setFeatures(f).build();
  }

  public PipelineSpec withModel(Model m) {
    return toBuilder().optModel(m).build();
  }

  public PipelineSpec withTrials(Trials t) {
    return toBuilder().optTrials(t).build();
  }

  public PipelineSpec withGate(Gate g) {
    return toBuilder().optGate(g).build();
  }

  public PipelineSpec withRegisteredModel(String m) {
    return toBuilder().setRegisteredModel(m).build();
  }

  /**
   * One step of the spec's {@code transform:} list, exactly one of: {@code sql}, a single Spark SQL
   * {@code SELECT … FROM __THIS__} over the previous step's rows (the raw rows for the first);
   * {@code datetime}; {@code bucketize}; {@code text}; {@code lookup}. Build one in code with
   * {@link #sql}, {@link #of(Datetime)}, {@link #of(Bucketize)}, {@link #of(Text)}, {@link
   * #of(Lookup)}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TransformStep(
      String sql, Datetime datetime, Bucketize bucketize, Text text, Lookup lookup) {
    public TransformStep(String sql) {
      this(sql, null, null, null, null);
    }

    public static TransformStep sql(String sql) {
      return new TransformStep(sql);
    }

    public static TransformStep of(Datetime datetime) {
      return new TransformStep(null, datetime, null, null, null);
    }

    public static TransformStep of(Bucketize bucketize) {
      return new TransformStep(null, null, bucketize, null, null);
    }

    public static TransformStep of(Text text) {
      return new TransformStep(null, null, null, text, null);
    }

    public static TransformStep of(Lookup lookup) {
      return new TransformStep(null, null, null, null, lookup);
    }
  }

  /**
   * A {@code bucketize} step: adds {@code output} (default {@code COLUMN_bucket}), the bin of a
   * numeric column as an integer: {@code quantiles} bins of about equal size, edges fitted on the
   * training split, or fixed {@code edges} (strictly increasing; bin i holds {@code edges[i-1] <= x
   * < edges[i]}).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Bucketize(String column, Integer quantiles, List<Double> edges, String output) {}

  /**
   * A {@code text} step: adds {@code output} (default {@code COLUMN_terms}), {@code numFeatures}
   * hashed term counts of a text column; it joins the feature vector by itself (not listed under
   * features).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Text(String column, Integer numFeatures, String output) {}

  /**
   * A {@code lookup} step: adds {@code columns} of a small reference table ({@code table}: Parquet
   * or CSV URI, {@code format} default parquet) matched on its {@code key} column, which the rows
   * have too; a key the table lacks gives nulls, never a dropped row. The table's snapshot is saved
   * with the model.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Lookup(String table, String format, String key, List<String> columns) {}

  /**
   * A {@code datetime} step: adds {@code COLUMN_PART} per part (hour, dayofweek, month, dayofyear;
   * a {@code _cyclic} part adds {@code _sin} and {@code _cos}); a string column is parsed with
   * {@code pattern} (e.g. {@code yyyy-MM-dd HH:mm}).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Datetime(String column, String pattern, List<String> parts) {}

  /**
   * How one categorical column becomes slots instead of one-hot: {@code hash} buckets, or the
   * {@code topK} most frequent training values plus other; the unknown slot is kept.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Encoding(Integer hash, Integer topK) {}

  /**
   * Which rows train and evaluate: {@code where} is a Spark SQL predicate over the transformed rows
   * (e.g. {@code arr_delay IS NOT NULL}); scoring does not filter. Validation fails when it removes
   * every row, or more than {@code maxRemovedFraction} of them (default 0.5).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TrainingFilter(String where, Double maxRemovedFraction) {}

  public PipelineSpec withTraining(Training t) {
    return toBuilder().optTraining(t).build();
  }

  /**
   * How training uses its device (all optional; see the training module's {@code DeviceOptions}):
   * {@code gpuBatchSize} rows per batch when training runs on a GPU (default 4096, or the model's
   * batch size when larger), {@code learningRateScaling} how the learning rate follows it ({@code
   * linear}, {@code sqrt} (default) or {@code none}), {@code residentShare} the share of device
   * memory a training split may take to stay on the device (default 0.25; 0 always streams).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Training(Integer gpuBatchSize, String learningRateScaling, Double residentShare) {}

  /** Where the data is: a Parquet file or folder, or a CSV file, on file:// or s3://. */
  public record Dataset(String uri, String format) {}

  /**
   * Feature columns by kind; {@code keys} are carried through untouched (ids, timestamps); {@code
   * encoding} names categorical columns hashed or cut to their top K (the others are one-hot).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Features(
      List<String> numeric,
      List<String> categorical,
      List<String> keys,
      Map<String, Encoding> encoding) {
    public Features(List<String> numeric, List<String> categorical, List<String> keys) {
      this(numeric, categorical, keys, null);
    }
  }

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
      Double maxDriftPsi) {

    /** Limits named one by one; what is not set is null, which {@link SpecDefaults} fills. */
    public static Builder builder() {
      return new Builder();
    }

    /** Builds {@link Validation}; every setter is optional. */
    public static final class Builder {
      private Long minRows;
      private Long maxRows;
      private Double maxNullFraction;
      private Map<String, Double> maxNullFractionByColumn;
      private Map<String, List<Double>> ranges;
      private Map<String, List<String>> allowedCategories;
      private Double maxDriftPsi;

      private Builder() {}

      public Builder optMinRows(Long minRows) {
        this.minRows = minRows;
        return this;
      }

      public Builder optMaxRows(Long maxRows) {
        this.maxRows = maxRows;
        return this;
      }

      public Builder optMaxNullFraction(Double maxNullFraction) {
        this.maxNullFraction = maxNullFraction;
        return this;
      }

      public Builder optMaxNullFractionByColumn(Map<String, Double> maxNullFractionByColumn) {
        this.maxNullFractionByColumn = maxNullFractionByColumn;
        return this;
      }

      public Builder optRanges(Map<String, List<Double>> ranges) {
        this.ranges = ranges;
        return this;
      }

      public Builder optAllowedCategories(Map<String, List<String>> allowedCategories) {
        this.allowedCategories = allowedCategories;
        return this;
      }

      public Builder optMaxDriftPsi(Double maxDriftPsi) {
        this.maxDriftPsi = maxDriftPsi;
        return this;
      }

      public Validation build() {
        return new Validation(
            minRows,
            maxRows,
            maxNullFraction,
            maxNullFractionByColumn,
            ranges,
            allowedCategories,
            maxDriftPsi);
      }
    }
  }

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

    public static Builder builder() {
      return new Builder();
    }

    /**
     * A model in code; every part may be left out ({@link SpecDefaults} fills it). Typed and
     * spelled setters write the same string.
     */
    public static final class Builder {
      private String type;
      private List<Integer> hiddenLayers;
      private Integer epochs;
      private Integer batchSize;
      private Double learningRate;
      private Integer earlyStoppingPatience;
      private String device;
      private Long seed;

      private Builder() {}

      public Builder optType(ModelType type) {
        this.type = type.wire();
        return this;
      }

      /** The type as a spec spells it (an unknown one is kept, for {@link SpecProblems}). */
      public Builder optType(String type) {
        this.type = type;
        return this;
      }

      public Builder optHiddenLayers(List<Integer> hiddenLayers) {
        this.hiddenLayers = hiddenLayers;
        return this;
      }

      public Builder optEpochs(Integer epochs) {
        this.epochs = epochs;
        return this;
      }

      public Builder optBatchSize(Integer batchSize) {
        this.batchSize = batchSize;
        return this;
      }

      public Builder optLearningRate(Double learningRate) {
        this.learningRate = learningRate;
        return this;
      }

      public Builder optEarlyStoppingPatience(Integer earlyStoppingPatience) {
        this.earlyStoppingPatience = earlyStoppingPatience;
        return this;
      }

      public Builder optDevice(DeviceChoice device) {
        this.device = device.wire();
        return this;
      }

      /** The device as a spec spells it (an unknown one is kept, for {@link SpecProblems}). */
      public Builder optDevice(String device) {
        this.device = device;
        return this;
      }

      public Builder optSeed(Long seed) {
        this.seed = seed;
        return this;
      }

      public Model build() {
        return new Model(
            type,
            hiddenLayers,
            epochs,
            batchSize,
            learningRate,
            earlyStoppingPatience,
            device,
            seed);
      }
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
   * {max: x}}), it beats the current champion by {@code minImprovement}, no segment regressed, and,
   * if {@code manual}, a person approves within {@code approvalTimeout} (ISO-8601 duration, e.g.
   * PT24H).
   *
   * <p>The comparison with the champion is paired (both models scored on the same raw test rows)
   * and, unless {@code confidence} is off, decided on a paired-bootstrap interval at that level
   * ({@code resamples} resamples, seeded by the split's seed): the interval's lower bound must
   * clear {@code minImprovement}. With {@code segments} (raw columns of the spec), every value of
   * each column with at least {@code minRows} test rows is compared too, on the {@code
   * minImprovement} metric: the challenger may not be worse there by more than {@code
   * maxRegression} (with confidence: the interval's lower bound must stay above {@code
   * -maxRegression}). Build one in code with {@link #builder()}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Gate(
      Map<String, Bound> thresholds,
      Improvement minImprovement,
      Boolean manual,
      String approvalTimeout,
      Confidence confidence,
      Integer resamples,
      List<String> segments,
      Integer minRows,
      Double maxRegression) {

    /** The rules before confidence and segments: those default. */
    public Gate(
        Map<String, Bound> thresholds,
        Improvement minImprovement,
        Boolean manual,
        String approvalTimeout) {
      this(thresholds, minImprovement, manual, approvalTimeout, null, null, null, null, null);
    }

    public static Builder builder() {
      return new Builder();
    }

    /** A copy to change some parts of. */
    public Builder toBuilder() {
      return new Builder()
          .optThresholds(thresholds)
          .optMinImprovement(minImprovement)
          .optManual(manual)
          .optApprovalTimeout(approvalTimeout)
          .optConfidence(confidence)
          .optResamples(resamples)
          .optSegments(segments)
          .optMinRows(minRows)
          .optMaxRegression(maxRegression);
    }

    /** Every part is optional ({@link SpecDefaults} fills it); nothing is checked here. */
    public static final class Builder {
      private Map<String, Bound> thresholds;
      private Improvement minImprovement;
      private Boolean manual;
      private String approvalTimeout;
      private Confidence confidence;
      private Integer resamples;
      private List<String> segments;
      private Integer minRows;
      private Double maxRegression;

      private Builder() {}

      public Builder optThresholds(Map<String, Bound> thresholds) {
        this.thresholds = thresholds;
        return this;
      }

      public Builder optMinImprovement(Improvement minImprovement) {
        this.minImprovement = minImprovement;
        return this;
      }

      public Builder optManual(Boolean manual) {
        this.manual = manual;
        return this;
      }

      public Builder optApprovalTimeout(String approvalTimeout) {
        this.approvalTimeout = approvalTimeout;
        return this;
      }

      /** A level in (0, 1), {@link Confidence#OFF}, or null for the default (0.95). */
      public Builder optConfidence(Confidence confidence) {
        this.confidence = confidence;
        return this;
      }

      public Builder optConfidence(double level) {
        this.confidence = Confidence.level(level);
        return this;
      }

      public Builder optResamples(Integer resamples) {
        this.resamples = resamples;
        return this;
      }

      public Builder optSegments(List<String> segments) {
        this.segments = segments;
        return this;
      }

      public Builder optMinRows(Integer minRows) {
        this.minRows = minRows;
        return this;
      }

      public Builder optMaxRegression(Double maxRegression) {
        this.maxRegression = maxRegression;
        return this;
      }

      public Gate build() {
        return new Gate(
            thresholds,
            minImprovement,
            manual,
            approvalTimeout,
            confidence,
            resamples,
            segments,
            minRows,
            maxRegression);
      }
    }
  }

  /**
   * A threshold on the candidate's test metric.
   *
   * @param withConfidence true: the bootstrap interval's bound must clear it (the lower end for
   *     {@code min}, the upper for {@code max}), not just the point value; needs a champion to pair
   *     with (without one, the point value decides and the reason says so); null: false
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Bound(Double min, Double max, Boolean withConfidence) {
    @com.fasterxml.jackson.annotation.JsonCreator
    public Bound {}

    /** A point threshold. */
    public Bound(Double min, Double max) {
      this(min, max, null);
    }

    public boolean confident() {
      return Boolean.TRUE.equals(withConfidence);
    }
  }

  /** {@code absolute} (e.g. 0.01 AUC) or {@code relative} (e.g. 0.02 = 2%) on {@code metric}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Improvement(String metric, Double absolute, Double relative) {}
}
