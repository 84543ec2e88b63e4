package dev.trainyard.activities.runtime;

import dev.trainyard.workflows.pipeline.Payloads.BuildFeaturesRequest;
import dev.trainyard.workflows.pipeline.Payloads.CompareRequest;
import dev.trainyard.workflows.pipeline.Payloads.EvaluateRequest;
import dev.trainyard.workflows.pipeline.Payloads.PromoteRequest;
import dev.trainyard.workflows.pipeline.Payloads.RegisterRequest;
import dev.trainyard.workflows.pipeline.Payloads.TrainRequest;
import dev.trainyard.workflows.pipeline.Payloads.ValidateDataRequest;
import dev.trainyard.workflows.pipeline.PipelineSpec;
import dev.trainyard.workflows.scoring.ScoringPayloads.ResolvedModel;
import dev.trainyard.workflows.scoring.ScoringPayloads.ScoreBatchRequest;
import dev.trainyard.workflows.scoring.ScoringPayloads.StartScoringRunRequest;
import dev.trainyard.workflows.scoring.ScoringSpec;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.client.ActivityCompletionException;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.failure.CanceledFailure;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Times every activity attempt the worker runs and records it as {@code
 * trainyard_step_duration_seconds{workflow,pipeline,model,step,outcome}}: in the activities layer,
 * where the work runs, so workflow code stays free of metrics (and replays count nothing).
 *
 * <p>{@code step} is the activity type, {@code workflow} the workflow type, {@code outcome} {@code
 * success}, {@code failure} or {@code cancelled} (cancelled, timed out, or the worker shutting
 * down). Pipeline and model come from the step's input (its spec, the resolved model, the
 * registered model's name); what a step's input does not name (finishing a run names neither,
 * finding the champion only the model) comes from an earlier step of the same workflow run on this
 * worker.
 */
public final class StepMetricsInterceptor extends WorkerInterceptorBase {
  /** Workflow runs remembered for their pipeline and model (oldest dropped first). */
  private static final int REMEMBERED_RUNS = 1000;

  private final TrainyardMetrics metrics;

  private final Map<String, Names> byRun =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Names> eldest) {
          return size() > REMEMBERED_RUNS;
        }
      };

  public StepMetricsInterceptor(TrainyardMetrics metrics) {
    this.metrics = metrics;
  }

  /** A step's pipeline and registered model; either may be null. */
  record Names(String pipeline, String model) {
    static final Names NONE = new Names(null, null);

    boolean isEmpty() {
      return pipeline == null && model == null;
    }
  }

  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    return new ActivityInboundCallsInterceptorBase(next) {
      private ActivityInfo info;

      @Override
      public void init(ActivityExecutionContext context) {
        info = context.getInfo();
        super.init(context);
      }

      @Override
      public ActivityOutput execute(ActivityInput input) {
        long start = System.nanoTime();
        Names names =
            remember(info.getRunId(), names(info.getActivityType(), input.getArguments()));
        String outcome = "failure";
        try {
          ActivityOutput out = super.execute(input);
          outcome = "success";
          return out;
        } catch (ActivityCompletionException | CanceledFailure e) {
          outcome = "cancelled";
          throw e;
        } finally {
          try {
            metrics.step(
                info.getWorkflowType(),
                names.pipeline(),
                names.model(),
                info.getActivityType(),
                outcome,
                System.nanoTime() - start);
          } catch (RuntimeException ignored) {
            // metrics never fail a step
          }
        }
      }
    };
  }

  /**
   * {@code found} with what it lacks filled in from earlier steps of the same run (a step that
   * names only the model still gets the pipeline), remembered for later steps.
   */
  private Names remember(String runId, Names found) {
    synchronized (byRun) {
      Names known = byRun.getOrDefault(runId, Names.NONE);
      Names merged =
          new Names(
              found.pipeline() != null ? found.pipeline() : known.pipeline(),
              found.model() != null ? found.model() : known.model());
      if (!merged.isEmpty()) {
        byRun.put(runId, merged);
      }
      return merged;
    }
  }

  /** What the step's arguments say about its pipeline and model. */
  static Names names(String activityType, Object[] args) {
    for (Object a : args) {
      Names n = of(a);
      if (n != null) {
        return n;
      }
    }
    // The two steps that take a bare model name or reference.
    if (args.length > 0 && args[0] instanceof String s) {
      if (activityType.equals("FindChampion")) {
        return new Names(null, s);
      }
      if (activityType.equals("ResolveModel")) {
        return new Names(null, modelName(s));
      }
    }
    return Names.NONE;
  }

  private static Names of(Object a) {
    if (a instanceof PipelineSpec s) {
      return new Names(s.name(), s.registeredModel());
    }
    if (a instanceof ScoringSpec s) {
      return new Names(null, modelName(s.model()));
    }
    if (a instanceof ValidateDataRequest r) {
      return of(r.spec());
    }
    if (a instanceof BuildFeaturesRequest r) {
      return of(r.spec());
    }
    if (a instanceof TrainRequest r) {
      return of(r.spec());
    }
    if (a instanceof EvaluateRequest r) {
      return of(r.spec());
    }
    if (a instanceof CompareRequest r) {
      return of(r.spec());
    }
    if (a instanceof RegisterRequest r) {
      return of(r.spec());
    }
    if (a instanceof PromoteRequest r) {
      return new Names(null, r.registeredModel());
    }
    if (a instanceof StartScoringRunRequest r) {
      return r.model() != null ? new Names(null, r.model().name()) : of(r.spec());
    }
    if (a instanceof ScoreBatchRequest r) {
      return r.model() != null ? new Names(null, r.model().name()) : of(r.spec());
    }
    if (a instanceof ResolvedModel m) {
      return new Names(null, m.name());
    }
    return null;
  }

  /** {@code churn@champion}, {@code churn/3}, {@code models:/churn@champion} → {@code churn}. */
  static String modelName(String ref) {
    if (ref == null) {
      return null;
    }
    String r = ref.startsWith("models:/") ? ref.substring("models:/".length()) : ref;
    int cut = r.length();
    for (char c : new char[] {'@', '/'}) {
      int i = r.indexOf(c);
      if (i >= 0) {
        cut = Math.min(cut, i);
      }
    }
    return r.substring(0, cut);
  }
}
