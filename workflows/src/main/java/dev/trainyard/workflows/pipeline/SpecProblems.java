package dev.trainyard.workflows.pipeline;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Everything wrong with a spec, each problem prefixed with its field path, so a user fixes them all
 * in one edit. Pure and deterministic: the workflow runs it too (a run started from the Temporal UI
 * never went through the CLI).
 */
public final class SpecProblems {
  static final Set<String> TASKS = TaskKind.SPELLINGS;
  static final Set<String> FORMATS = Set.of("parquet", "csv");
  static final Set<String> MODEL_TYPES = ModelType.SPELLINGS;
  static final Set<String> DEVICES = DeviceChoice.SPELLINGS;
  static final Set<String> STRATEGIES = TrialStrategy.SPELLINGS;

  // Caps that keep one spec from asking for days of compute or more memory than a worker has.
  // Far above any sensible setting; a spec that needs more is almost certainly a typo.
  public static final int MAX_EPOCHS = 10_000;
  public static final int MAX_LAYER_WIDTH = 16_384;
  public static final int MAX_HIDDEN_LAYERS = 64;
  public static final long MAX_PARAMETERS = 50_000_000L;
  public static final int MAX_BATCH_SIZE = 65_536;
  public static final int MAX_TRIALS = 256;
  public static final int MAX_PARALLEL_TRIALS = 32;
  public static final int MIN_RESAMPLES = 100;
  public static final int MAX_RESAMPLES = 100_000;
  public static final int MIN_SEGMENT_ROWS = 10;

  private SpecProblems() {}

  public static List<String> of(PipelineSpec s) {
    try {
      return rules(s);
    } catch (RuntimeException e) {
      // A rule tripping over a shape nobody foresaw must still give a problem, not a crash: in
      // the workflow a crash fails the workflow task, which Temporal retries forever.
      return List.of(
          "the spec could not be checked ("
              + e
              + "); compare it with examples/churn/pipeline.yaml");
    }
  }

  private static List<String> rules(PipelineSpec s) {
    List<String> p = new ArrayList<>();
    if (s == null) {
      return List.of("the spec is empty");
    }
    if (blank(s.name())) {
      p.add("name: missing (a short pipeline name, e.g. churn)");
    } else if (!s.name().matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")) {
      p.add("name: '" + s.name() + "' may use letters, digits, '.', '_' and '-' only");
    }
    if (s.dataset() == null || blank(s.dataset().uri())) {
      p.add("dataset.uri: missing (e.g. file:///data/churn.parquet or s3://lake/churn/)");
    } else if (!s.dataset().uri().matches("^(file|s3|s3a)://.+|^/.+")) {
      p.add(
          "dataset.uri: '"
              + s.dataset().uri()
              + "' must be a file://, s3:// URI or an absolute path");
    }
    if (s.dataset() != null
        && s.dataset().format() != null
        && !FORMATS.contains(s.dataset().format())) {
      p.add("dataset.format: '" + s.dataset().format() + "' is not one of " + sorted(FORMATS));
    }
    if (blank(s.label())) {
      p.add("label: missing (the column to predict)");
    }
    if (blank(s.task())) {
      p.add("task: missing (one of " + sorted(TASKS) + ")");
    } else if (!TASKS.contains(s.task())) {
      p.add("task: '" + s.task() + "' is not one of " + sorted(TASKS));
    }
    features(s, p);
    transform(s, p);
    validation(s, p);
    split(s.split(), p);
    model(s.model(), inputs(s), p);
    training(s.training(), p);
    trials(s.trials(), inputs(s), p);
    gate(s, p);
    if (blank(s.registeredModel())) {
      p.add("registeredModel: missing (the MLflow registered model name, e.g. churn-classifier)");
    }
    return p;
  }

