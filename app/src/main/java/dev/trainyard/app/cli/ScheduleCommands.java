package dev.trainyard.app.cli;

import dev.trainyard.app.spec.PipelineSpecFile;
import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.pipeline.TrainingPipelineWorkflow;
import dev.trainyard.workflows.scoring.BatchScoringWorkflow;
import dev.trainyard.workflows.scoring.EvaluateScoresSpec;
import dev.trainyard.workflows.scoring.EvaluateScoresWorkflow;
import dev.trainyard.workflows.scoring.ScoringSpec;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow;
import io.temporal.client.schedules.ScheduleActionResult;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleBackfill;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.ScheduleListDescription;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code trainyard schedule ...}: retraining and scoring on a calendar, as Temporal Schedules, so
 * the Temporal UI and {@code temporal schedule} see and control the same schedules.
 */
@Command(
    name = "schedule",
    mixinStandardHelpOptions = true,
    description = {
      "Retrain or score on a schedule (Temporal Schedules).",
      "The schedules are also visible and controllable in the Temporal UI and with",
      "`temporal schedule`."
    },
    subcommands = {
      ScheduleCommands.Create.class,
      ScheduleCommands.ListSchedules.class,
      ScheduleCommands.Describe.class,
      ScheduleCommands.Pause.class,
      ScheduleCommands.Unpause.class,
      ScheduleCommands.Trigger.class,
      ScheduleCommands.Backfill.class,
      ScheduleCommands.Delete.class
    })
public final class ScheduleCommands implements Runnable {
  static final String KIND_MEMO = "trainyard.kind";
  static final String WHEN_MEMO = "trainyard.when";

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Connects, runs {@code body}, and turns "no such schedule" into one line that says so. */
  interface Body {
    int run(ScheduleClient schedules) throws Exception;
  }

  static int withClient(Context ctx, String id, Body body) throws Exception {
    try {
      return Launch.connected(
          ctx,
          (service, workflows) ->
              body.run(
                  ScheduleClient.newInstance(
                      service,
                      ScheduleClientOptions.newBuilder()
                          .setNamespace(ctx.stack().temporal().namespace())
                          .build())));
    } catch (RuntimeException e) {
      // The SDK wraps the server's answer (ScheduleException → StatusRuntimeException).
      Throwable c = e;
      while (c != null && !(c instanceof StatusRuntimeException)) {
        c = c.getCause();
      }
      if (c instanceof StatusRuntimeException s
          && s.getStatus().getCode() == Status.Code.NOT_FOUND
          && id != null) {
        System.err.println(
            "error: there is no schedule '"
                + id
                + "' in namespace "
                + ctx.stack().temporal().namespace()
                + ". ./trainyard schedule list shows the schedules.");
        return 1;
      }
      throw e;
    }
  }

