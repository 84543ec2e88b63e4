package dev.trainyard.app.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trainyard.app.cli.Cli;
import dev.trainyard.app.demo.ChurnData;
import dev.trainyard.app.pipeline.PipelineStack;
import dev.trainyard.app.worker.TrainyardWorker;
import dev.trainyard.registry.Experiment;
import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.Run;
import dev.trainyard.spark.io.SparkSessions;
import dev.trainyard.stack.StackConfig;
import dev.trainyard.stack.Tools;
import dev.trainyard.testing.MlflowExtension;
import dev.trainyard.testing.MlflowServer;
import dev.trainyard.testing.TemporalExtension;
import dev.trainyard.testing.TemporalServer;
import dev.trainyard.workflows.scoring.ScoringResult;
import io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code trainyard score} and {@code trainyard schedule} as a user runs them, each in its own JVM.
 * A scoring schedule as a user drives it: created, triggered, backfilled (twice), paused and
 * deleted with {@code trainyard schedule} in its own JVM, on the real Temporal dev server (the
 * in-process test server has no Schedules), seen by the Temporal CLI.
 */
@ExtendWith({TemporalExtension.class, MlflowExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScoringCommandsIT {
  private static final int ROWS = 500;

  private TemporalServer temporal;
  private StackConfig config;
  private TrainyardWorker worker;
  private MlflowClient mlflow;
  private Map<String, String> env;
  private Path dir;
  private Champion champion;
  private WorkflowServiceStubs service;
  private ScheduleClient schedules;

  @BeforeAll
  void start(TemporalServer temporal, MlflowServer mlflowServer) throws Exception {
    this.temporal = temporal;
    config = PipelineStack.config(temporal, mlflowServer);
    worker = PipelineStack.worker(config);
    mlflow = PipelineStack.mlflow(mlflowServer);
    dir = Files.createDirectories(config.stateDir().resolve("schedules"));
    champion = Champion.train(worker, dir);
    env =
        Map.of(
            "TEMPORAL_ADDRESS", temporal.address(),
            "TEMPORAL_NAMESPACE", temporal.namespace(),
            "TRAINYARD_TEMPORAL_UI_URL", temporal.uiUri().toString(),
            "MLFLOW_TRACKING_URI", mlflowServer.trackingUri().toString(),
            "TRAINYARD_STATE_DIR", config.stateDir().toString());
    service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.address()).build());
    schedules =
        ScheduleClient.newInstance(
            service, ScheduleClientOptions.newBuilder().setNamespace(temporal.namespace()).build());
  }

  @AfterAll
  void stop() {
    worker.close();
    mlflow.close();
    service.shutdown();
  }

  @Test
  void scoringScheduleTriggersAndBackfillsEachDayExactlyOnce() throws Exception {
    String id = "daily-scores-" + UUID.randomUUID().toString().substring(0, 8);
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    List<LocalDate> days = List.of(today.minusDays(3), today.minusDays(2), today.minusDays(1));
    for (LocalDate d : Stream.concat(days.stream(), Stream.of(today)).toList()) {
      ChurnData.write(events(d).toUri().toString(), ROWS, d.toEpochDay());
    }

    Cli.Result created =
        cli(
            "schedule",
            "create",
            id,
            "--every",
            "1d",
            "--model",
            champion.model() + "@champion",
            "--input",
            dir.resolve("events/dt={date}").toString(),
            "--output",
            dir.resolve("scores/dt={date}").toString(),
            "--keys",
            "customer_id");
    assertEquals(0, created.exitCode(), created.stderr());
    assertThat(created.stdout())
        .contains("schedule:    " + id + " (scoring, every 1d)")
        .contains(temporal.uiUri() + "/namespaces/" + temporal.namespace() + "/schedules/" + id);

    // The same schedule, seen by Temporal's own CLI (what the Temporal UI lists too).
    assertThat(temporalCli("schedule", "list")).contains(id);
    assertThat(cli("schedule", "list").stdout()).contains(id).contains("scoring");

    // Trigger: nominal time = now, so it scores today's partition.
    assertEquals(0, cli("schedule", "trigger", id).exitCode());
    waitFor(() -> published(today), Duration.ofMinutes(3), "today's partition to be scored");
    assertEquals(ROWS, rows(today));
    assertThat(column(today, "model_version")).containsExactly("1");

    // Backfill three days: three outputs.
    String from = days.get(0).toString();
    String to = days.get(2).toString();
    Cli.Result backfill = cli("schedule", "backfill", id, "--from", from, "--to", to);
    assertEquals(0, backfill.exitCode(), backfill.stderr());
    waitForIdle(id, 4);
    for (LocalDate d : days) {
      assertTrue(published(d), "no output for " + d + "; the schedule's runs: " + outcomes(id));
      assertEquals(ROWS, rows(d));
    }
    assertThat(partitions())
        .containsExactlyInAnyOrder(
            "dt=" + days.get(0), "dt=" + days.get(1), "dt=" + days.get(2), "dt=" + today);
    Map<LocalDate, List<String>> runIds = new TreeMap<>();
    for (LocalDate d : days) {
      runIds.put(d, column(d, "scoring_run_id"));
    }

    // The same backfill again: every day is published already, so nothing is scored twice.
    assertEquals(0, cli("schedule", "backfill", id, "--from", from, "--to", to).exitCode());
    waitForIdle(id, 7);
    for (LocalDate d : days) {
      assertEquals(runIds.get(d), column(d, "scoring_run_id"), d + " was scored again");
      assertEquals(ROWS, rows(d));
    }
    Experiment exp = mlflow.tracking().getExperimentByName("trainyard/scoring/" + champion.model());
    List<Run> runs = mlflow.tracking().searchRuns(List.of(exp.experimentId()), "");
    for (LocalDate d : days) {
      Map<String, Long> outcomes =
          runs.stream()
              .filter(r -> r.tag("trainyard.date").orElse("").equals(d.toString()))
              .collect(
                  Collectors.groupingBy(
                      r -> r.tag("trainyard.outcome").orElse("?").split(":")[0],
                      Collectors.counting()));
      assertEquals(Map.of("scored", 1L, "skipped", 1L), outcomes, "runs for " + d);
    }

    Cli.Result described = cli("schedule", "describe", id);
    assertEquals(0, described.exitCode(), described.stderr());
    assertThat(described.stdout())
        .contains("kind:        scoring")
        .contains("model:       " + champion.model() + "@champion")
        .contains("output:      " + dir.resolve("scores/dt={date}"))
        .contains("overlap:     skip")
        .contains("runs:        7 started");

    assertEquals(0, cli("schedule", "pause", id, "--note", "holiday").exitCode());
    assertThat(cli("schedule", "describe", id).stdout()).contains("state:       paused (holiday)");
    assertEquals(0, cli("schedule", "unpause", id).exitCode());
    assertThat(cli("schedule", "describe", id).stdout()).contains("state:       active");

    assertEquals(0, cli("schedule", "delete", id).exitCode());
    assertThat(temporalCli("schedule", "list")).doesNotContain(id);
  }

  @Test
  void retrainingScheduleAndClearErrors() throws Exception {
    Path spec = dir.resolve("retrain.yaml");
    Files.writeString(
        spec,
        Files.readString(PipelineStack.home().resolve("examples/churn/pipeline.yaml"))
            .replace("file:///tmp/trainyard-demo/churn.parquet", champion.spec().dataset().uri())
            .replace("registeredModel: churn-classifier", "registeredModel: " + champion.model()));
    String id = "nightly-retrain-" + UUID.randomUUID().toString().substring(0, 8);

    Cli.Result created =
        cli(
            "schedule",
            "create",
            id,
            "--cron",
            "0 3 * * *",
            "--pipeline",
            spec.toString(),
            "--overlap",
            "buffer-one",
            "--catchup-window",
            "6h",
            "--paused");
    assertEquals(0, created.exitCode(), created.stderr());
    Cli.Result described = cli("schedule", "describe", id);
    assertThat(described.stdout())
        .contains("kind:        retraining")
        .contains("when:        cron '0 3 * * *' UTC")
        .contains("workflow:    TrainingPipelineWorkflow")
        .contains("overlap:     buffer-one, catch-up window PT6H")
        .contains("state:       paused");

    Cli.Result again =
        cli("schedule", "create", id, "--cron", "0 3 * * *", "--pipeline", spec.toString());
    assertEquals(1, again.exitCode());
    assertThat(again.stderr()).contains("a schedule named '" + id + "' exists already");

    Cli.Result unknown = cli("schedule", "describe", "no-such-schedule");
    assertEquals(1, unknown.exitCode());
    assertThat(unknown.stderr()).contains("there is no schedule 'no-such-schedule'");

    Cli.Result neither = cli("schedule", "create", "x", "--every", "1d");
    assertEquals(2, neither.exitCode());
    assertThat(neither.stderr()).contains("--pipeline FILE (retraining) or --model");

    Cli.Result badEvery =
        cli("schedule", "create", "x", "--every", "sometimes", "--pipeline", spec.toString());
    assertEquals(1, badEvery.exitCode());
    assertThat(badEvery.stderr()).contains("--every 'sometimes' is not a duration");

    Cli.Result badTemplate =
        cli(
            "schedule",
            "create",
            "x",
            "--every",
            "1d",
            "--model",
            "m@champion",
            "--input",
            "/data/events/dt={day}",
            "--output",
            "/data/scores/dt={date}");
    assertEquals(2, badTemplate.exitCode());
    assertThat(badTemplate.stderr()).contains("--input: unknown placeholder {day}");

    assertEquals(0, cli("schedule", "delete", id).exitCode());
  }

  @Test
  void scoreWaitsPrintsLinksAndWhereTheOutputIs() throws Exception {
    Path input = dir.resolve("adhoc.parquet");
    ChurnData.write(input.toUri().toString(), ROWS, 5);
    Path output = dir.resolve("adhoc-scores");
    String id = "cli-score-" + UUID.randomUUID();

    Cli.Result r =
        cli(
            "score",
            "--model",
            champion.model() + "@champion",
            "--input",
            input.toString(),
            "--output",
            output.toString(),
            "--keys",
            "customer_id",
            "--wait",
            "--id",
            id);

    assertEquals(0, r.exitCode(), r.stderr());
    assertThat(r.stdout())
        .contains("workflow:    " + id)
        .contains(temporal.uiUri() + "/namespaces/" + temporal.namespace() + "/workflows/" + id)
        .contains("trainyard%2Fscoring%2F" + champion.model())
        .contains("outcome:     scored with " + champion.model() + "/1")
        .contains("output:      " + output.toUri().toString().replaceAll("/$", "") + "  (")
        .contains("drift:       max PSI");
    // No assertion on the live progress line: it is sampled every 2 s, and a warm worker
    // scores these rows faster than that (TrainCommandIT checks the line on a longer run).
    assertThat(r.stderr()).doesNotContain("error");
    assertTrue(Files.exists(output.resolve("_SUCCESS")));
  }

  @Test
  void scoreWithBadInputSaysWhatIsWrong() throws Exception {
    Path output = dir.resolve("never");

    Cli.Result alias =
        cli(
            "score",
            "--model",
            champion.model() + "@prod",
            "--input",
            dir.resolve("adhoc.parquet").toString(),
            "--output",
            output.toString(),
            "--wait");
    Cli.Result request =
        cli("score", "--model", "nope", "--input", "in.parquet", "--batch-size", "0");

    assertEquals(1, alias.exitCode(), alias.stdout());
    assertThat(alias.stderr())
        .contains("failed: model '" + champion.model() + "' has no alias 'prod'");
    assertEquals(2, request.exitCode());
    assertThat(request.stderr())
        .contains("--model: model reference 'nope' is not valid")
        .contains("--output: is required")
        .contains("--batch-size: must be positive");
    assertFalse(Files.exists(output));
  }

  @Test
  void scoreRefusesToReplaceWhatTrainyardDidNotWrite() throws Exception {
    // A user's folder: scoring into it must leave it as it was and say what to do.
    Path project = Files.createDirectories(dir.resolve("project"));
    Files.writeString(project.resolve("notes.txt"), "keep me");
    Files.createDirectories(project.resolve("src"));
    Path input = dir.resolve("refuse.parquet");
    ChurnData.write(input.toUri().toString(), ROWS, 6);

    Cli.Result mine =
        cli(
            "score",
            "--model",
            champion.model() + "@champion",
            "--input",
            input.toString(),
            "--output",
            "file://" + project + "/",
            "--wait");
    Cli.Result root =
        cli(
            "score",
            "--model",
            champion.model() + "@champion",
            "--input",
            input.toString(),
            "--output",
            "/");
    Cli.Result parent =
        cli(
            "score",
            "--model",
            champion.model() + "@champion",
            "--input",
            input.toString(),
            "--output",
            dir.toString());

    assertEquals(1, mine.exitCode(), mine.stdout());
    assertThat(mine.stderr())
        // The run's spec holds the output without its trailing slash.
        .contains("will not publish the scores output to file://" + project + ":")
        .contains("(notes.txt, src/)")
        .contains("choose a new folder for the output");
    assertEquals("keep me", Files.readString(project.resolve("notes.txt")));
    assertTrue(Files.isDirectory(project.resolve("src")));
    assertEquals(2, root.exitCode());
    assertThat(root.stderr()).contains("--output: file:/// is the root of the file system");
    assertEquals(2, parent.exitCode());
    assertThat(parent.stderr())
        .contains("--output: file://" + dir + " contains the input (file://" + input + ")");
  }

  // ---- helpers

  private Path events(LocalDate d) {
    return dir.resolve("events/dt=" + d);
  }

  private Path scores(LocalDate d) {
    return dir.resolve("scores/dt=" + d);
  }

  private boolean published(LocalDate d) {
    return Files.exists(scores(d).resolve("_SUCCESS"));
  }

  private long rows(LocalDate d) {
    return SparkSessions.local().read().parquet(scores(d).toString()).count();
  }

  private List<String> column(LocalDate d, String name) {
    return SparkSessions.local()
        .read()
        .parquet(scores(d).toString())
        .select(name)
        .distinct()
        .collectAsList()
        .stream()
        .map(r -> r.getString(0))
        .sorted()
        .toList();
  }

  private List<String> partitions() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("scores"))) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("dt=")).toList();
    }
  }

  /** What each recent run of the schedule ended with, for failure messages. */
  private String outcomes(String id) {
    StringBuilder b = new StringBuilder();
    for (var a : schedules.getHandle(id).describe().getInfo().getRecentActions()) {
      String wf = ((ScheduleActionExecutionStartWorkflow) a.getAction()).getWorkflowId();
      b.append("\n  ").append(a.getScheduledAt()).append(' ').append(wf).append(": ");
      try {
        b.append(worker.client().newUntypedWorkflowStub(wf).getResult(ScoringResult.class));
      } catch (RuntimeException e) {
        Throwable c = e;
        while (c.getCause() != null) {
          c = c.getCause();
        }
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * Until the schedule has started {@code actions} runs and each of them has ended (the schedule's
   * own "running" list lags behind, so ask each run).
   */
  private void waitForIdle(String id, long actions) throws Exception {
    waitFor(
        () -> schedules.getHandle(id).describe().getInfo().getNumActions() >= actions,
        Duration.ofMinutes(2),
        id + " to start " + actions + " runs");
    for (var a : schedules.getHandle(id).describe().getInfo().getRecentActions()) {
      var started = (ScheduleActionExecutionStartWorkflow) a.getAction();
      worker
          .client()
          .newUntypedWorkflowStub(
              started.getWorkflowId(),
              java.util.Optional.of(started.getFirstExecutionRunId()),
              java.util.Optional.empty())
          .getResult(4, TimeUnit.MINUTES, ScoringResult.class);
    }
  }

  private static void waitFor(BooleanSupplier done, Duration timeout, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(500);
    }
  }

  private Cli.Result cli(String... args) throws Exception {
    return Cli.run(env, args);
  }

  private String temporalCli(String... args) throws Exception {
    Path temporalBin = new Tools(config.home(), config.toolsDir(), s -> {}).temporalCli();
    List<String> cmd =
        Stream.concat(
                Stream.concat(Stream.of(temporalBin.toString()), Stream.of(args)),
                Stream.of("--address", temporal.address(), "--namespace", temporal.namespace()))
            .toList();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(1, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