  private static void features(PipelineSpec s, List<String> p) {
    PipelineSpec.Features f = s.features();
    if (f == null) {
      p.add("features: missing (give features.numeric and/or features.categorical column lists)");
      return;
    }
    List<String> numeric = f.numeric() == null ? List.of() : f.numeric();
    List<String> categorical = f.categorical() == null ? List.of() : f.categorical();
    List<String> keys = f.keys() == null ? List.of() : f.keys();
    if (numeric.isEmpty() && categorical.isEmpty()) {
      p.add(
          "features: no feature columns (list them under features.numeric and/or features.categorical)");
    }
    Set<String> seen = new HashSet<>();
    for (String kind : List.of("numeric", "categorical", "keys")) {
      List<String> cols =
          kind.equals("numeric") ? numeric : kind.equals("categorical") ? categorical : keys;
      for (int i = 0; i < cols.size(); i++) {
        String c = cols.get(i);
        if (blank(c)) {
          p.add("features." + kind + "[" + i + "]: empty column name");
        } else if (!seen.add(c)) {
          p.add("features." + kind + "[" + i + "]: '" + c + "' is listed more than once");
        } else if (c.equals(s.label())) {
          p.add(
              "features."
                  + kind
                  + "["
                  + i
                  + "]: '"
                  + c
                  + "' is the label; a label cannot be a feature");
        }
      }
    }
  }

  /**
   * What can be known without Spark: each sql step is one SELECT over __THIS__. Spark finds the
   * rest (syntax, unknown functions and columns) when validation applies the steps, naming the step
   * the same way.
   */
  private static void transform(PipelineSpec s, List<String> p) {
    List<PipelineSpec.TransformStep> steps = s.transform() == null ? List.of() : s.transform();
    for (int i = 0; i < steps.size(); i++) {
      PipelineSpec.TransformStep step = steps.get(i);
      String kind = kind(step);
      String at = "transform step " + (i + 1) + " (" + kind + ")";
      if (kinds(step) > 1) {
        p.add(at + ": give one of sql, datetime, bucketize, text or lookup per step, not several");
        continue;
      }
      switch (kind) {
        case "datetime" -> datetime(at, step.datetime(), p);
        case "bucketize" -> bucketize(at, step.bucketize(), p);
        case "text" -> text(at, step.text(), p);
        case "lookup" -> lookup(at, step.lookup(), p);
        default -> {}
      }
      if (!kind.equals("sql")) {
        continue;
      }
      String where = at;
      String sql = step == null || step.sql() == null ? "" : step.sql().trim();
      if (sql.endsWith(";")) {
        sql = sql.substring(0, sql.length() - 1);
      }
      if (sql.isBlank()) {
        p.add(where + ": empty; write e.g. sql: SELECT *, a / b AS ratio FROM __THIS__");
      } else if (sql.contains(";")) {
        p.add(
            where + ": holds more than one statement (';'); write a single SELECT … FROM __THIS__");
      } else if (!SINGLE_SELECT.matcher(sql).matches()) {
        p.add(
            where
                + ": is not a SELECT … FROM __THIS__ ('"
                + (sql.length() > 60 ? sql.substring(0, 57) + "..." : sql)
                + "'); a sql step reads the rows as __THIS__, e.g. SELECT *, a / b AS ratio FROM"
                + " __THIS__");
      }
    }
    Map<String, PipelineSpec.Encoding> encoding =
        s.features() == null || s.features().encoding() == null
            ? Map.of()
            : s.features().encoding();
    List<String> categorical =
        s.features() == null || s.features().categorical() == null
            ? List.of()
            : s.features().categorical();
    new java.util.TreeMap<>(encoding)
        .forEach(
            (column, e) -> {
              String where = "features.encoding." + column;
              if (!categorical.contains(column)) {
                p.add(where + ": '" + column + "' is not in features.categorical");
              }
              if (e == null || (e.hash() == null) == (e.topK() == null)) {
                p.add(where + ": give exactly one of hash: N (buckets) or topK: K");
              } else if (e.hash() != null && e.hash() < 2) {
                p.add(where + ".hash: " + e.hash() + " must be at least 2 buckets");
              } else if (e.topK() != null && e.topK() < 1) {
                p.add(where + ".topK: " + e.topK() + " must be at least 1");
              }
            });
    PipelineSpec.TrainingFilter f = s.trainingFilter();
    if (f != null) {
      if (blank(f.where())) {
        p.add("trainingFilter.where: missing (a SQL predicate, e.g. arr_delay IS NOT NULL)");
      } else if (f.where().contains(";")) {
        p.add("trainingFilter.where: a predicate, not statements (';')");
      }
      if (f.maxRemovedFraction() != null
          && !notFinite("trainingFilter.maxRemovedFraction", f.maxRemovedFraction(), p)
          && !fraction(f.maxRemovedFraction())) {
        p.add(
            "trainingFilter.maxRemovedFraction: "
                + f.maxRemovedFraction()
                + " must be between 0 and 1");
      }
    }
  }

