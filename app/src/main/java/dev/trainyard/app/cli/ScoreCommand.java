package dev.trainyard.app.cli;

import dev.trainyard.workflows.scoring.BatchScoringWorkflow;
import dev.trainyard.workflows.scoring.ModelRef;
import dev.trainyard.workflows.scoring.ScoringResult;
import dev.trainyard.workflows.scoring.ScoringSpec;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    description = {
      "Batch-score a dataset with a registered model version on Spark.",
      "The alias is resolved once, when the run starts; output is published atomically (with",
      "_SUCCESS), rows that cannot be scored go to a quarantine. URIs may contain {date} (see",
      "--date)."
    })
public final class ScoreCommand implements Callable<Integer> {
  @Mixin Context ctx;

  @Mixin Options options;

  @Option(names = "--wait", description = "Follow the run with a progress line until it ends.")
  boolean await;

  @Option(
      names = "--id",
      paramLabel = "WORKFLOW_ID",
      description = "Workflow id (default: score-MODEL-TIMESTAMP).")
  String workflowId;

  @Option(
      names = "--date",
      paramLabel = "YYYY-MM-DD",
      description = "The day {date} in the URIs stands for (default: today, UTC).")
  String date;

  @Option(
      names = "--if-output-exists",
      paramLabel = "replace|skip",
      defaultValue = "replace",
      description = "replace (default) scores again; skip leaves a published output alone.")
  String ifOutputExists;

  /** What a scoring request is made of; shared with {@code schedule create --model}. */
  static final class Options {
    @Option(
        names = "--model",
        paramLabel = "NAME@ALIAS|NAME/VERSION",
        description = "The model version, e.g. churn-classifier@champion or churn-classifier/3.")
    String model;

    @Option(
        names = "--input",
        paramLabel = "URI",
        description =
            "Rows to score: a Parquet folder or file (or CSV with a header); a path,"
                + " file:// or s3:// URI.")
    String input;

    @Option(
        names = "--output",
        paramLabel = "URI",
        description = "Where the scored Parquet is published (replaced if present).")
    String output;

    @Option(
        names = "--keys",
        split = ",",
        paramLabel = "COLUMN",
        description = "Input columns to carry into the output, comma-separated.")
    List<String> keys = List.of();

    @Option(
        names = "--format",
        paramLabel = "parquet|csv",
        description = "Input format (default: csv for *.csv, else parquet).")
    String format;

    @Option(
        names = "--quarantine",
        paramLabel = "URI",
        description =
            "Where unscoreable rows go, with a reason column (default: the output's"
                + " parent/_quarantine/NAME).")
    String quarantine;

    @Option(
        names = "--shadow",
        paramLabel = "NAME@ALIAS|NAME/VERSION",
        description =
            "A second model scored on the same rows in the same pass, e.g."
                + " churn-classifier@challenger: its predictions are published next to the"
                + " champion's (--shadow-output) and compared with them (agreement or mean"
                + " absolute difference, prediction PSI); the output stays as without it.")
    String shadow;

    @Option(
        names = "--shadow-output",
        paramLabel = "URI",
        description =
            "Where both models' predictions are published side by side (default: the"
                + " output's parent/_shadow/NAME).")
    String shadowOutput;

    @Option(names = "--batch-size", paramLabel = "N", description = "Rows per predict call.")
    Integer batchSize;

    @Option(
        names = "--partitions",
        paramLabel = "N",
        description = "Spark tasks to split the input into (default: the input's own).")
    Integer partitions;

    @Option(
        names = "--max-quarantine",
        paramLabel = "FRACTION",
        description =
            "Fail, publishing nothing, when more than this share of rows cannot be"
                + " scored (default 0.05).")
    Double maxQuarantine;

    ScoringSpec spec() {
      return ScoringSpec.builder()
          .setModel(model)
          .setInput(Uris.absolute(input))
          .optFormat(format)
          .setOutput(Uris.absolute(output))
          .optQuarantine(Uris.absolute(quarantine))
          .optKeys(keys)
          .optBatchSize(batchSize)
          .optPartitions(partitions)
          .optMaxQuarantineFraction(maxQuarantine)
          .optShadow(shadow)
          .optShadowOutput(Uris.absolute(shadowOutput))
          .build();
    }
  }

  @Override
  public Integer call() throws Exception {
    ScoringSpec spec = options.spec().withIfOutputExists(ifOutputExists).withDate(date);
    List<String> problems = new java.util.ArrayList<>(spec.problems());
    problems.addAll(OutputPlaces.problems(spec, ctx.stack()));
    if (Launch.refused("scoring", problems)) {
      return 2;
    }
    String name = ModelRef.parse(spec.model()).name();
    String id = Launch.workflowId(workflowId, "score", name);
    return Launch.start(
        ctx,
        BatchScoringWorkflow.class,
        Launch.options(id, "Score " + spec.input() + " with " + spec.model(), Launch.details(spec)),
        spec,
        "trainyard/scoring/" + name,
        await,
        "scoring run",
        ScoringResult.class,
        ScoreCommand::print);
  }

  static void print(ScoringResult r) {
    System.out.println("outcome:     " + r.outcome() + " with " + r.model() + "/" + r.version());
    System.out.println(
        "output:      "
            + r.outputUri()
            + (r.outcome().equals("skipped") ? "" : "  (" + r.scored() + " rows)"));
    if (!r.outcome().equals("skipped")) {
      System.out.println("quarantine:  " + r.quarantineUri() + "  (" + r.quarantined() + " rows)");
      System.out.println(
          String.format(
                  Locale.ROOT,
                  "drift:       max PSI %.4f %s",
                  r.maxPsi(),
                  r.psi().isEmpty()
                      ? "(the model has no training profile)"
                      : new TreeMap<>(r.psi()))
              + (r.predictionPsi() == null
                  ? ""
                  : String.format(Locale.ROOT, ", prediction PSI %.4f", r.predictionPsi()))
              + (r.driftFlags().isEmpty() ? "" : "; FLAGGED " + String.join("; ", r.driftFlags())));
      System.out.println(
          String.format(Locale.ROOT, "throughput:  %,.0f rows/s", r.rowsPerSecond()));
      if (r.shadow() != null) {
        System.out.println("shadow:      " + r.shadow().model() + ": " + r.shadow().describe());
        System.out.println("             side by side at " + r.shadow().outputUri());
      }
    }
    System.out.println("MLflow run:  " + r.mlflowRunId());
    if (r.retrainWorkflowId() != null) {
      System.out.println("retraining:  started " + r.retrainWorkflowId() + " (input drifted)");
    }
  }
}
