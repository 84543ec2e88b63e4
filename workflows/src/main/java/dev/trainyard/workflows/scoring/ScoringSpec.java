package dev.trainyard.workflows.scoring;

import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.SpecProblems;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One batch-scoring request: the argument of {@link BatchScoringWorkflow}, of a scoring schedule's
 * action and of {@code trainyard score}. URIs may hold {@code {date}}, replaced by the run's date
 * ({@code yyyy-MM-dd}, UTC): the schedule's nominal time, else {@link #date()}, else the day the
 * run started.
 *
 * @param model {@code NAME@ALIAS} (resolved once per run) or {@code NAME/VERSION}
 * @param input the rows to score: a Parquet folder/file, or CSV with a header
 * @param format {@code parquet} or {@code csv}; null: {@code csv} when the input ends in {@code
 *     .csv}, else {@code parquet}
 * @param output where the scored Parquet is published (with {@code _SUCCESS})
 * @param quarantine where unscoreable rows go; null: {@code <output's parent>/_quarantine/<output's
 *     name>} (hidden from readers of the output's parent)
 * @param keys input columns carried to the output
 * @param batchSize rows per predict call (null: 1024)
 * @param partitions repartition the input into this many tasks (null: keep the input's)
 * @param maxQuarantineFraction the largest unscoreable share that still publishes (null: 0.05)
 * @param ifOutputExists {@code replace} (default: score again, replacing it) or {@code skip} (a
 *     published output is left alone: what schedules and backfills use, so each day is scored
 *     once); the string as written, typed by {@link #ifOutputExistsPolicy()}
 * @param date fills {@code {date}} for a run that is not started by a schedule (null: today)
 * @param retrain optional: start a retraining pipeline when the input drifted too far
 * @param drift optional: how far beyond PSI a batch may drift before it is flagged (null: the
 *     defaults, see {@link Drift})
 * @param shadow optional: a second model ({@code NAME@ALIAS} or {@code NAME/VERSION}, e.g. {@code
 *     churn@challenger}) scored on the same rows in the same pass; its predictions are published
 *     next to the champion's at {@link #shadowOutput()} and compared with them
 * @param shadowOutput where the side-by-side predictions go; null: {@code <output's
 *     parent>/_shadow/<output's name>} (hidden from readers of the output's parent, like the
 *     quarantine)
 */
public record ScoringSpec(
    String model,
    String input,
    String format,
    String output,
    String quarantine,
    List<String> keys,
    Integer batchSize,
    Integer partitions,
    Double maxQuarantineFraction,
    String ifOutputExists,
    String date,
    Retrain retrain,
    Drift drift,
    String shadow,
    String shadowOutput) {

  /** {@link IfOutputExists#REPLACE}'s spelling. */
  public static final String REPLACE = "replace";

  /** {@link IfOutputExists#SKIP}'s spelling. */
  public static final String SKIP = "skip";

  public static final int DEFAULT_BATCH_SIZE = 1024;
  public static final double DEFAULT_MAX_QUARANTINE = 0.05;

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]*)}");

  /**
   * Closing the loop: when the largest per-feature PSI of a scoring run exceeds {@code maxPsi}, the
   * run starts {@code pipeline} (a training pipeline spec) and says so in its report.
   */
  public record Retrain(double maxPsi, PipelineSpec pipeline) {}

  /**
   * Drift that breaks models in practice yet can leave PSI small, flagged per feature in the run's
   * report, metrics and CLI line; a flagged run also starts {@link #retrain()} when there is one.
   *
   * @param maxMissingChange the largest rise of a feature's missing-value fraction over training's,
   *     absolute (null: 0.1, i.e. 10 percentage points)
   * @param maxUnseenShare the largest share of a categorical feature's values that training never
   *     saw (null: 0.05)
   * @param maxPredictionPsi the largest PSI of the batch's predictions against the model version's
   *     predictions on its test split (null: 0.25); versions registered before the reference was
   *     kept have none, and are not checked
   */
  public record Drift(Double maxMissingChange, Double maxUnseenShare, Double maxPredictionPsi) {}

  public ScoringSpec {
    keys = keys == null ? List.of() : List.copyOf(keys);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A spec in code: {@code set} parts are required, {@code opt} parts may be left out (their
   * defaults apply in {@link #resolved}); {@link #build()} checks nothing, {@link #problems()}
   * does.
   */
  public static final class Builder {
    private String model;
    private String input;
    private String format;
    private String output;
    private String quarantine;
    private List<String> keys;
    private Integer batchSize;
    private Integer partitions;
    private Double maxQuarantineFraction;
    private String ifOutputExists;
    private String date;
    private Retrain retrain;
    private Drift drift;
    private String shadow;
    private String shadowOutput;

    /** A model to score next to {@code model} ({@code NAME@ALIAS} or {@code NAME/VERSION}). */
    public Builder optShadow(String shadow) {
      this.shadow = shadow;
      return this;
    }

    public Builder optShadowOutput(String shadowOutput) {
      this.shadowOutput = shadowOutput;
      return this;
    }

    private Builder() {}

    public Builder setModel(String model) {
      this.model = model;
      return this;
    }

    public Builder setInput(String input) {
      this.input = input;
      return this;
    }

    public Builder optFormat(String format) {
      this.format = format;
      return this;
    }

    public Builder setOutput(String output) {
      this.output = output;
      return this;
    }

    public Builder optQuarantine(String quarantine) {
      this.quarantine = quarantine;
      return this;
    }

    public Builder optKeys(List<String> keys) {
      this.keys = keys;
      return this;
    }

    public Builder optBatchSize(Integer batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    public Builder optPartitions(Integer partitions) {
      this.partitions = partitions;
      return this;
    }

    public Builder optMaxQuarantineFraction(Double maxQuarantineFraction) {
      this.maxQuarantineFraction = maxQuarantineFraction;
      return this;
    }

    /** The policy as a spec spells it (an unknown one is kept, for {@link #problems()}). */
    public Builder optIfOutputExists(String ifOutputExists) {
      this.ifOutputExists = ifOutputExists;
      return this;
    }

    public Builder optIfOutputExists(IfOutputExists ifOutputExists) {
      this.ifOutputExists = ifOutputExists.wire();
      return this;
    }

    public Builder optDate(String date) {
      this.date = date;
      return this;
    }

    public Builder optRetrain(Retrain retrain) {
      this.retrain = retrain;
      return this;
    }

    public Builder optDrift(Drift drift) {
      this.drift = drift;
      return this;
    }

    public ScoringSpec build() {
      return new ScoringSpec(
          model,
          input,
          format,
          output,
          quarantine,
          keys,
          batchSize,
          partitions,
          maxQuarantineFraction,
          ifOutputExists,
          date,
          retrain,
          drift,
          shadow,
          shadowOutput);
    }
  }

  public static ScoringSpec of(String model, String input, String output) {
    return new ScoringSpec(
        model, input, null, output, null, List.of(), null, null, null, null, null, null, null, null,
        null);
  }

  public ScoringSpec withKeys(List<String> k) {
    return new ScoringSpec(
        model,
        input,
        format,
        output,
        quarantine,
        k,
        batchSize,
        partitions,
        maxQuarantineFraction,
        ifOutputExists,
        date,
        retrain,
        drift,
        shadow,
        shadowOutput);
  }

  public ScoringSpec withIfOutputExists(String policy) {
    return new ScoringSpec(
        model,
        input,
        format,
        output,
        quarantine,
        keys,
        batchSize,
        partitions,
        maxQuarantineFraction,
        policy,
        date,
        retrain,
        drift,
        shadow,
        shadowOutput);
  }

  public ScoringSpec withDate(String d) {
    return new ScoringSpec(
        model,
        input,
        format,
        output,
        quarantine,
        keys,
        batchSize,
        partitions,
        maxQuarantineFraction,
        ifOutputExists,
        d,
        retrain,
        drift,
        shadow,
        shadowOutput);
  }

  public ScoringSpec withRetrain(Retrain r) {
    return new ScoringSpec(
        model,
        input,
        format,
        output,
        quarantine,
        keys,
        batchSize,
        partitions,
        maxQuarantineFraction,
        ifOutputExists,
        date,
        r,
        drift,
        shadow,
        shadowOutput);
  }

  public ScoringSpec withOptions(
      String fmt, String quarantineUri, Integer batch, Integer parts, Double maxQuarantine) {
    return new ScoringSpec(
        model,
        input,
        fmt,
        output,
        quarantineUri,
        keys,
        batch,
        parts,
        maxQuarantine,
        ifOutputExists,
        date,
        retrain,
        drift,
        shadow,
        shadowOutput);
  }

  /**
   * {@link #ifOutputExists()} as its enum: {@link IfOutputExists#REPLACE} when left out.
   *
   * @throws IllegalArgumentException when it is not one of replace, skip ({@link #problems()}
   *     reports that first)
   */
  public IfOutputExists ifOutputExistsPolicy() {
    return ifOutputExists == null ? IfOutputExists.REPLACE : IfOutputExists.of(ifOutputExists);
  }

  /** Every problem at once, each naming its field; empty when the spec can run. */
  public List<String> problems() {
    List<String> p = new ArrayList<>();
    try {
      ModelRef.parse(model);
    } catch (IllegalArgumentException e) {
      p.add("model: " + e.getMessage());
    }
    uri(p, "input", input, true);
    uri(p, "output", output, true);
    uri(p, "quarantine", quarantine, false);
    if (shadow != null) {
      try {
        ModelRef.parse(shadow);
        if (shadow.equals(model)) {
          p.add("shadow: is the model itself (" + model + "); name another version or alias");
        }
      } catch (IllegalArgumentException e) {
        p.add("shadow: " + e.getMessage());
      }
      uri(p, "shadowOutput", shadowOutput, false);
      Location so = location(shadowOutput);
      if (so != null) {
        if (so.equals(location(output)) || so.equals(location(quarantine))) {
          p.add("shadowOutput: is the output or the quarantine; leave it out or choose another");
        } else {
          published(p, "shadowOutput", so, location(input));
        }
      }
    } else if (shadowOutput != null) {
      p.add("shadowOutput: is set without a shadow model; name one with shadow");
    }
    locations(p);
    if (format != null && !format.equals("parquet") && !format.equals("csv")) {
      p.add("format: '" + format + "' is not supported; use parquet or csv");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < keys.size(); i++) {
      String k = keys.get(i);
      if (k == null || k.isBlank()) {
        p.add("keys[" + i + "]: is empty");
      } else if (!seen.add(k)) {
        p.add("keys[" + i + "]: '" + k + "' is listed twice");
      }
    }
    if (batchSize != null && batchSize <= 0) {
      p.add("batchSize: must be positive, got " + batchSize);
    }
    if (partitions != null && partitions <= 0) {
      p.add("partitions: must be positive, got " + partitions);
    }
    if (maxQuarantineFraction != null
        && !(maxQuarantineFraction >= 0 && maxQuarantineFraction <= 1)) {
      p.add("maxQuarantineFraction: must be within [0, 1], got " + maxQuarantineFraction);
    }
    if (ifOutputExists != null && IfOutputExists.parse(ifOutputExists).isEmpty()) {
      p.add("ifOutputExists: '" + ifOutputExists + "' is not one of replace, skip");
    }
    if (date != null) {
      try {
        LocalDate.parse(date);
      } catch (RuntimeException e) {
        p.add("date: '" + date + "' is not a date like 2026-11-24");
      }
    }
    if (drift != null) {
      share(p, "drift.maxMissingChange", drift.maxMissingChange());
      share(p, "drift.maxUnseenShare", drift.maxUnseenShare());
      if (drift.maxPredictionPsi() != null && !(drift.maxPredictionPsi() > 0)) {
        p.add("drift.maxPredictionPsi: must be positive, got " + drift.maxPredictionPsi());
      }
    }
    if (retrain != null) {
      if (!(retrain.maxPsi() > 0)) {
        p.add("retrain.maxPsi: must be positive, got " + retrain.maxPsi());
      }
      if (retrain.pipeline() == null) {
        p.add("retrain.pipeline: is required (the training pipeline spec to run)");
      } else {
        SpecProblems.of(retrain.pipeline()).forEach(x -> p.add("retrain.pipeline." + x));
      }
    }
    return p;
  }

  /**
   * Where the scores and the quarantine go, compared as places ({@link Location}: {@code x/},
   * {@code file:x}, {@code ..} spell the same folder): publishing replaces a whole folder, so it
   * may not be a root, the input, or hold or sit in the input, each other or Trainyard's state.
   */
  private void locations(List<String> p) {
    Location in = location(input);
    Location out = location(output);
    Location q = location(quarantine);
    if (input != null && (input.equals(output) || (in != null && in.equals(out)))) {
      p.add("output: is the same as input (" + input + "); write the scores somewhere else");
    } else if (out != null) {
      published(p, "output", out, in);
    }
    if (q != null) {
      if (q.equals(out)) {
        p.add("quarantine: is the same as output (" + output + "); leave it out or choose another");
      } else {
        published(p, "quarantine", q, in);
        if (out != null && !out.isRoot() && !q.isRoot()) {
          add(p, Location.clash("quarantine", q, out, "the output (" + out + ")", false));
        }
      }
    } else if (out != null && !out.isRoot() && in != null) {
      Location dq = location(defaultQuarantine(out.toString()));
      add(p, dq == null ? null : Location.clash("quarantine", dq, in, "the input", false));
    }
  }

  private static void published(List<String> p, String field, Location at, Location in) {
    if (at.isRoot()) {
      p.add(
          field
              + ": "
              + at
              + " is the root of "
              + (at.root().equals("file://") ? "the file system" : at.root())
              + "; publishing replaces the whole folder, so give it a folder of its own,"
              + " e.g. "
              + at
              + (at.toString().endsWith("/") ? "" : "/")
              + "scores");
      return;
    }
    add(p, stateFolder(field, at));
    if (in != null) {
      add(p, Location.clash(field, at, in, "the input (" + in + ")", false));
    }
  }

  /**
   * Trainyard's state folder ({@code .trainyard}) may hold outputs (the demo scores into {@code
   * lake/scores}), but never be one, hold one, or have its own folders replaced: the services'
   * data, logs, pid files, run scratch, installs and the feature cache.
   */
  private static String stateFolder(String field, Location at) {
    int i = at.segments().indexOf(".trainyard");
    return i < 0 ? null : stateFolderClash(field, at, i + 1);
  }

  /** The folders Trainyard keeps in its state folder, which an output may not be or sit in. */
  public static final List<String> STATE_FOLDERS =
      List.of("data", "logs", "run", "work", "tools", "credentials", "lake/features");

  /**
   * What is wrong with publishing at {@code at}, whose segments from {@code below} on lie in
   * Trainyard's state folder; null when it may.
   */
  public static String stateFolderClash(String field, Location at, int below) {
    List<String> rel = at.segments().subList(below, at.segments().size());
    String inside = String.join("/", rel);
    for (String own : STATE_FOLDERS) {
      if (rel.isEmpty() || inside.equals(own) || inside.startsWith(own + "/")) {
        return field
            + ": "
            + at
            + " is "
            + (rel.isEmpty() ? "" : "in ")
            + "Trainyard's state folder"
            + (rel.isEmpty() ? "" : " (" + own + "/)")
            + ", which holds its services' data; write outputs to a folder of their own (the"
            + " state folder's lake/ is fine, except lake/features)";
      }
    }
    return null;
  }

  private static void add(List<String> p, String problem) {
    if (problem != null) {
      p.add(problem);
    }
  }

  /** The place a URI names, or null when it is absent or not valid (see {@link #uri}). */
  private static Location location(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Location.of(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static void uri(List<String> p, String field, String value, boolean required) {
    if (value == null || value.isBlank()) {
      if (required) {
        p.add(field + ": is required (a path, file:// or s3:// URI)");
      }
      return;
    }
    if (!value.startsWith("/") && !value.contains(":")) {
      p.add(
          field
              + ": '"
              + value
              + "' is a relative path, which a worker elsewhere cannot find; use an absolute path"
              + " or a file:// or s3:// URI");
    } else {
      try {
        Location.of(value);
      } catch (IllegalArgumentException e) {
        p.add(field + ": " + e.getMessage());
      }
    }
    Matcher m = PLACEHOLDER.matcher(value);
    while (m.find()) {
      if (!m.group(1).equals("date")) {
        p.add(
            field
                + ": unknown placeholder {"
                + m.group(1)
                + "} in "
                + value
                + "; the only one is {date}");
      }
    }
  }

  private static void share(List<String> p, String field, Double value) {
    if (value != null && !(value >= 0 && value <= 1)) {
      p.add(field + ": must be a share within [0, 1], got " + value);
    }
  }

  /** True when a URI names {@code {date}}: the run needs a date to know what to score. */
  public boolean templated() {
    return (input + output + quarantine + shadowOutput).contains("{date}");
  }

  /**
   * The spec a run executes: {@code {date}} filled, defaults applied, URIs made absolute ({@code
   * file://} for plain paths).
   */
  public ScoringSpec resolved(LocalDate day) {
    String d = day.toString();
    String in = uriOf(input.replace("{date}", d));
    String out = uriOf(output.replace("{date}", d)).replaceAll("/+$", "");
    String q =
        quarantine != null
            ? uriOf(quarantine.replace("{date}", d)).replaceAll("/+$", "")
            : defaultQuarantine(out);
    String fmt =
        format != null
            ? format
            : in.toLowerCase(java.util.Locale.ROOT).endsWith(".csv") ? "csv" : "parquet";
    return new ScoringSpec(
        model,
        in,
        fmt,
        out,
        q,
        keys,
        batchSize != null ? batchSize : DEFAULT_BATCH_SIZE,
        partitions,
        maxQuarantineFraction != null ? maxQuarantineFraction : DEFAULT_MAX_QUARANTINE,
        ifOutputExists != null ? ifOutputExists : IfOutputExists.REPLACE.wire(),
        d,
        retrain,
        drift,
        shadow,
        shadow == null
            ? null
            : shadowOutput != null
                ? uriOf(shadowOutput.replace("{date}", d)).replaceAll("/+$", "")
                : defaultShadowOutput(out));
  }

  static String defaultShadowOutput(String output) {
    int slash = output.lastIndexOf('/');
    return output.substring(0, slash) + "/_shadow" + output.substring(slash);
  }

  static String defaultQuarantine(String output) {
    int slash = output.lastIndexOf('/');
    return output.substring(0, slash) + "/_quarantine" + output.substring(slash);
  }

  private static String uriOf(String pathOrUri) {
    if (pathOrUri.startsWith("/")) {
      return "file://" + pathOrUri;
    }
    return pathOrUri;
  }
}