  static final Set<String> DATETIME_PARTS =
      Set.of(
          "hour",
          "dayofweek",
          "month",
          "dayofyear",
          "hour_cyclic",
          "dayofweek_cyclic",
          "month_cyclic",
          "dayofyear_cyclic");

  private static String kind(PipelineSpec.TransformStep step) {
    if (step == null || step.sql() != null) {
      return "sql";
    }
    return step.datetime() != null
        ? "datetime"
        : step.bucketize() != null
            ? "bucketize"
            : step.text() != null ? "text" : step.lookup() != null ? "lookup" : "sql";
  }

  private static int kinds(PipelineSpec.TransformStep step) {
    if (step == null) {
      return 0;
    }
    int n = 0;
    for (Object part :
        new Object[] {step.sql(), step.datetime(), step.bucketize(), step.text(), step.lookup()}) {
      n += part == null ? 0 : 1;
    }
    return n;
  }

  private static void bucketize(String where, PipelineSpec.Bucketize b, List<String> p) {
    if (blank(b.column())) {
      p.add(where + ": column missing (the numeric column to bin)");
    }
    if ((b.quantiles() == null) == (b.edges() == null || b.edges().isEmpty())) {
      p.add(
          where
              + ": give exactly one of quantiles: N (bins of equal size, fitted on the training"
              + " split) or edges: [e1, e2, ...]");
    }
    if (b.quantiles() != null && (b.quantiles() < 2 || b.quantiles() > 1000)) {
      p.add(where + ": quantiles " + b.quantiles() + " must be between 2 and 1000");
    }
    List<Double> edges = b.edges() == null ? List.of() : b.edges();
    for (int i = 0; i < edges.size(); i++) {
      Double e = edges.get(i);
      if (e == null || notFinite(where + ": edges[" + i + "]", e, p)) {
        if (e == null) {
          p.add(where + ": edges[" + i + "] is empty");
        }
        return;
      }
      if (i > 0 && edges.get(i - 1) != null && e <= edges.get(i - 1)) {
        p.add(
            where
                + ": edges "
                + edges
                + " must be strictly increasing ("
                + e
                + " follows "
                + edges.get(i - 1)
                + ")");
        return;
      }
    }
  }

  private static void text(String where, PipelineSpec.Text t, List<String> p) {
    if (blank(t.column())) {
      p.add(where + ": column missing (the text column to count terms of)");
    }
    if (t.numFeatures() == null || t.numFeatures() < 1 || t.numFeatures() > 1 << 20) {
      p.add(
          where
              + ": numFeatures "
              + t.numFeatures()
              + " must be between 1 and 1048576 (the width of the term-count vector, e.g. 1024)");
    }
  }

