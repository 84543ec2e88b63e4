package dev.trainyard.spark.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.launcher.SparkAppHandle;
import org.apache.spark.launcher.SparkAppHandle.State;

/**
 * One job submitted by {@link SparkSubmitter}: its {@link #status()}, {@link #await} for the
 * result, {@link #cancel()}.
 *
 * <p>An activity awaits with its heartbeat as the callback: {@code job.await(Duration.ofSeconds(5),
 * status -> Activity.getExecutionContext().heartbeat(status))}. The callback runs on the awaiting
 * thread every {@code tick} and on every state change; when it throws (Temporal's heartbeat throws
 * once the activity is cancelled or timed out) the job is cancelled and the exception rethrown.
 */
public final class SubmittedJob {
  private static final Logger LOG = Logger.getLogger(SubmittedJob.class.getName());
  private static final int LOG_LINES = 12;

  private final JobKind kind;
  private final String name;
  private final ClusterSettings settings;
  private final String resultUri;
  private final Path log;
  private final Configuration hadoop;
  private final Consumer<JobStatus> onChange;
  private final long submittedAt = System.nanoTime();
  private final Object lock = new Object();
  private volatile SparkAppHandle handle;
  private volatile boolean cancelled;
  private volatile boolean killed;

  SubmittedJob(
      JobKind kind,
      String name,
      ClusterSettings settings,
      String resultUri,
      Path log,
      Configuration hadoop,
      Consumer<JobStatus> onChange) {
    this.kind = kind;
    this.name = name;
    this.settings = settings;
    this.resultUri = resultUri;
    this.log = log;
    this.hadoop = hadoop;
    this.onChange = onChange;
  }

  SparkAppHandle.Listener listener() {
    return new SparkAppHandle.Listener() {
      @Override
      public void stateChanged(SparkAppHandle h) {
        changed(h);
      }

      @Override
      public void infoChanged(SparkAppHandle h) {
        changed(h);
      }
    };
  }

  void started(SparkAppHandle handle) {
    synchronized (lock) {
      if (this.handle == null) {
        this.handle = handle;
      }
      lock.notifyAll();
    }
  }

