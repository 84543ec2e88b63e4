package dev.trainyard.stack;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * A service process Trainyard started, identified by pid <em>and</em> start time so that {@code dev
 * down} never signals an unrelated process that happened to reuse the pid.
 */
public final class ManagedProcess {
  private final String name;
  private final long pid;
  private final Instant startedAt;
  private final Path logFile;

  private ManagedProcess(String name, long pid, Instant startedAt, Path logFile) {
    this.name = name;
    this.pid = pid;
    this.startedAt = startedAt;
    this.logFile = logFile;
  }

  /**
   * Starts {@code command} with its output appended to {@code logFile}. A detached process gets its
   * own session ({@code setsid}) so it outlives the CLI and ignores the terminal's Ctrl-C; an
   * attached one (tests) is stopped when this JVM exits.
   */
  public static ManagedProcess start(
      String name,
      List<String> command,
      Map<String, String> env,
      Path workDir,
      Path logFile,
      boolean detached) {
    List<String> cmd = new ArrayList<>();
    if (detached && new File("/usr/bin/setsid").canExecute()) {
      cmd.add("/usr/bin/setsid");
    }
    cmd.addAll(command);
    try {
      Files.createDirectories(logFile.getParent());
      Files.createDirectories(workDir);
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .directory(workDir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      pb.environment().putAll(env);
      Process p = pb.start();
      Instant started = p.toHandle().info().startInstant().orElse(Instant.EPOCH);
      ManagedProcess mp = new ManagedProcess(name, p.pid(), started, logFile);
      if (!detached) {
        Runtime.getRuntime()
            .addShutdownHook(new Thread(() -> mp.stop(Duration.ofSeconds(5)), "stop-" + name));
      }
      return mp;
    } catch (IOException e) {
      throw new StackException(
          "Cannot start " + name + " (" + command.get(0) + "): " + e.getMessage() + ".",
          "Check that the program exists and is executable.",
          e);
    }
  }

  public void writePidFile(Path pidFile) {
    Properties props = new Properties();
    props.setProperty("pid", Long.toString(pid));
    props.setProperty("startedAt", startedAt.toString());
    props.setProperty("log", logFile.toString());
    try {
      Files.createDirectories(pidFile.getParent());
      try (var w = Files.newBufferedWriter(pidFile, StandardCharsets.UTF_8)) {
        props.store(w, name);
      }
    } catch (IOException e) {
      throw new StackException(
          "Cannot write " + pidFile + ": " + e.getMessage() + ".",
          "Check that the state directory is writable.",
          e);
    }
  }

  /** The process recorded in {@code pidFile}, if it is still the one we started and still alive. */
  public static Optional<ManagedProcess> fromPidFile(String name, Path pidFile) {
    if (!Files.isRegularFile(pidFile)) {
      return Optional.empty();
    }
    Properties props = new Properties();
    try (var r = Files.newBufferedReader(pidFile, StandardCharsets.UTF_8)) {
      props.load(r);
      long pid = Long.parseLong(props.getProperty("pid"));
      Instant startedAt = Instant.parse(props.getProperty("startedAt"));
      Optional<ProcessHandle> handle = ProcessHandle.of(pid);
      boolean same =
          handle.isPresent()
              && handle.get().isAlive()
              && handle.get().info().startInstant().map(startedAt::equals).orElse(false);
      return same
          ? Optional.of(
              new ManagedProcess(name, pid, startedAt, Path.of(props.getProperty("log", ""))))
          : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  public long pid() {
    return pid;
  }

  public String name() {
    return name;
  }

  public Path logFile() {
    return logFile;
  }

  public boolean isAlive() {
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .flatMap(h -> h.info().startInstant())
        .map(startedAt::equals)
        .orElse(false);
  }

  /** The last lines of the log, joined on one line, for start-up error messages. */
  public String lastLogLines(int n) {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size())).trim();
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Stops the process and everything it spawned (MLflow runs uvicorn workers): SIGTERM first so
   * services flush their stores, SIGKILL for whatever is left after {@code grace}.
   */
  public void stop(Duration grace) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(h -> isAlive());
    if (handle.isEmpty()) {
      return;
    }
    List<ProcessHandle> tree = new ArrayList<>(handle.get().descendants().toList());
    tree.add(0, handle.get());
    tree.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle h : tree) {
      long left = deadline - System.nanoTime();
      try {
        h.onExit().get(Math.max(left, 1), java.util.concurrent.TimeUnit.NANOSECONDS);
      } catch (Exception timeoutOrInterrupt) {
        h.destroyForcibly();
      }
    }
  }
}