  private static void lookup(String where, PipelineSpec.Lookup l, List<String> p) {
    if (blank(l.table())) {
      p.add(where + ": table missing (a Parquet or CSV URI, e.g. file:///data/carriers.csv)");
    } else if (!l.table().matches("^(file|s3|s3a)://.+|^/.+")) {
      p.add(where + ": table '" + l.table() + "' must be a file://, s3:// URI or an absolute path");
    }
    if (l.format() != null && !FORMATS.contains(l.format())) {
      p.add(where + ": format '" + l.format() + "' is not one of " + sorted(FORMATS));
    }
    if (blank(l.key())) {
      p.add(where + ": key missing (the column the rows and the table share)");
    }
    if (l.columns() == null || l.columns().isEmpty()) {
      p.add(where + ": columns missing (the table's columns to add)");
    } else if (l.key() != null && l.columns().contains(l.key())) {
      p.add(where + ": columns lists the key '" + l.key() + "'; the rows have it already");
    }
  }

  private static void datetime(String where, PipelineSpec.Datetime d, List<String> p) {
    if (blank(d.column())) {
      p.add(where + ": column missing (the timestamp, date or string column to take parts of)");
    }
    if (d.parts() == null || d.parts().isEmpty() || !DATETIME_PARTS.containsAll(d.parts())) {
      p.add(where + ": parts " + d.parts() + " must be some of " + sorted(DATETIME_PARTS));
    }
  }

  private static final java.util.regex.Pattern SINGLE_SELECT =
      java.util.regex.Pattern.compile("(?is)\\s*SELECT\\s.+\\sFROM\\s+__THIS__\\b.*");

  private static void validation(PipelineSpec s, List<String> p) {
    PipelineSpec.Validation v = s.validation();
    if (v == null) {
      return;
    }
    if (v.minRows() != null && v.minRows() < 0) {
      p.add("validation.minRows: must be >= 0");
    }
    if (v.minRows() != null && v.maxRows() != null && v.maxRows() < v.minRows()) {
      p.add("validation.maxRows: " + v.maxRows() + " is below minRows " + v.minRows());
    }
    if (!notFinite("validation.maxNullFraction", v.maxNullFraction(), p)
        && v.maxNullFraction() != null
        && !fraction(v.maxNullFraction())) {
      p.add("validation.maxNullFraction: " + v.maxNullFraction() + " is not between 0 and 1");
    }
    if (v.maxNullFractionByColumn() != null) {
      v.maxNullFractionByColumn()
          .forEach(
              (c, f) -> {
                if (notFinite("validation.maxNullFractionByColumn." + c, f, p)) {
                  return;
                }
                if (f == null || !fraction(f)) {
                  p.add(
                      "validation.maxNullFractionByColumn."
                          + c
                          + ": "
                          + f
                          + " is not between 0 and 1");
                }
              });
    }
    if (v.ranges() != null) {
      v.ranges()
          .forEach(
              (c, r) -> {
                if (r != null && r.size() == 2) {
                  boolean nan = notFinite("validation.ranges." + c + "[0]", r.get(0), p);
                  if (notFinite("validation.ranges." + c + "[1]", r.get(1), p) || nan) {
                    return;
                  }
                }
                if (r == null
                    || r.size() != 2
                    || r.get(0) == null
                    || r.get(1) == null
                    || r.get(0) > r.get(1)) {
                  p.add(
                      "validation.ranges." + c + ": must be [min, max] with min <= max, got " + r);
                }
              });
    }
    if (!notFinite("validation.maxDriftPsi", v.maxDriftPsi(), p)
        && v.maxDriftPsi() != null
        && v.maxDriftPsi() <= 0) {
      p.add("validation.maxDriftPsi: must be > 0 (0.1 is small drift, 0.25 large)");
    }
  }