  private void changed(SparkAppHandle h) {
    started(h);
    if (onChange != null) {
      try {
        onChange.accept(status());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "state listener of " + name + " failed", e);
      }
    }
  }

  public JobKind kind() {
    return kind;
  }

  /** The application name ({@code trainyard-KIND-STAMP-ID}), as the cluster's UI shows it. */
  public String name() {
    return name;
  }

  /** The local file with the driver's (client mode) or spark-submit's (cluster mode) output. */
  public Path driverLog() {
    return log;
  }

  public JobStatus status() {
    SparkAppHandle h = handle;
    return new JobStatus(
        kind,
        name,
        settings.master(),
        h == null ? State.UNKNOWN : h.getState(),
        h == null ? null : h.getAppId(),
        (System.nanoTime() - submittedAt) / 1e9);
  }

  /**
   * Waits for the job to end and returns its outcome (always {@link JobOutcome#succeeded()}).
   *
   * @param tick how often {@code heartbeat} is called while the job runs (state changes call it
   *     too)
   * @param heartbeat called with the current status on this thread; may be null. If it throws, the
   *     job is cancelled and the exception rethrown
   * @throws SparkJobException when the job produced no result: not accepted in time, failed in the
   *     driver (with the driver's error), killed, lost, cancelled
   */
  public JobOutcome await(Duration tick, Consumer<JobStatus> heartbeat) {
    long tickMillis = Math.max(10, tick.toMillis());
    long acceptDeadline = submittedAt + settings.submitTimeout().toNanos();
    boolean accepted = false;
    State last = null;
    try {
      while (true) {
        JobStatus status = status();
        State state = status.state();
        accepted |= state == State.RUNNING || state.isFinal();
        if (state.isFinal()) {
          break;
        }
        if (!accepted && System.nanoTime() > acceptDeadline) {
          kill();
          throw failure(
              SparkJobException.Reason.SUBMIT_TIMEOUT,
              "was not accepted by the master within "
                  + seconds(settings.submitTimeout())
                  + " (last state "
                  + state
                  + ") and was killed. Check in the master's UI that workers are alive with"
                  + " enough free cores and memory for the driver and executors"
                  + " (spark.executor.memory, spark.executor.cores), and that the cluster can"
                  + " connect back to the driver (spark.driver.host). See the driver log",
              null);
        }
        if (heartbeat != null) {
          try {
            heartbeat.accept(status);
          } catch (RuntimeException e) {
            cancel();
            throw e;
          }
        }
        synchronized (lock) {
          State now = handle == null ? State.UNKNOWN : handle.getState();
          if (now == last || now == state) {
            long wait = tickMillis;
            if (!accepted) {
              wait = Math.min(wait, Math.max(1, (acceptDeadline - System.nanoTime()) / 1_000_000));
            }
            lock.wait(wait);
          }
        }
        last = state;
      }
    } catch (InterruptedException e) {
      cancel();
      Thread.currentThread().interrupt();
      throw failure(
          SparkJobException.Reason.CANCELLED,
          "was cancelled: the waiting thread was interrupted",
          e);
    }
    return finish();
  }

  /**
   * Stops the job: asks the driver to stop its application (the master marks it KILLED and removes
   * its executors), waits up to the settings' {@code stopGrace} for that, then kills the
   * spark-submit / driver process — a stop request ends the application's scheduler, not the
   * driver's main thread, so the process must go too. A later or concurrent {@link #await} throws
   * {@link SparkJobException.Reason#CANCELLED}. Safe to call more than once and after the job
   * ended.
   */
  public void cancel() {
    cancelled = true;
    SparkAppHandle h = awaitHandle();
    if (h == null || killed) {
      return;
    }
    try {
      h.stop();
    } catch (RuntimeException e) {
      // Not connected yet (the driver has not started its SparkContext): kill it.
    }
    long deadline = System.nanoTime() + settings.stopGrace().toNanos();
    synchronized (lock) {
      while (!h.getState().isFinal() && System.nanoTime() < deadline) {
        try {
          lock.wait(Math.max(1, Math.min(200, (deadline - System.nanoTime()) / 1_000_000)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    kill();
  }

  /** Ends the spark-submit / driver process (whatever the state says) and marks the job KILLED. */
  private synchronized void kill() {
    SparkAppHandle h = handle;
    if (h != null && !killed) {
      killed = true;
      if (!h.getState().isFinal()) {
        h.kill();
      }
      // A final state (KILLED after a stop request) says nothing about the process: end it too.
      driverProcesses().forEach(ProcessHandle::destroyForcibly);
    }
  }

  /**
   * This JVM's child processes that run this job: spark-submit, which in client mode is the driver
   * ({@code bin/spark-submit} execs java with {@code --name NAME}).
   */
  List<ProcessHandle> driverProcesses() {
    return ProcessHandle.current()
        .descendants()
        .filter(p -> p.info().arguments().map(args -> List.of(args).contains(name)).orElse(false))
        .toList();
  }

  private SparkAppHandle awaitHandle() {
    synchronized (lock) {
      return handle;
    }
  }

  private JobOutcome finish() {
    State state = handle.getState();
    JobOutcome outcome = readOutcome();
    for (int i = 0; outcome == null && i < 10 && state != State.KILLED; i++) {
      // The driver writes its outcome before it stops; give a slow file system a moment.
      sleep(300);
      outcome = readOutcome();
    }
    if (cancelled) {
      throw failure(
          SparkJobException.Reason.CANCELLED,
          "was cancelled (stopped on request, final state " + state + ")",
          null);
    }
    if (outcome != null && outcome.succeeded()) {
      return outcome;
    }
    if (outcome != null) {
      return rethrow(outcome);
    }
    throw switch (state) {
      case KILLED ->
          failure(
              SparkJobException.Reason.KILLED,
              "was killed outside Trainyard (the master's UI, `yarn application -kill`, `kubectl"
                  + " delete`, or the cluster manager preempting it); retry it",
              null);
      case LOST ->
          failure(
              SparkJobException.Reason.LOST,
              "ended without reporting a final state and wrote no result to "
                  + resultUri
                  + ". In cluster deploy mode the driver must be able to write there; see the"
                  + " driver log and the cluster's logs for the driver",
              null);
      case FINISHED ->
          failure(
              SparkJobException.Reason.FAILED,
              "finished but wrote no result to "
                  + resultUri
                  + ": was the main class "
                  + JobMain.class.getName()
                  + " and can the driver write there?",
              null);
      default ->
          failure(
              SparkJobException.Reason.FAILED,
              "failed before writing its result (final state "
                  + state
                  + "): the driver could not start or was lost. Check the driver log below, that"
                  + " the job jar is "
                  + settings.jobJar()
                  + ", and that this machine has memory for the driver (spark.driver.memory)",
              null);
    };
  }

  private JobOutcome rethrow(JobOutcome outcome) {
    String type = outcome.errorType();
    String simple = type == null ? "error" : type.substring(type.lastIndexOf('.') + 1);
    String appId = outcome.appId() != null ? outcome.appId() : handle.getAppId();
    throw new SparkJobException(
        SparkJobException.Reason.JOB_ERROR,
        kind
            + " job "
            + name
            + " ("
            + appId
            + ") on "
            + settings.master()
            + " failed in the driver: "
            + simple
            + ": "
            + outcome.errorMessage()
            + " [driver log: "
            + log
            + "]",
        settings.master(),
        appId,
        handle.getState(),
        type,
        log.toString(),
        null);
  }

  private SparkJobException failure(SparkJobException.Reason reason, String what, Throwable cause) {
    SparkAppHandle h = handle;
    String appId = h == null ? null : h.getAppId();
    String tail = reason == SparkJobException.Reason.CANCELLED ? "" : logTail();
    return new SparkJobException(
        reason,
        kind
            + " job "
            + name
            + (appId == null ? " (no application id)" : " (" + appId + ")")
            + " on "
            + settings.master()
            + " "
            + what
            + ". Driver log: "
            + log
            + (tail.isEmpty() ? "" : "; its last errors:\n" + tail),
        settings.master(),
        appId,
        h == null ? null : h.getState(),
        null,
        log.toString(),
        cause);
  }

  private JobOutcome readOutcome() {
    try {
      String json = ClusterFiles.readIfExists(hadoop, resultUri);
      return json == null ? null : JobOutcome.fromJson(json);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cannot read the outcome of " + name + " at " + resultUri, e);
      return null;
    }
  }

  /** The log's last lines that name an error, else its last lines. */
  private String logTail() {
    try {
      if (!Files.exists(log)) {
        return "";
      }
      List<String> lines = Files.readAllLines(log);
      List<String> errors =
          lines.stream()
              .filter(l -> l.contains("ERROR") || l.contains("Exception") || l.contains("Error:"))
              .toList();
      List<String> pick = errors.isEmpty() ? lines : errors;
      return String.join("\n", pick.subList(Math.max(0, pick.size() - LOG_LINES), pick.size()));
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static String seconds(Duration d) {
    return d.toSeconds() + " s";
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
