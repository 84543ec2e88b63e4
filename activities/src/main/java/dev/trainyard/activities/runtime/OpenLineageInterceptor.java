package dev.trainyard.activities.runtime;

import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Emits every step's OpenLineage START before it runs and COMPLETE or FAIL after, from one place
 * around the activity, so no step has to remember to. The datasets come from the step's own lineage
 * record ({@link LineageRecorder#record}), which hands them over through {@link #collect} on the
 * activity's thread; a step that fails before recording reports none.
 */
public final class OpenLineageInterceptor extends WorkerInterceptorBase {
  private static final ThreadLocal<Datasets> CURRENT = new ThreadLocal<>();

  private final OpenLineageEvents events;

  public OpenLineageInterceptor(OpenLineageEvents events) {
    this.events = events;
  }

  /** What the running step read and wrote, as its lineage record says. */
  private record Datasets(
      List<LineageRecord.Dataset> inputs,
      List<LineageRecord.Dataset> outputs,
      Map<String, Map<String, String>> schemas) {}

  /** Called by {@link LineageRecorder}: the step's datasets for its COMPLETE (or FAIL) event. */
  static void collect(List<LineageRecord.Dataset> inputs, List<LineageRecord.Dataset> outputs) {
    Datasets d = CURRENT.get();
    if (d != null) {
      d.inputs().addAll(inputs);
      d.outputs().addAll(outputs);
    }
  }

  /** Called where a step learns a dataset's schema: column → type, for the dataset's facet. */
  static void schema(String uri, Map<String, String> columns) {
    Datasets d = CURRENT.get();
    if (d != null) {
      d.schemas().put(uri, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(columns)));
    }
  }

  /**
   * The schema of a Parquet dataset a step read or wrote, from its files' footers (no data is
   * read), for the dataset's facet: column → Spark SQL type. Only while a step's events are being
   * collected, so a worker without OpenLineage reads nothing; a dataset that cannot be read (gone,
   * not Parquet) just gets no schema facet.
   */
  public static void parquetSchema(org.apache.spark.sql.SparkSession spark, String uri) {
    if (CURRENT.get() == null) {
      return;
    }
    try {
      Map<String, String> columns = new LinkedHashMap<>();
      for (org.apache.spark.sql.types.StructField f : spark.read().parquet(uri).schema().fields()) {
        columns.put(f.name(), f.dataType().simpleString());
      }
      schema(uri, columns);
    } catch (RuntimeException e) {
      // Lineage is a side channel: a schema it cannot read is left out, the step goes on.
    }
  }

  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    if (!events.enabled()) {
      return next;
    }
    return new ActivityInboundCallsInterceptorBase(next) {
      private ActivityInfo info;

      @Override
      public void init(ActivityExecutionContext context) {
        info = context.getInfo();
        super.init(context);
      }

      @Override
      public ActivityOutput execute(ActivityInput input) {
        OpenLineageEvents.Step step =
            new OpenLineageEvents.Step(
                info.getWorkflowType(),
                info.getWorkflowId(),
                info.getRunId(),
                info.getActivityType(),
                info.getActivityId());
        Datasets datasets = new Datasets(new ArrayList<>(), new ArrayList<>(), new HashMap<>());
        events.start(step, Instant.now());
        CURRENT.set(datasets);
        try {
          ActivityOutput out = super.execute(input);
          events.complete(
              step, Instant.now(), datasets.inputs(), datasets.outputs(), datasets.schemas());
          return out;
        } catch (RuntimeException | Error e) {
          events.fail(
              step, Instant.now(), datasets.inputs(), datasets.outputs(), datasets.schemas(), e);
          throw e;
        } finally {
          CURRENT.remove();
        }
      }
    };
  }
}
