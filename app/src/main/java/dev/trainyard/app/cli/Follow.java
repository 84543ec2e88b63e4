package dev.trainyard.app.cli;

import dev.trainyard.workflows.pipeline.PipelineProgress;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Following a run from the terminal: a progress line (from the run's {@code progress} query) on
 * stderr whenever it changes, then the result on stdout, or the failure's own message.
 */
final class Follow {
  private Follow() {}

  /**
   * @param what the kind of run in messages ("pipeline", "scoring run")
   * @return the exit code: 0 when the run completed, 1 when it failed
   */
  static <R> int untilDone(
      WorkflowStub stub, String id, String what, Class<R> type, Consumer<R> print)
      throws Exception {
    CompletableFuture<R> result = stub.getResultAsync(type);
    String last = "";
    while (true) {
      try {
        R r = result.get(2, TimeUnit.SECONDS);
        System.err.println();
        print.accept(r);
        return 0;
      } catch (TimeoutException stillRunning) {
        String line = progressLine(stub);
        if (!line.equals(last)) {
          System.err.println(line);
          last = line;
        }
      } catch (ExecutionException e) {
        if (e.getCause() instanceof WorkflowFailedException wfe) {
          System.err.println("error: " + what + " " + id + " failed: " + failureMessage(wfe));
          return 1;
        }
        throw e;
      }
    }
  }

  /** The innermost application failure's message: what the activity or workflow said. */
  static String failureMessage(WorkflowFailedException e) {
    Throwable cause = e.getCause();
    while (cause.getCause() != null && !(cause instanceof ApplicationFailure)) {
      cause = cause.getCause();
    }
    return cause instanceof ApplicationFailure af ? af.getOriginalMessage() : cause.getMessage();
  }

  static String progressLine(WorkflowStub stub) {
    try {
      PipelineProgress p = stub.query("progress", PipelineProgress.class);
      StringBuilder b = new StringBuilder("[" + p.step() + "] " + p.detail());
      Map<String, Double> m = new TreeMap<>(p.latestMetrics());
      if (!m.isEmpty()) {
        b.append("  ");
        m.forEach(
            (k, v) ->
                b.append(k)
                    .append('=')
                    .append(
                        String.format(
                            Locale.ROOT,
                            k.equals("epoch") || v == Math.rint(v) ? "%.0f " : "%.4f ",
                            v)));
      }
      return b.toString().trim();
    } catch (RuntimeException e) {
      return "[waiting for a worker] start one with `./trainyard worker`";
    }
  }
}
