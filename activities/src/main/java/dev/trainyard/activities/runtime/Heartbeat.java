package dev.trainyard.activities.runtime;

import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Heartbeats on a timer while work blocks the activity thread, and turns what a heartbeat learns
 * into a stop: Temporal answers a heartbeat of a cancelled attempt, of one that timed out (its
 * retry may already run) or of a worker shutting down with an {@link ActivityCompletionException}.
 * The first such answer runs {@code onStop} once (cancel the Spark job group, say) and {@link
 * #stopRequested()} turns true, so the work can end at its next batch and publish nothing.
 *
 * <p>Every beat carries the latest {@link #progress} details, so the timer never overwrites the
 * resume point a retry reads with {@code getHeartbeatDetails}.
 */
public final class Heartbeat implements AutoCloseable {
  private final ActivityExecutionContext ctx;
  private final Runnable onStop;
  private final AtomicReference<Object> details = new AtomicReference<>();
  private final AtomicReference<ActivityCompletionException> stopped = new AtomicReference<>();
  private ScheduledExecutorService timer;

  private Heartbeat(ActivityExecutionContext ctx, Runnable onStop) {
    this.ctx = ctx;
    this.onStop = onStop;
  }

  public static Heartbeat every(ActivityExecutionContext ctx, int seconds) {
    return every(ctx, seconds, () -> {});
  }

  /** Beats every {@code seconds} until closed; {@code onStop} runs once when Temporal says stop. */
  public static Heartbeat every(ActivityExecutionContext ctx, int seconds, Runnable onStop) {
    Heartbeat hb = new Heartbeat(ctx, onStop);
    ctx.getHeartbeatDetails(Object.class).ifPresent(hb.details::set);
    hb.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread th = new Thread(r, "heartbeat-" + ctx.getInfo().getActivityType());
              th.setDaemon(true);
              return th;
            });
    hb.timer.scheduleAtFixedRate(hb::beat, 0, seconds, TimeUnit.SECONDS);
    return hb;
  }

  /** Records progress a retry can resume from, and beats with it now. */
  public void progress(Object progress) {
    details.set(progress);
    beat();
  }

  /** True once Temporal has said this attempt should stop (cancelled, timed out, shutdown). */
  public boolean stopRequested() {
    return stopped.get() != null;
  }

  /**
   * Throws what Temporal said when it said stop: the activity then ends as cancelled (or its result
   * is dropped, for an attempt that timed out) instead of as a failure of its own.
   */
  public void throwIfStopped() {
    ActivityCompletionException e = stopped.get();
    if (e != null) {
      throw e;
    }
  }

  private void beat() {
    try {
      ctx.heartbeat(details.get());
    } catch (ActivityCompletionException e) {
      if (stopped.compareAndSet(null, e)) {
        onStop.run();
      }
    } catch (RuntimeException ignored) {
      // a heartbeat that did not go through: the next one tries again
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