  private static void split(PipelineSpec.Split sp, List<String> p) {
    if (sp == null) {
      return;
    }
    double sum = 0;
    // Not Map.of: it refuses the null of a missing fraction (and has no fixed order).
    Map<String, Double> parts = new LinkedHashMap<>();
    parts.put("train", sp.train());
    parts.put("validation", sp.validation());
    parts.put("test", sp.test());
    boolean finite = true;
    for (var e : parts.entrySet()) {
      if (notFinite("split." + e.getKey(), e.getValue(), p)) {
        finite = false;
      } else if (e.getValue() == null) {
        p.add(
            "split." + e.getKey() + ": missing (fractions of rows; train + validation + test = 1)");
      } else if (e.getValue() <= 0 || e.getValue() >= 1) {
        p.add("split." + e.getKey() + ": " + e.getValue() + " must be between 0 and 1 (exclusive)");
      } else {
        sum += e.getValue();
      }
    }
    if (finite
        && sp.train() != null
        && sp.validation() != null
        && sp.test() != null
        && Math.abs(sum - 1.0) > 1e-6) {
      p.add(
          "split: train + validation + test = "
              + Math.round(sum * 1e6) / 1e6
              + ", must be 1 (e.g. 0.7, 0.15, 0.15)");
    }
  }

  /** Input columns of the network, counting one per feature (a categorical one-hot has more). */
  private static int inputs(PipelineSpec s) {
    PipelineSpec.Features f = s.features();
    if (f == null) {
      return 1;
    }
    int n =
        (f.numeric() == null ? 0 : f.numeric().size())
            + (f.categorical() == null ? 0 : f.categorical().size());
    return Math.max(1, n);
  }

  static final Set<String> LEARNING_RATE_SCALINGS = Set.of("linear", "sqrt", "none");

  private static void training(PipelineSpec.Training t, List<String> p) {
    if (t == null) {
      return;
    }
    positive("training.gpuBatchSize", t.gpuBatchSize(), p);
    atMost("training.gpuBatchSize", t.gpuBatchSize(), MAX_BATCH_SIZE, BATCH_FIX, p);
    if (t.learningRateScaling() != null
        && !LEARNING_RATE_SCALINGS.contains(t.learningRateScaling())) {
      p.add(
          "training.learningRateScaling: '"
              + t.learningRateScaling()
              + "' is not one of "
              + sorted(LEARNING_RATE_SCALINGS));
    }
    if (!notFinite("training.residentShare", t.residentShare(), p)
        && t.residentShare() != null
        && (t.residentShare() < 0 || t.residentShare() > 1)) {
      p.add(
          "training.residentShare: "
              + t.residentShare()
              + " must be between 0 (always stream from Parquet) and 1");
    }
  }

  private static void model(PipelineSpec.Model m, int inputs, List<String> p) {
    if (m == null) {
      return;
    }
    if (m.type() != null && !MODEL_TYPES.contains(m.type())) {
      p.add("model.type: '" + m.type() + "' is not one of " + sorted(MODEL_TYPES));
    }
    if (m.device() != null && !DEVICES.contains(m.device())) {
      p.add("model.device: '" + m.device() + "' is not one of " + sorted(DEVICES));
    }
    if (m.hiddenLayers() != null && m.hiddenLayers().stream().anyMatch(h -> h == null || h <= 0)) {
      p.add(
          "model.hiddenLayers: every layer size must be a positive integer, got "
              + m.hiddenLayers());
    } else if (m.hiddenLayers() != null) {
      layers("model.hiddenLayers", m.hiddenLayers(), inputs, p);
    }
    positive("model.epochs", m.epochs(), p);
    atMost("model.epochs", m.epochs(), MAX_EPOCHS, EPOCHS_FIX, p);
    positive("model.batchSize", m.batchSize(), p);
    atMost("model.batchSize", m.batchSize(), MAX_BATCH_SIZE, BATCH_FIX, p);
    if (!notFinite("model.learningRate", m.learningRate(), p)
        && m.learningRate() != null
        && (m.learningRate() <= 0 || m.learningRate() > 10)) {
      p.add("model.learningRate: " + m.learningRate() + " must be > 0 (typically 1e-4 to 1e-1)");
    }
    if (m.earlyStoppingPatience() != null && m.earlyStoppingPatience() < 1) {
      p.add("model.earlyStoppingPatience: must be >= 1 epoch");
    }
  }

