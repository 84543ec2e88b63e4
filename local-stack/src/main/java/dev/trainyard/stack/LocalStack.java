package dev.trainyard.stack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The local stack: S3 store, MLflow (artifacts in S3) and Temporal, started in that order. Each
 * service on a loopback endpoint is installed on first use, started if not running, and waited on
 * until healthy; a service elsewhere is only checked.
 */
public final class LocalStack {
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration STOP_GRACE = Duration.ofSeconds(15);

  private final StackConfig config;
  private final Tools tools;
  private final Consumer<String> progress;
  private final List<LocalService> services;
  private final TemporalDevServer temporal;

  public LocalStack(StackConfig config, Consumer<String> progress) {
    this(config, progress, null);
  }

  /**
   * A stack whose MLflow runs its basic-auth app with {@code mlflowAdmin} as the admin; null keeps
   * MLflow open (the default).
   */
  public LocalStack(StackConfig config, Consumer<String> progress, MlflowAdmin mlflowAdmin) {
    this.config = config;
    this.progress = progress;
    this.tools = new Tools(config.home(), config.toolsDir(), progress);
    this.temporal = new TemporalDevServer(config);
    this.services =
        List.of(new S3ProxyServer(config), new MlflowTrackingServer(config, mlflowAdmin), temporal);
  }

  /**
   * Checks Temporal's frontend with {@code probe}, which connects the way the clients do (TLS,
   * client certificate, API key) instead of in plain text; returns this stack. With {@code tls},
   * the frontend is never this stack's own (plain-text) dev server, even on a loopback address.
   */
  public LocalStack probingTemporalWith(Supplier<Probe.Result> probe, boolean tls) {
    temporal.probeWith(probe, tls);
    return this;
  }

  public StackConfig config() {
    return config;
  }

  public List<LocalService> services() {
    return services;
  }

  public LocalService service(String name) {
    return services.stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new StackException(
                    "Unknown service '" + name + "'.", "Use one of: temporal, mlflow, s3."));
  }

  /** Brings every service up; {@code detached} processes outlive this JVM (the CLI's case). */
  public List<ServiceStatus> up(boolean detached) {
    List<ServiceStatus> result = new ArrayList<>();
    for (LocalService s : services) {
      result.add(ensureRunning(s, detached));
    }
    return result;
  }

  /** Makes one service healthy, starting it here when its endpoint is on loopback. */
  public ServiceStatus ensureRunning(LocalService s, boolean detached) {
    if (!s.isManagedHere()) {
      Probe.Result r = s.probe();
      if (!r.healthy()) {
        throw new StackException(
            s.title()
                + " at "
                + s.links().values().iterator().next()
                + " is not reachable: "
                + r.detail()
                + ".",
            "Check that it is running and the address is right, or unset the variable that points there to run one locally.");
      }
      return status(s, null, r);
    }
    Optional<ManagedProcess> ours = ManagedProcess.fromPidFile(s.name(), config.pidFile(s.name()));
    if (ours.isPresent()) {
      Probe.Result r = waitHealthy(s, ours.get());
      s.whenHealthy(progress);
      return status(s, ours.get().pid(), r);
    }
    Probe.Result before = s.probe();
    if (before.healthy()) {
      // Someone else's healthy service already answers there (say, their own dev server): use it.
      s.whenHealthy(progress);
      return status(
          s, null, new Probe.Result(true, before.detail() + ", not started by Trainyard"));
    }
    for (int port : s.ports()) {
      if (!Probe.portFree(s.host(), port)) {
        throw new StackException(
            "Port "
                + port
                + " on "
                + s.host()
                + " is taken by another program, so "
                + s.title()
                + " cannot start.",
            "Stop that program (`ss -ltnp 'sport = :"
                + port
                + "'` shows it) or "
                + s.relocationHint()
                + ".");
      }
    }
    List<String> command = s.prepare(tools);
    progress.accept("starting " + s.title() + "...");
    ManagedProcess p =
        ManagedProcess.start(
            s.name(), command, s.environment(), s.workDir(), config.logFile(s.name()), detached);
    p.writePidFile(config.pidFile(s.name()));
    Probe.Result r = waitHealthy(s, p);
    s.whenHealthy(progress);
    return status(s, p.pid(), r);
  }

  private Probe.Result waitHealthy(LocalService s, ManagedProcess p) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    Probe.Result last;
    do {
      last = s.probe();
      if (last.healthy()) {
        return last;
      }
      if (!p.isAlive()) {
        throw new StackException(
            s.title() + " exited while starting: " + p.lastLogLines(3) + ".",
            "Full log: " + p.logFile() + ".");
      }
      sleep(Duration.ofMillis(250));
    } while (System.nanoTime() < deadline);
    throw new StackException(
        s.title()
            + " did not become healthy within "
            + START_TIMEOUT.toMinutes()
            + " minutes ("
            + last.detail()
            + ").",
        "See " + p.logFile() + ", then `trainyard dev down` and retry.");
  }

  /** Stops the processes this state folder started, and only those; returns what was stopped. */
  public List<String> down() {
    List<String> stopped = new ArrayList<>();
    // Reverse order: Temporal and MLflow go before the store they write to.
    for (int i = services.size() - 1; i >= 0; i--) {
      LocalService s = services.get(i);
      Optional<ManagedProcess> p = ManagedProcess.fromPidFile(s.name(), config.pidFile(s.name()));
      if (p.isPresent()) {
        progress.accept("stopping " + s.title() + " (pid " + p.get().pid() + ")...");
        p.get().stop(STOP_GRACE);
        stopped.add(s.name());
      }
      try {
        java.nio.file.Files.deleteIfExists(config.pidFile(s.name()));
      } catch (java.io.IOException ignored) {
        // a stale pid file is harmless: fromPidFile checks the process's start time
      }
    }
    return stopped;
  }

  public List<ServiceStatus> status() {
    List<ServiceStatus> result = new ArrayList<>();
    for (LocalService s : services) {
      Long pid =
          s.isManagedHere()
              ? ManagedProcess.fromPidFile(s.name(), config.pidFile(s.name()))
                  .map(ManagedProcess::pid)
                  .orElse(null)
              : null;
      result.add(status(s, pid, s.probe()));
    }
    return result;
  }

  private static ServiceStatus status(LocalService s, Long pid, Probe.Result r) {
    return new ServiceStatus(
        s.name(), s.title(), s.isManagedHere(), pid, r.healthy(), r.detail(), s.links());
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StackException("Interrupted while waiting for a service.", "");
    }
  }
}
