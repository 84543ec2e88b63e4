package dev.trainyard.app.cli;

import dev.trainyard.app.demo.ChurnData;
import dev.trainyard.app.spec.PipelineSpecFile;
import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.stack.LocalStack;
import dev.trainyard.stack.ServiceStatus;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.check.WorkerAnswer;
import dev.trainyard.workflows.check.WorkerCheckRequest;
import dev.trainyard.workflows.check.WorkerCheckResult;
import dev.trainyard.workflows.check.WorkerCheckWorkflow;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import dev.trainyard.workflows.scoring.BatchScoringWorkflow;
import dev.trainyard.workflows.scoring.ScoringResult;
import dev.trainyard.workflows.scoring.ScoringSpec;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the whole loop on this machine.",
      "Brings up the local stack, starts a worker, checks every",
      "task queue, generates the demo churn dataset (if absent), trains it to a champion in",
      "MLflow with examples/churn/pipeline.yaml, scores a fresh batch with the new champion,",
      "and prints the links to both UIs and where the scores are."
    },
    subcommands = DemoCommand.Data.class)
public final class DemoCommand implements Callable<Integer> {
  @Mixin Context ctx;

  @Override
  public Integer call() throws Exception {
    System.err.println("[1/5] local stack");
    LocalStack stack = DevCommand.stack(ctx);
    List<ServiceStatus> statuses = stack.up(true);
    statuses.forEach(
        st -> System.err.println("  " + st.title() + ": ready (" + DevCommand.origin(st) + ")"));

    System.err.println("[2/5] worker on " + String.join(", ", TaskQueues.ALL));
    try (TrainyardWorker worker = new TrainyardWorker(ctx.config(), TaskQueues.ALL)) {
      worker.start();
      String workflowId = "trainyard-demo-worker-check-" + System.currentTimeMillis();
      System.err.println("[3/5] worker check workflow " + workflowId);
      WorkerCheckWorkflow check =
          worker
              .client()
              .newWorkflowStub(
                  WorkerCheckWorkflow.class,
                  WorkflowOptions.newBuilder()
                      .setTaskQueue(TaskQueues.CONTROL)
                      .setWorkflowId(workflowId)
                      .setWorkflowExecutionTimeout(Duration.ofMinutes(5))
                      .build());
      WorkerCheckResult result = check.check(new WorkerCheckRequest(TaskQueues.ALL, 0, 60));
      for (WorkerAnswer a : result.answers()) {
        System.err.println(
            "  "
                + a.queue()
                + ": "
                + (a.served()
                    ? "served by "
                        + a.worker()
                        + (a.device() == null ? "" : ", device " + a.device())
                    : a.problem()));
      }
      if (!result.allServed()) {
        return 1;
      }

      Path data = ctx.stack().stateDir().resolve("demo/churn.parquet");
      if (!Files.exists(data.resolve("_SUCCESS"))) {
        System.err.println("[4/5] generating the demo dataset (100,000 rows) at " + data);
        ChurnData.write(data.toUri().toString(), 100_000, 42);
      } else {
        System.err.println("[4/5] demo dataset " + data);
      }
      PipelineSpec loaded =
          PipelineSpecFile.load(Context.home().resolve("examples/churn/pipeline.yaml"));
      PipelineSpec spec =
          loaded.withDataset(new PipelineSpec.Dataset(data.toUri().toString(), "parquet"));
      String trainId = "train-demo-" + System.currentTimeMillis();
      System.err.println("      training pipeline " + trainId);
      TrainingPipelineWorkflow train =
          worker
              .client()
              .newWorkflowStub(
                  TrainingPipelineWorkflow.class,
                  Launch.options(
                      trainId, "Demo: train churn → churn-classifier", Launch.details(spec)));
      WorkflowClient.start(train::run, spec);
      int code = TrainCommand.follow(train, trainId);
      if (code != 0) {
        return code;
      }

      // A fresh day of customers, scored by whatever is champion now.
      String day = LocalDate.now(ZoneOffset.UTC).toString();
      Path batch = ctx.stack().stateDir().resolve("demo/batches/dt=" + day);
      if (!Files.exists(batch.resolve("_SUCCESS"))) {
        ChurnData.write(batch.toUri().toString(), 20_000, LocalDate.parse(day).toEpochDay());
      }
      Path scores =
          ctx.stack().stateDir().resolve("lake/scores/" + spec.registeredModel() + "/dt=" + day);
      ScoringSpec scoring =
          ScoringSpec.of(spec.registeredModel() + "@champion", batch.toString(), scores.toString())
              .withKeys(spec.features().keys());
      String scoreId = "score-demo-" + System.currentTimeMillis();
      System.err.println("[5/5] scoring " + batch + " (20,000 rows) with " + scoring.model());
      BatchScoringWorkflow score =
          worker
              .client()
              .newWorkflowStub(
                  BatchScoringWorkflow.class,
                  Launch.options(
                      scoreId, "Demo: score a fresh churn batch", Launch.details(scoring)));
      WorkflowClient.start(score::score, scoring);
      code =
          Follow.untilDone(
              WorkflowStub.fromTyped(score),
              scoreId,
              "scoring run",
              ScoringResult.class,
              ScoreCommand::print);

      PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
      DevCommand.printUis(out, statuses);
      out.println("Worker check: " + Links.workflow(ctx.stack().temporal(), workflowId));
      out.println("Training run: " + Links.workflow(ctx.stack().temporal(), trainId));
      out.println(
          "Model:        "
              + ctx.stack().mlflowTrackingUri().toString().replaceAll("/+$", "")
              + "/#/models/"
              + spec.registeredModel());
      out.println("Lineage:      ./trainyard lineage " + spec.registeredModel() + "@champion");
      out.println("Scoring run:  " + Links.workflow(ctx.stack().temporal(), scoreId));
      out.println(
          "Scores:       "
              + scores
              + "  (Parquet; MLflow experiment trainyard/scoring/"
              + spec.registeredModel()
              + ")");
      return code;
    }
  }

  /**
   * The demo's churn rows ({@link ChurnData}) written anywhere, with no stack: the data behind
   * {@code examples/churn} and {@code examples/churn-ratio} for a user who runs them by hand.
   */
  @Command(
      name = "data",
      mixinStandardHelpOptions = true,
      description = {
        "Write the demo's churn dataset (seeded, Parquet) without starting anything.",
        "The data of examples/churn and examples/churn-ratio: point the spec's dataset.uri",
        "at it. Columns: customer_id, age, tenure_months, plan, region, payment_method,",
        "monthly_charges (3% null), support_calls (5% null), churned (yes/no)."
      })
  static final class Data implements Callable<Integer> {
    @Parameters(
        index = "0",
        paramLabel = "OUT",
        description = "Parquet folder to write (replaced).")
    String out;

    @Option(names = "--rows", paramLabel = "N", description = "Rows (default 100000).")
    long rows = 100_000;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed (default 42).")
    long seed = 42;

    @Override
    public Integer call() {
      if (rows < 1) {
        throw new IllegalArgumentException("--rows must be positive, got " + rows);
      }
      String uri = out.contains("://") ? out : Path.of(out).toAbsolutePath().toUri().toString();
      ChurnData.write(uri, rows, seed);
      System.out.println("wrote " + rows + " churn rows to " + uri);
      return 0;
    }
  }
}