  // ---- create

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Create a schedule that retrains (--pipeline), scores (--model/--input/--output) or",
        "evaluates realized performance (--evaluate-scores/--labels/--label/--keys).",
        "Scoring URIs may contain {date}: each run fills in its own nominal day (UTC), so a",
        "backfill scores each missing day once (published days are skipped unless",
        "--if-output-exists replace)."
      })
  static final class Create implements Callable<Integer> {
    @Mixin Context ctx;

    @Parameters(paramLabel = "NAME", description = "The schedule's id.")
    String id;

    @ArgGroup(multiplicity = "1")
    When when;

    static final class When {
      @Option(
          names = "--cron",
          paramLabel = "EXPR",
          description = "Cron expression, e.g. '0 2 * * *' (02:00 every day).")
      String cron;

      @Option(
          names = "--every",
          paramLabel = "DURATION",
          description = "Interval: 30m, 6h, 1d or ISO-8601 (PT6H).")
      String every;
    }

    @Option(
        names = "--time-zone",
        paramLabel = "ZONE",
        defaultValue = "UTC",
        description = "Time zone of --cron (default UTC).")
    String timeZone;

    @Option(
        names = "--pipeline",
        paramLabel = "FILE",
        description = "Retraining: the pipeline spec each run trains with.")
    Path pipeline;

    @Mixin ScoreCommand.Options scoring;

    @Option(
        names = "--if-output-exists",
        paramLabel = "skip|replace",
        defaultValue = "skip",
        description = "Scoring: skip (default) leaves a published day alone; replace scores again.")
    String ifOutputExists;

    @Option(
        names = "--retrain-pipeline",
        paramLabel = "FILE",
        description = "Scoring: retrain with this pipeline spec when the input drifts.")
    Path retrainPipeline;

    @Option(
        names = "--retrain-max-psi",
        paramLabel = "PSI",
        description =
            "Scoring: drift (largest per-feature PSI) above which to retrain"
                + " (default 0.2, with --retrain-pipeline).")
    Double retrainMaxPsi;

    @Option(
        names = "--evaluate-scores",
        paramLabel = "URI",
        description =
            "Realized performance: the published scores to evaluate each run (with {date}),"
                + " with --labels, --label, --keys; see `trainyard evaluate-scores --help`.")
    String evaluateScores;

    @Mixin EvaluateScoresCommand.Realized realized;

    @Option(
        names = "--label-delay-days",
        paramLabel = "N",
        description =
            "Realized performance: evaluate the day N days before each run's day (labels"
                + " arrive late; default 0).")
    Integer labelDelayDays;

    @Option(
        names = "--overlap",
        paramLabel = "POLICY",
        defaultValue = "skip",
        description =
            "When a run is still going at the next time: skip (default), buffer-one,"
                + " buffer-all, allow-all, cancel-other, terminate-other.")
    String overlap;

    @Option(
        names = "--catchup-window",
        paramLabel = "DURATION",
        defaultValue = "1d",
        description = "How late a missed run (server down) may still start (default 1d).")
    String catchupWindow;

    @Option(names = "--paused", description = "Create it paused.")
    boolean paused;

    @Option(names = "--note", paramLabel = "TEXT", description = "A note shown with the schedule.")
    String note;

    @Override
    public Integer call() throws Exception {
      boolean scores = scoring.model != null || scoring.input != null || scoring.output != null;
      if (evaluateScores != null) {
        if (scores || pipeline != null) {
          System.err.println(
              "error: --evaluate-scores schedules realized performance only; leave out --pipeline,"
                  + " --model, --input and --output.");
          return 2;
        }
        return createEvaluation();
      }
      if (scores == (pipeline != null)) {
        System.err.println(
            "error: say what the schedule runs: --pipeline FILE (retraining) or --model, --input"
                + " and --output (scoring), not both.");
        return 2;
      }
      return create(null, null);
    }

    private Integer createEvaluation() throws Exception {
      List<String> problems = new java.util.ArrayList<>();
      EvaluateScoresSpec spec =
          realized.spec(
              evaluateScores, scoring.keys, List.of(), retrainPipeline, labelDelayDays, problems);
      if (Launch.refused("evaluate-scores", problems)) {
        return 2;
      }
      return create(
          ScheduleActionStartWorkflow.newBuilder()
              .setWorkflowType(EvaluateScoresWorkflow.class)
              .setArguments(spec)
              .setOptions(
                  WorkflowOptions.newBuilder()
                      .setWorkflowId("evaluate-" + id)
                      .setTaskQueue(TaskQueues.CONTROL)
                      .build())
              .build(),
          "realized performance");
    }

    private Integer create(ScheduleActionStartWorkflow given, String givenKind) throws Exception {
      ScheduleOverlapPolicy policy = overlap(overlap);
      Duration catchup = duration("--catchup-window", catchupWindow);
      ScheduleSpec.Builder specBuilder = ScheduleSpec.newBuilder().setTimeZoneName(timeZone);
      String whenText;
      if (when.cron != null) {
        specBuilder.setCronExpressions(List.of(when.cron));
        whenText = "cron '" + when.cron + "' " + timeZone;
      } else {
        specBuilder.setIntervals(
            List.of(new ScheduleIntervalSpec(duration("--every", when.every))));
        whenText = "every " + when.every;
      }

      ScheduleActionStartWorkflow action;
      String kind;
      if (given != null) {
        action = given;
        kind = givenKind;
      } else if (pipeline != null) {
        PipelineSpec spec = PipelineSpecFile.load(pipeline);
        kind = "retraining";
        action =
            ScheduleActionStartWorkflow.newBuilder()
                .setWorkflowType(TrainingPipelineWorkflow.class)
                .setArguments(spec)
                // No static summary here: Java SDK 1.38 cannot read a schedule back whose action
                // carries one (describe fails parsing its payload).
                .setOptions(
                    WorkflowOptions.newBuilder()
                        .setWorkflowId("train-" + id)
                        .setTaskQueue(TaskQueues.CONTROL)
                        .build())
                .build();
      } else {
        ScoringSpec spec = scoring.spec().withIfOutputExists(ifOutputExists);
        if (retrainPipeline != null) {
          spec =
              spec.withRetrain(
                  new ScoringSpec.Retrain(
                      retrainMaxPsi == null ? 0.2 : retrainMaxPsi,
                      PipelineSpecFile.load(retrainPipeline)));
        } else if (retrainMaxPsi != null) {
          System.err.println("error: --retrain-max-psi needs --retrain-pipeline FILE.");
          return 2;
        }
        List<String> problems = new java.util.ArrayList<>(spec.problems());
        problems.addAll(OutputPlaces.problems(spec, ctx.stack()));
        if (Launch.refused("scoring", problems)) {
          return 2;
        }
        kind = "scoring";
        action =
            ScheduleActionStartWorkflow.newBuilder()
                .setWorkflowType(BatchScoringWorkflow.class)
                .setArguments(spec)
                .setOptions(
                    WorkflowOptions.newBuilder()
                        .setWorkflowId("score-" + id)
                        .setTaskQueue(TaskQueues.CONTROL)
                        .build())
                .build();
      }
      Schedule schedule =
          Schedule.newBuilder()
              .setAction(action)
              .setSpec(specBuilder.build())
              .setPolicy(
                  SchedulePolicy.newBuilder().setOverlap(policy).setCatchupWindow(catchup).build())
              .setState(
                  ScheduleState.newBuilder()
                      .setPaused(paused)
                      .setNote(note == null ? "created by trainyard schedule create" : note)
                      .build())
              .build();
      String what = whenText;
      String k = kind;
      return withClient(
          ctx,
          null,
          client -> {
            try {
              client.createSchedule(
                  id,
                  schedule,
                  ScheduleOptions.newBuilder()
                      .setMemo(Map.of(KIND_MEMO, k, WHEN_MEMO, what))
                      .build());
            } catch (ScheduleAlreadyRunningException e) {
              System.err.println(
                  "error: a schedule named '"
                      + id
                      + "' exists already. Delete it first (./trainyard schedule delete "
                      + id
                      + ") or pick another name.");
              return 1;
            }
            System.out.println("schedule:    " + id + " (" + k + ", " + what + ")");
            System.out.println("Temporal UI: " + Links.schedule(ctx.stack().temporal(), id));
            System.out.println("run it now:  ./trainyard schedule trigger " + id);
            return 0;
          });
    }
  }

  // ---- list / describe

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the schedules: kind, when, paused or not, next and last run.")
  static final class ListSchedules implements Callable<Integer> {
    @Mixin Context ctx;

    @Override
    public Integer call() throws Exception {
      return withClient(
          ctx,
          null,
          client -> {
            List<ScheduleListDescription> all = client.listSchedules().toList();
            if (all.isEmpty()) {
              System.out.println("no schedules (create one with ./trainyard schedule create)");
              return 0;
            }
            System.out.printf(
                Locale.ROOT,
                "%-28s %-11s %-26s %-7s %-21s %s%n",
                "NAME",
                "KIND",
                "WHEN",
                "PAUSED",
                "NEXT RUN",
                "LAST RUN");
            for (ScheduleListDescription d : all) {
              String kind = memo(d.getMemo(KIND_MEMO, String.class));
              String when = memo(d.getMemo(WHEN_MEMO, String.class));
              List<Instant> next = d.getInfo().getNextActionTimes();
              List<ScheduleActionResult> recent = d.getInfo().getRecentActions();
              System.out.printf(
                  Locale.ROOT,
                  "%-28s %-11s %-26s %-7s %-21s %s%n",
                  d.getScheduleId(),
                  kind,
                  when,
                  d.getSchedule().getState().isPaused() ? "yes" : "no",
                  next.isEmpty() ? "-" : next.get(0).toString(),
                  recent.isEmpty() ? "-" : recent.get(recent.size() - 1).getScheduledAt());
            }
            return 0;
          });
    }
  }

  private static String memo(Object value) {
    return value == null ? "?" : value.toString();
  }

  @Command(
      name = "describe",
      mixinStandardHelpOptions = true,
      description = "What a schedule runs, when, its policy, state, recent and next runs.")
  static final class Describe implements Callable<Integer> {
    @Mixin Context ctx;

    @Parameters(paramLabel = "NAME")
    String id;

    @Override
    public Integer call() throws Exception {
      return withClient(
          ctx,
          id,
          client -> {
            ScheduleDescription d = client.getHandle(id).describe();
            Schedule s = d.getSchedule();
            System.out.println("schedule:    " + id);
            System.out.println("kind:        " + memo(d.getMemo(KIND_MEMO, String.class)));
            System.out.println("when:        " + memo(d.getMemo(WHEN_MEMO, String.class)));
            if (s.getAction() instanceof ScheduleActionStartWorkflow a) {
              System.out.println(
                  "workflow:    "
                      + a.getWorkflowType()
                      + " (id prefix "
                      + a.getOptions().getWorkflowId()
                      + ")");
              if (a.getWorkflowType().equals("BatchScoringWorkflow")) {
                ScoringSpec spec = a.getArguments().get(0, ScoringSpec.class);
                System.out.println("model:       " + spec.model());
                System.out.println("input:       " + spec.input());
                System.out.println("output:      " + spec.output());
                System.out.println("if output exists: " + spec.ifOutputExists());
                if (spec.retrain() != null) {
                  System.out.println(
                      "retrain:     when max PSI > "
                          + spec.retrain().maxPsi()
                          + " with pipeline "
                          + spec.retrain().pipeline().name());
                }
              } else if (a.getWorkflowType().equals("EvaluateScoresWorkflow")) {
                EvaluateScoresSpec spec = a.getArguments().get(0, EvaluateScoresSpec.class);
                System.out.println("scores:      " + spec.scores());
                System.out.println(
                    "labels:      " + spec.labels() + " (column " + spec.label() + ")");
                System.out.println("keys:        " + String.join(", ", spec.keys()));
                System.out.println(
                    "day:         the run's day"
                        + (spec.labelDelayDays() == null || spec.labelDelayDays() == 0
                            ? ""
                            : " minus " + spec.labelDelayDays() + " (labels arrive late)"));
                if (spec.retrain() != null) {
                  System.out.println(
                      "retrain:     when "
                          + spec.retrain().metric()
                          + " "
                          + spec.retrain().bound()
                          + " with pipeline "
                          + spec.retrain().pipeline().name());
                }
              } else {
                PipelineSpec spec = a.getArguments().get(0, PipelineSpec.class);
                System.out.println("pipeline:    " + spec.name() + " → " + spec.registeredModel());
                System.out.println("dataset:     " + spec.dataset().uri());
              }
            }
            System.out.println(
                "overlap:     "
                    + overlapName(s.getPolicy().getOverlap())
                    + ", catch-up window "
                    + s.getPolicy().getCatchupWindow());
            System.out.println(
                "state:       "
                    + (s.getState().isPaused() ? "paused" : "active")
                    + (s.getState().getNote() == null || s.getState().getNote().isEmpty()
                        ? ""
                        : " (" + s.getState().getNote() + ")"));
            System.out.println(
                "runs:        "
                    + d.getInfo().getNumActions()
                    + " started, "
                    + d.getInfo().getNumActionsSkippedOverlap()
                    + " skipped (overlap), "
                    + d.getInfo().getNumActionsMissedCatchupWindow()
                    + " missed (catch-up window)");
            for (ScheduleActionResult r : d.getInfo().getRecentActions()) {
              String wf =
                  r.getAction() instanceof ScheduleActionExecutionStartWorkflow w
                      ? w.getWorkflowId()
                      : "?";
              System.out.println("  recent:    " + r.getScheduledAt() + "  " + wf);
            }
            d.getInfo().getNextActionTimes().stream()
                .limit(3)
                .forEach(t -> System.out.println("  next:      " + t));
            System.out.println("Temporal UI: " + Links.schedule(ctx.stack().temporal(), id));
            return 0;
          });
    }
  }

  // ---- pause / unpause / trigger / delete

  @Command(name = "pause", mixinStandardHelpOptions = true, description = "Stop starting runs.")
  static final class Pause implements Callable<Integer> {
    @Mixin Context ctx;

    @Parameters(paramLabel = "NAME")
    String id;

    @Option(names = "--note", paramLabel = "TEXT", description = "Why (shown with the schedule).")
    String note;

    @Override
    public Integer call() throws Exception {
      return withClient(
          ctx,
          id,
          client -> {
            client
                .getHandle(id)
                .pause(note == null ? "paused with trainyard schedule pause" : note);
            System.out.println("paused " + id);
            return 0;
          });
    }
  }

  @Command(name = "unpause", mixinStandardHelpOptions = true, description = "Start runs again.")
  static final class Unpause implements Callable<Integer> {
    @Mixin Context ctx;

    @Parameters(paramLabel = "NAME")
    String id;

    @Option(names = "--note", paramLabel = "TEXT", description = "Shown with the schedule.")
    String note;

    @Override
    public Integer call() throws Exception {
      return withClient(
          ctx,
          id,
          client -> {
            client
                .getHandle(id)
                .unpause(note == null ? "unpaused with trainyard schedule unpause" : note);
            System.out.println("unpaused " + id);
            return 0;
          });
    }
  }

  @Command(
      name = "trigger",
      mixinStandardHelpOptions = true,
      description = "Run it now (nominal time: now), whatever its calendar says.")
  static final class Trigger implements Callable<Integer> {
    @Mixin Context ctx;

    @Parameters(paramLabel = "NAME")
    String id;

    @Option(
        names = "--overlap",
        paramLabel = "POLICY",
        defaultValue = "allow-all",
        description = "If a run is still going (default allow-all: start anyway).")
    String overlap;

    @Override
    public Integer call() throws Exception {
      ScheduleOverlapPolicy policy = overlap(overlap);
      return withClient(
          ctx,
          id,
          client -> {
            client.getHandle(id).trigger(policy);
            System.out.println("triggered " + id);
            System.out.println("Temporal UI: " + Links.schedule(ctx.stack().temporal(), id));
            return 0;
          });
    }
  }

  @Command(
      name = "backfill",
      mixinStandardHelpOptions = true,
      description = {
        "Run the times a schedule would have run between two days.",
        "Both days are included (UTC), e.g. to score missed partitions. Scoring schedules skip",
        "days whose output is published."
      })
  static final class Backfill implements Callable<Integer> {
    @Mixin Context ctx;

    @Parameters(paramLabel = "NAME")
    String id;

    @Option(
        names = "--from",
        required = true,
        paramLabel = "YYYY-MM-DD",
        description = "First day.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "YYYY-MM-DD", description = "Last day.")
    String to;

    @Option(
        names = "--overlap",
        paramLabel = "POLICY",
        defaultValue = "allow-all",
        description = "Overlap policy for the backfilled runs (default allow-all: all run).")
    String overlap;

    @Override
    public Integer call() throws Exception {
      LocalDate first = day("--from", from);
      LocalDate last = day("--to", to);
      if (last.isBefore(first)) {
        throw new IllegalArgumentException("--to " + to + " is before --from " + from);
      }
      ScheduleOverlapPolicy policy = overlap(overlap);
      // Temporal starts the nominal times after start, up to and including end: begin 1 ms
      // before the first day so a run at its midnight is included.
      Instant start = first.atStartOfDay(ZoneOffset.UTC).toInstant().minusMillis(1);
      Instant end = last.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusMillis(1);
      return withClient(
          ctx,
          id,
          client -> {
            client.getHandle(id).backfill(List.of(new ScheduleBackfill(start, end, policy)));
            System.out.println("backfilling " + id + " from " + first + " to " + last);
            System.out.println("Temporal UI: " + Links.schedule(ctx.stack().temporal(), id));
            return 0;
          });
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Delete the schedule (runs already started go on).")
  static final class Delete implements Callable<Integer> {
    @Mixin Context ctx;

    @Parameters(paramLabel = "NAME")
    String id;

    @Override
    public Integer call() throws Exception {
      return withClient(
          ctx,
          id,
          client -> {
            client.getHandle(id).delete();
            System.out.println("deleted " + id);
            return 0;
          });
    }
  }

  // ---- parsing

  private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*([smhd])");

  /** {@code 30m}, {@code 6h}, {@code 1d}, {@code 45s}, or ISO-8601 ({@code PT6H}, {@code P1D}). */
  static Duration duration(String option, String text) {
    Matcher m = SHORT.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Duration d =
          switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
      if (!d.isZero()) {
        return d;
      }
    }
    try {
      Duration d = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
      if (!d.isNegative() && !d.isZero()) {
        return d;
      }
    } catch (DateTimeParseException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException(
        option + " '" + text + "' is not a duration: write e.g. 30m, 6h, 1d or PT6H");
  }

  static LocalDate day(String option, String text) {
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(option + " '" + text + "' is not a day like 2026-11-24");
    }
  }

  static ScheduleOverlapPolicy overlap(String name) {
    return switch (name) {
      case "skip" -> ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP;
      case "buffer-one" -> ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE;
      case "buffer-all" -> ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL;
      case "allow-all" -> ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL;
      case "cancel-other" -> ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER;
      case "terminate-other" -> ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER;
      default ->
          throw new IllegalArgumentException(
              "--overlap '"
                  + name
                  + "' is not one of skip, buffer-one, buffer-all, allow-all, cancel-other,"
                  + " terminate-other");
    };
  }

  static String overlapName(ScheduleOverlapPolicy p) {
    return p.name()
        .replace("SCHEDULE_OVERLAP_POLICY_", "")
        .toLowerCase(Locale.ROOT)
        .replace('_', '-');
  }
}
