package dev.trainyard.app.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The worker's liveness for a container health check, without an HTTP port: while the worker polls,
 * a daemon thread touches a file every few seconds; {@link #main} (run by the health check in a JVM
 * of its own, with nothing but this class loaded) succeeds when the file was touched recently. A
 * worker that stopped polling, or a JVM too wedged to run a timer (GC thrashing, deadlocked
 * scheduler), goes stale and is replaced. Temporal being unreachable does not make the worker
 * unhealthy: its pollers retry, and restarting it would not help.
 */
public final class WorkerHealth {
  /** How often a running worker touches its health file. */
  public static final Duration EVERY = Duration.ofSeconds(10);

  private WorkerHealth() {}

  /**
   * Touches {@code file} every {@code every} while {@code running} is true; stop it on shutdown.
   */
  public static ScheduledExecutorService beat(Path file, BooleanSupplier running, Duration every) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "worker-health");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleAtFixedRate(
        () -> {
          if (running.getAsBoolean()) {
            touch(file);
          }
        },
        0,
        every.toMillis(),
        TimeUnit.MILLISECONDS);
    return timer;
  }

  static void touch(Path file) {
    try {
      if (Files.exists(file)) {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
      } else {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        Files.writeString(file, "trainyard worker polling\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot touch the health file " + file, e);
    }
  }

  /** Whether {@code file} was touched within {@code maxAge}, with the reason when it was not. */
  static String check(Path file, Duration maxAge, Instant now) {
    if (!Files.exists(file)) {
      return "no health file " + file + ": the worker has not started polling";
    }
    try {
      Duration age = Duration.between(Files.getLastModifiedTime(file).toInstant(), now);
      return age.compareTo(maxAge) <= 0
          ? null
          : "health file "
              + file
              + " is "
              + age.toSeconds()
              + "s old (limit "
              + maxAge.toSeconds()
              + "s): the worker stopped polling or is stuck";
    } catch (IOException e) {
      return "cannot read " + file + ": " + e.getMessage();
    }
  }

  /**
   * {@code java -cp … dev.trainyard.app.worker.WorkerHealth FILE [MAX_AGE_SECONDS]}: exit 0 when
   * the worker touched FILE within MAX_AGE_SECONDS (default 60), else print why and exit 1.
   */
  public static void main(String[] args) {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: WorkerHealth FILE [MAX_AGE_SECONDS]");
      System.exit(2);
    }
    Duration maxAge = Duration.ofSeconds(args.length == 2 ? Long.parseLong(args[1]) : 60);
    String problem = check(Path.of(args[0]), maxAge, Instant.now());
    if (problem != null) {
      System.err.println("unhealthy: " + problem);
      System.exit(1);
    }
    System.out.println("healthy");
  }
}