  private static final String EPOCHS_FIX =
      "lower it (earlyStoppingPatience already stops training once it stops improving)";
  private static final String BATCH_FIX = "use a smaller batch (256 to 4096 is typical)";

  /** Layer count, each layer's width, and the parameters they add up to, against the caps. */
  private static void layers(String path, List<Integer> widths, int inputs, List<String> p) {
    if (widths.size() > MAX_HIDDEN_LAYERS) {
      p.add(
          path
              + ": "
              + widths.size()
              + " layers is above the limit of "
              + MAX_HIDDEN_LAYERS
              + "; use fewer layers");
      return;
    }
    boolean tooWide = false;
    for (int i = 0; i < widths.size(); i++) {
      if (widths.get(i) > MAX_LAYER_WIDTH) {
        tooWide = true;
        p.add(
            path
                + "["
                + i
                + "]: "
                + widths.get(i)
                + " units is above the limit of "
                + MAX_LAYER_WIDTH
                + " per layer; use narrower layers (e.g. [256, 128])");
      }
    }
    if (tooWide) {
      return;
    }
    // Weights and biases of each dense layer, ending in one output; a lower bound, since a
    // categorical feature one-hot encodes to several inputs. Fits a long: widths are capped.
    long params = 0;
    long in = inputs;
    for (int w : widths) {
      params += (in + 1) * w;
      in = w;
    }
    params += in + 1;
    if (params > MAX_PARAMETERS) {
      p.add(
          path
              + ": "
              + widths
              + " makes about "
              + String.format(Locale.ROOT, "%,d", params)
              + " parameters, above the limit of "
              + String.format(Locale.ROOT, "%,d", MAX_PARAMETERS)
              + "; use fewer or narrower layers");
    }
  }

  private static void trials(PipelineSpec.Trials t, int inputs, List<String> p) {
    if (t == null) {
      return;
    }
    TrialStrategy strategy = TrialStrategy.parse(t.strategy()).orElse(null);
    if (strategy == null) {
      p.add("trials.strategy: '" + t.strategy() + "' is not one of " + sorted(STRATEGIES));
    }
    if (strategy == TrialStrategy.RANDOM) {
      positive("trials.count", t.count() == null ? 0 : t.count(), p);
      atMost("trials.count", t.count(), MAX_TRIALS, " trials", "lower it", p);
    }
    positive("trials.maxParallel", t.maxParallel(), p);
    atMost(
        "trials.maxParallel",
        t.maxParallel(),
        MAX_PARALLEL_TRIALS,
        "",
        "lower it (each trial running at once takes a training worker)",
        p);
    if (strategy == TrialStrategy.GRID && t.space() != null) {
      long combinations = 1;
      for (List<Object> values : t.space().values()) {
        int n = values == null ? 0 : values.size();
        combinations = Math.min((long) Integer.MAX_VALUE, combinations * Math.max(1, n));
      }
      if (combinations > MAX_TRIALS) {
        p.add(
            "trials.space: the grid has "
                + combinations
                + " combinations, above the limit of "
                + MAX_TRIALS
                + " trials; give fewer values, or use strategy: random with a count");
      }
    }
    Set<String> tunable = Set.of("hiddenLayers", "epochs", "batchSize", "learningRate", "type");
    if (t.space() == null || t.space().isEmpty()) {
      p.add("trials.space: missing (e.g. learningRate: [0.001, 0.01])");
    } else {
      t.space()
          .forEach(
              (k, values) -> {
                if (!tunable.contains(k)) {
                  p.add(
                      "trials.space."
                          + k
                          + ": not a tunable model setting ("
                          + sorted(tunable)
                          + ")");
                } else if (values == null || values.isEmpty()) {
                  p.add("trials.space." + k + ": give at least one value");
                } else {
                  for (int i = 0; i < values.size(); i++) {
                    Object v = values.get(i);
                    String at = "trials.space." + k + "[" + i + "]";
                    if (v instanceof Double d && notFinite(at, d, p)) {
                      continue;
                    }
                    boolean ok =
                        switch (k) {
                          case "type" -> v instanceof String s2 && MODEL_TYPES.contains(s2);
                          case "hiddenLayers" ->
                              v instanceof List<?> l
                                  && l.stream().allMatch(x -> x instanceof Integer n && n > 0);
                          case "learningRate" -> v instanceof Number n && n.doubleValue() > 0;
                          default -> v instanceof Integer n && n > 0;
                        };
                    if (!ok) {
                      p.add(at + ": " + v + " is not a valid " + k);
                    } else if (k.equals("hiddenLayers")) {
                      @SuppressWarnings("unchecked")
                      List<Integer> widths = (List<Integer>) v;
                      layers(at, widths, inputs, p);
                    } else if (k.equals("epochs")) {
                      atMost(at, (Integer) v, MAX_EPOCHS, EPOCHS_FIX, p);
                    } else if (k.equals("batchSize")) {
                      atMost(at, (Integer) v, MAX_BATCH_SIZE, BATCH_FIX, p);
                    }
                  }
                }
              });
    }
  }

