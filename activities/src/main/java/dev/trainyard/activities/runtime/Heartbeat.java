package dev.trainyard.activities.runtime;

import io.temporal.activity.ActivityExecutionContext;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Heartbeats on a timer while a Spark job blocks the activity thread. */
public final class Heartbeat implements AutoCloseable {
  private final ScheduledExecutorService timer;

  private Heartbeat(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  public static Heartbeat every(ActivityExecutionContext ctx, int seconds) {
    ScheduledExecutorService t =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread th = new Thread(r, "heartbeat-" + ctx.getInfo().getActivityType());
              th.setDaemon(true);
              return th;
            });
    t.scheduleAtFixedRate(
        () -> {
          try {
            ctx.heartbeat(null);
          } catch (RuntimeException ignored) {
            // cancellation or shutdown: the blocking work ends on its own or by timeout
          }
        },
        0,
        seconds,
        TimeUnit.SECONDS);
    return new Heartbeat(t);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
