package dev.trainyard.workflows.scoring;

import dev.trainyard.workflows.TaskQueues;
import dev.trainyard.workflows.pipeline.PipelineProgress;
import dev.trainyard.workflows.scoring.EvaluateScoresResult.EvaluateDayRequest;
import dev.trainyard.workflows.scoring.EvaluateScoresResult.EvaluatedDay;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.SearchAttributeKey;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Realized performance, day by day: one activity per scored day (join labels, compute, log to the
 * day's scoring run), then — when the spec says so and a day's realized metric crossed its bound —
 * a retraining pipeline started as an independent run, the way a scoring run's drift trigger does.
 */
public class EvaluateScoresWorkflowImpl implements EvaluateScoresWorkflow {
  private static final Logger log = Workflow.getLogger(EvaluateScoresWorkflowImpl.class);

  static final SearchAttributeKey<OffsetDateTime> SCHEDULED_START =
      BatchScoringWorkflowImpl.SCHEDULED_START;

  // Timeouts and retries come from the worker, per activity type (ActivityTuning).
  private final ScoringActivities.Realized realized =
      Workflow.newActivityStub(
          ScoringActivities.Realized.class,
          ActivityOptions.newBuilder().setTaskQueue(TaskQueues.SPARK).build());

  private String step = "starting";
  private String detail = "";
  private final List<String> done = new ArrayList<>();
  private final Map<String, Double> latest = new LinkedHashMap<>();

  @Override
  public PipelineProgress progress() {
    return new PipelineProgress(step, List.copyOf(done), Map.copyOf(latest), detail);
  }

  @Override
  public EvaluateScoresResult evaluate(EvaluateScoresSpec spec) {
    List<String> problems = spec == null ? List.of("the request is empty") : spec.problems();
    if (!problems.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "The evaluate-scores request has "
              + problems.size()
              + " problem(s):\n- "
              + String.join("\n- ", problems),
          "InvalidEvaluateScoresRequest");
    }
    List<String> dates =
        spec.dates().isEmpty()
            ? List.of(
                java.time.LocalDate.parse(runDate())
                    .minusDays(spec.labelDelayDays() == null ? 0 : spec.labelDelayDays())
                    .toString())
            : spec.dates();
    List<EvaluatedDay> days = new ArrayList<>();
    for (String date : dates) {
      if (!step.equals("starting")) {
        done.add(step);
      }
      step = "evaluate " + date;
      detail = EvaluateScoresSpec.forDay(spec.scores(), date);
      days.add(
          realized.evaluateDay(
              new EvaluateDayRequest(
                  date,
                  EvaluateScoresSpec.forDay(spec.scores(), date),
                  EvaluateScoresSpec.forDay(spec.labels(), date),
                  spec.keys(),
                  spec.label())));
    }
    days.get(days.size() - 1).metrics().forEach((k, v) -> latest.put("realized_" + k, v));
    done.add(step);
    step = "done";
    EvaluatedDay crossed = null;
    if (spec.retrain() != null) {
      for (EvaluatedDay d : days) {
        Double v = d.metrics().get(spec.retrain().metric());
        if (v == null) {
          throw ApplicationFailure.newNonRetryableFailure(
              "retrain.metric '"
                  + spec.retrain().metric()
                  + "' is not a realized metric of "
                  + d.model()
                  + "; it has "
                  + d.metrics().keySet(),
              "InvalidEvaluateScoresRequest");
        }
        if (spec.retrain().crossed(v)) {
          crossed = d;
        }
      }
    }
    String retrainId = null;
    if (crossed != null) {
      retrainId = startRetraining(spec, crossed);
    }
    List<String> parts = new ArrayList<>();
    for (EvaluatedDay d : days) {
      parts.add(
          d.date() + " " + d.model() + " " + d.metrics() + " (" + d.labelled() + " labelled)");
    }
    String summary =
        "realized: "
            + String.join("; ", parts)
            + (retrainId == null
                ? ""
                : "; "
                    + spec.retrain().metric()
                    + " "
                    + fmt(crossed.metrics().get(spec.retrain().metric()))
                    + " "
                    + spec.retrain().bound()
                    + " on "
                    + crossed.date()
                    + ", started retraining "
                    + retrainId);
    return new EvaluateScoresResult(days, retrainId, summary);
  }

  /** Starts the retraining pipeline as an independent run, as the drift trigger does. */
  private String startRetraining(EvaluateScoresSpec spec, EvaluatedDay day) {
    String id =
        Retraining.start(
            spec.retrain().pipeline(),
            "Retrain "
                + day.model()
                + ": realized "
                + spec.retrain().metric()
                + " "
                + fmt(day.metrics().get(spec.retrain().metric()))
                + " on "
                + day.date());
    log.info("realized {} on {}: started {}", spec.retrain().metric(), day.date(), id);
    return id;
  }

  private static String runDate() {
    var attributes = Workflow.getTypedSearchAttributes();
    if (attributes.containsKey(SCHEDULED_START)) {
      return attributes
          .get(SCHEDULED_START)
          .withOffsetSameInstant(ZoneOffset.UTC)
          .toLocalDate()
          .toString();
    }
    return Instant.ofEpochMilli(Workflow.currentTimeMillis())
        .atZone(ZoneOffset.UTC)
        .toLocalDate()
        .toString();
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