  private static void gate(PipelineSpec s, List<String> p) {
    PipelineSpec.Gate g = s.gate();
    TaskKind task = TaskKind.parse(s.task()).orElse(null);
    if (g == null || task == null) {
      return;
    }
    List<String> valid = TaskMetrics.forTask(task);
    if (g.thresholds() != null) {
      g.thresholds()
          .forEach(
              (metric, bound) -> {
                if (!valid.contains(metric)) {
                  p.add(
                      "gate.thresholds."
                          + metric
                          + ": no such metric for task '"
                          + s.task()
                          + "' (use one of "
                          + valid
                          + ")");
                } else if (bound == null || (bound.min() == null && bound.max() == null)) {
                  p.add("gate.thresholds." + metric + ": give min and/or max");
                } else {
                  notFinite("gate.thresholds." + metric + ".min", bound.min(), p);
                  notFinite("gate.thresholds." + metric + ".max", bound.max(), p);
                }
              });
    }
    PipelineSpec.Improvement imp = g.minImprovement();
    if (imp != null) {
      if (imp.metric() != null && !valid.contains(imp.metric())) {
        p.add(
            "gate.minImprovement.metric: no such metric for task '"
                + s.task()
                + "' (use one of "
                + valid
                + ")");
      }
      notFinite("gate.minImprovement.absolute", imp.absolute(), p);
      notFinite("gate.minImprovement.relative", imp.relative(), p);
      if (imp.absolute() != null && imp.relative() != null) {
        p.add("gate.minImprovement: give absolute or relative, not both");
      }
    }
    confidenceAndSegments(s, g, p);
    if (g.approvalTimeout() != null) {
      try {
        if (Duration.parse(g.approvalTimeout()).isNegative()) {
          p.add("gate.approvalTimeout: must be positive");
        }
      } catch (DateTimeParseException e) {
        p.add(
            "gate.approvalTimeout: '"
                + g.approvalTimeout()
                + "' is not an ISO-8601 duration (e.g. PT24H)");
      }
    }
  }

