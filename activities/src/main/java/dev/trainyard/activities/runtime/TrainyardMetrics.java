package dev.trainyard.activities.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trainyard's own metrics, recorded by the activities (where the work runs; workflows record none,
 * so replays never count twice). The worker hands in a Prometheus registry when its metrics port is
 * on; {@link #NONE} records nothing. Names as Prometheus shows them (Micrometer adds the unit and
 * {@code _total}):
 *
 * <ul>
 *   <li>{@code trainyard_rows_validated_total{pipeline,model}}: rows a validation step read
 *   <li>{@code trainyard_rows_scored_total{model}}, {@code
 *       trainyard_rows_quarantined_total{model}}, {@code
 *       trainyard_rows_scoring_input_total{model}}: a scoring step's rows
 *   <li>{@code trainyard_training_samples_total{pipeline,model}}: rows trained on, over every epoch
 *       ({@code rate()} of it is the throughput); {@code
 *       trainyard_training_samples_per_second{pipeline,model}}: the last epoch's
 *   <li>{@code trainyard_training_epoch_seconds{pipeline,model}} (timer: {@code _count}, {@code
 *       _sum}, {@code _max}): an epoch's training pass; {@code
 *       trainyard_training_data_wait_seconds_total{pipeline,model}}: of that, time spent waiting
 *       for batches
 *   <li>{@code trainyard_step_duration_seconds{workflow,pipeline,model,step,outcome}} (timer): each
 *       activity attempt, recorded by {@link StepMetricsInterceptor}
 * </ul>
 *
 * <p>Tag values are bounded by what a deployment has: pipelines and registered models by name,
 * steps by activity type, outcomes {@code success}, {@code failure}, {@code cancelled}.
 */
public final class TrainyardMetrics {
  /** Records nothing: a composite registry with no registries in it. */
  public static final TrainyardMetrics NONE = new TrainyardMetrics(new CompositeMeterRegistry());

  /** The tag value when a step's input names no pipeline or model. */
  public static final String NO_VALUE = "none";

  private static final Logger log = LoggerFactory.getLogger(TrainyardMetrics.class);

  private final MeterRegistry registry;
  private final Map<Tags, AtomicReference<Double>> samplesPerSecond = new ConcurrentHashMap<>();

  public TrainyardMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Metrics never fail the work they measure (a registry that refuses a meter, say). */
  private static void safely(Runnable record) {
    try {
      record.run();
    } catch (RuntimeException e) {
      log.warn("metric not recorded: {}", e.toString());
    }
  }

  private static String value(String s) {
    return s == null || s.isBlank() ? NO_VALUE : s;
  }

  private static Tags tags(String pipeline, String model) {
    return Tags.of("pipeline", value(pipeline), "model", value(model));
  }

  /** A validation step read {@code rows} rows of {@code pipeline}'s dataset. */
  public void rowsValidated(String pipeline, String model, long rows) {
    safely(
        () -> {
          Counter.builder("trainyard.rows.validated")
              .description("Rows read by validation steps")
              .tags(tags(pipeline, model))
              .register(registry)
              .increment(rows);
        });
  }

  /** A scoring step's counts with {@code model} (the registered model's name). */
  public void rowsScored(String model, long rowsIn, long scored, long quarantined) {
    safely(
        () -> {
          Tags t = Tags.of("model", value(model));
          Counter.builder("trainyard.rows.scoring.input")
              .description("Rows read by scoring steps")
              .tags(t)
              .register(registry)
              .increment(rowsIn);
          Counter.builder("trainyard.rows.scored")
              .description("Rows scored and published by scoring steps")
              .tags(t)
              .register(registry)
              .increment(scored);
          Counter.builder("trainyard.rows.quarantined")
              .description("Rows scoring steps set aside (unscorable input)")
              .tags(t)
              .register(registry)
              .increment(quarantined);
        });
  }

  /**
   * One finished training epoch: {@code rows} trained on in {@code trainSeconds}, of which {@code
   * dataWaitSeconds} waiting for batches.
   */
  public void epoch(
      String pipeline, String model, long rows, double trainSeconds, double dataWaitSeconds) {
    safely(
        () -> {
          Tags t = tags(pipeline, model);
          Counter.builder("trainyard.training.samples")
              .description("Rows trained on, summed over epochs")
              .tags(t)
              .register(registry)
              .increment(rows);
          Timer.builder("trainyard.training.epoch")
              .description("Wall time of an epoch's training pass (without validation)")
              .tags(t)
              .register(registry)
              .record(Duration.ofNanos((long) (trainSeconds * 1e9)));
          Counter.builder("trainyard.training.data.wait")
              .description("Seconds the training loop waited for batches from the reader")
              .baseUnit("seconds")
              .tags(t)
              .register(registry)
              .increment(dataWaitSeconds);
          AtomicReference<Double> last =
              samplesPerSecond.computeIfAbsent(
                  t,
                  k -> {
                    AtomicReference<Double> holder = new AtomicReference<>(Double.NaN);
                    Gauge.builder(
                            "trainyard.training.samples.per.second", holder, AtomicReference::get)
                        .description("Training throughput of the last finished epoch")
                        .tags(k)
                        .register(registry);
                    return holder;
                  });
          last.set(trainSeconds > 0 ? rows / trainSeconds : Double.NaN);
        });
  }

  /** One activity attempt: how long it ran and how it ended. */
  public void step(
      String workflow,
      String pipeline,
      String model,
      String step,
      String outcome,
      long durationNanos) {
    safely(
        () -> {
          Timer.builder("trainyard.step.duration")
              .description("Wall time of a step (one activity attempt), by how it ended")
              .tags(tags(pipeline, model))
              .tag("workflow", value(workflow))
              .tag("step", value(step))
              .tag("outcome", outcome)
              .register(registry)
              .record(Duration.ofNanos(durationNanos));
        });
  }
}