  /** The paired comparison's settings: confidence, resamples, segments. */
  private static void confidenceAndSegments(PipelineSpec s, PipelineSpec.Gate g, List<String> p) {
    if (g.confidence() != null) {
      String problem = g.confidence().problem("gate.confidence");
      if (problem != null) {
        p.add(problem);
      }
    }
    if (g.resamples() != null && g.resamples() < MIN_RESAMPLES) {
      p.add(
          "gate.resamples: "
              + g.resamples()
              + " is below "
              + MIN_RESAMPLES
              + "; use at least "
              + MIN_RESAMPLES
              + " (default "
              + SpecDefaults.DEFAULT_RESAMPLES
              + "): fewer resamples give interval ends that move with the seed");
    }
    atMost(
        "gate.resamples",
        g.resamples(),
        MAX_RESAMPLES,
        "",
        "lower it (the gate's cost grows with resamples × test rows; 1000 to 10000 is plenty)",
        p);
    List<String> segments = g.segments() == null ? List.of() : g.segments();
    if (segments.isEmpty()) {
      if (g.minRows() != null) {
        p.add(
            "gate.minRows: applies to gate.segments, which lists none; list segment columns or"
                + " remove it");
      }
      if (g.maxRegression() != null) {
        p.add(
            "gate.maxRegression: applies to gate.segments, which lists none; list segment"
                + " columns or remove it");
      }
      return;
    }
    List<String> columns = new ArrayList<>();
    PipelineSpec.Features f = s.features();
    if (f != null) {
      for (List<String> cols : java.util.Arrays.asList(f.numeric(), f.categorical(), f.keys())) {
        if (cols != null) {
          cols.stream().filter(c -> !blank(c)).forEach(columns::add);
        }
      }
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < segments.size(); i++) {
      String c = segments.get(i);
      String at = "gate.segments[" + i + "]";
      if (blank(c)) {
        p.add(at + ": empty column name");
      } else if (c.equals(s.label())) {
        p.add(at + ": '" + c + "' is the label; segment by an input column");
      } else if (!columns.contains(c)) {
        p.add(
            at
                + ": '"
                + c
                + "' is not a column of the spec; use one of "
                + columns
                + " (to segment by a column that is not a feature, list it under features.keys)");
      } else if (!seen.add(c)) {
        p.add(at + ": '" + c + "' is listed more than once");
      }
    }
    if (g.minRows() != null && g.minRows() < MIN_SEGMENT_ROWS) {
      p.add(
          "gate.minRows: "
              + g.minRows()
              + " is below "
              + MIN_SEGMENT_ROWS
              + "; a segment needs at least "
              + MIN_SEGMENT_ROWS
              + " test rows to say anything (default "
              + SpecDefaults.DEFAULT_SEGMENT_MIN_ROWS
              + ")");
    }
    if (g.maxRegression() == null) {
      String metric =
          g.minImprovement() != null && g.minImprovement().metric() != null
              ? g.minImprovement().metric()
              : TaskKind.parse(s.task()).map(TaskMetrics::primary).orElse("metric");
      p.add(
          "gate.maxRegression: missing; with gate.segments, say how much worse the challenger may"
              + " be on a segment, in "
              + metric
              + " units (e.g. 0.01; 0 allows no loss at all)");
    } else if (!notFinite("gate.maxRegression", g.maxRegression(), p) && g.maxRegression() < 0) {
      p.add(
          "gate.maxRegression: "
              + g.maxRegression()
              + " must be >= 0 (how much worse the challenger may be on a segment, e.g. 0.01)");
    }
  }

  private static void positive(String path, Integer v, List<String> p) {
    if (v != null && v <= 0) {
      p.add(path + ": must be a positive integer, got " + v);
    }
  }

  private static void atMost(String path, Integer v, int limit, String fix, List<String> p) {
    atMost(path, v, limit, "", fix, p);
  }

  private static void atMost(
      String path, Integer v, int limit, String unit, String fix, List<String> p) {
    if (v != null && v > limit) {
      p.add(path + ": " + v + " is above the limit of " + limit + unit + "; " + fix);
    }
  }

  /**
   * NaN or an infinity (YAML's .nan and .inf, a number too large for a double, or the text "NaN" in
   * the UI's JSON) passes every comparison unnoticed and only fails later, inside training.
   */
  private static boolean notFinite(String path, Double v, List<String> p) {
    if (v != null && !Double.isFinite(v)) {
      p.add(
          path
              + ": "
              + v
              + " is not a finite number; write an ordinary number (.nan and .inf are not allowed)");
      return true;
    }
    return false;
  }

  private static boolean fraction(double f) {
    return f >= 0 && f <= 1;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static List<String> sorted(Set<String> s) {
    return s.stream().sorted().toList();
  }
}
