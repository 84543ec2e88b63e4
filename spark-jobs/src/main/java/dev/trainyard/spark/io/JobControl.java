package dev.trainyard.spark.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The link between a running job and whoever started it, so that an unwanted job stops and
 * publishes nothing.
 *
 * <ul>
 *   <li><b>Cancel</b>: {@link #cancel} cancels the job's Spark job group (tasks are interrupted)
 *       and makes every later {@link #throwIfCancelled} throw. The caller runs the job's Spark
 *       actions inside {@link #jobGroup()} (see {@link #runInGroup}).
 *   <li><b>Fence</b>: a step retried after a timeout may still be running its old attempt, which
 *       learns of the timeout only at its next heartbeat. Each attempt {@link #claim}s the output
 *       when it starts (a hidden {@code .NAME.attempt} beside it); a publish is refused when a
 *       later attempt of the same step has claimed the output since. Checked under the publish lock
 *       on {@code file:}, so an attempt never publishes once its successor has started.
 * </ul>
 *
 * Engines know nothing of Temporal: the activity maps its cancellation to {@link #cancel} and its
 * workflow run, activity id and attempt number to {@link #forAttempt}.
 */
public final class JobControl {
  /** What {@code .NAME.attempt} holds. */
  record Claim(String step, int attempt) {}

  private final String jobGroup;
  private final String step;
  private final int attempt;
  private volatile String cancelled;

  private JobControl(String jobGroup, String step, int attempt) {
    this.jobGroup = jobGroup;
    this.step = step;
    this.attempt = attempt;
  }

  /** A job nobody cancels and no other attempt fences (tests, benchmarks, jobs run by hand). */
  public static JobControl none() {
    return new JobControl(null, null, 0);
  }

  /**
   * @param jobGroup the Spark job group this attempt's actions run in (unique per attempt)
   * @param step what stays the same across the step's attempts (e.g. workflow run + activity id)
   * @param attempt the attempt number: a Temporal server counts from 1, its in-process test
   *     environment from 0; only the order matters here
   */
  public static JobControl forAttempt(String jobGroup, String step, int attempt) {
    if (jobGroup == null || step == null || attempt < 0) {
      throw new IllegalArgumentException("job group, step and an attempt number are required");
    }
    return new JobControl(jobGroup, step, attempt);
  }

  public String jobGroup() {
    return jobGroup;
  }

  /**
   * Stops the job: its running Spark jobs are cancelled (their tasks interrupted) and it publishes
   * nothing. Safe to call from any thread, more than once.
   */
  public void cancel(String reason) {
    cancelled = reason == null ? "cancelled" : reason;
    if (jobGroup != null) {
      SparkSession.getDefaultSession()
          .foreach(
              s -> {
                // Future jobs too: a step runs several Spark jobs one after another, and a cancel
                // that lands between two must stop the next one from starting.
                s.sparkContext().cancelJobGroupAndFutureJobs(jobGroup, cancelled);
                return null;
              });
    }
  }

  public boolean isCancelled() {
    return cancelled != null;
  }

  public void throwIfCancelled() {
    String why = cancelled;
    if (why != null) {
      throw new JobCancelledException("job stopped before publishing anything: " + why);
    }
  }

  /**
   * Runs {@code job} on this thread with its Spark actions in {@link #jobGroup()} (interruptible on
   * cancel). A job that fails because it was cancelled throws {@link JobCancelledException}.
   */
  public <T> T runInGroup(SparkSession spark, java.util.function.Supplier<T> job) {
    if (jobGroup == null) {
      return job.get();
    }
    spark.sparkContext().setJobGroup(jobGroup, "trainyard " + step, true);
    try {
      throwIfCancelled();
      return job.get();
    } catch (Exception e) {
      // Spark reports a cancelled job group with a SparkException (checked in Java, thrown all
      // the same); the cancel flag, not the message, says what happened.
      if (isCancelled() && !(e instanceof JobCancelledException)) {
        JobCancelledException stopped =
            new JobCancelledException("job stopped before publishing anything: " + cancelled);
        stopped.addSuppressed(e);
        throw stopped;
      }
      throw e;
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  /**
   * Records that this attempt is the latest to work on {@code out}; throws when a later attempt of
   * the same step already has. Call it holding the output's publish lock where there is one.
   */
  void claim(FileSystem fs, Path out) throws IOException {
    if (step == null) {
      return;
    }
    requireLatest(fs, out);
    deleteEarlierStaging(fs, out);
    try (OutputStream o = fs.create(claimFile(out), true)) {
      o.write(Json.write(new Claim(step, attempt)).getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * The id in this attempt's staging folder name ({@code .NAME.staging-ID}): for an attempt of a
   * step, the step's key and the attempt number come first, so a later attempt can find and delete
   * what an earlier one left (an attempt that lost its store mid-write cannot clean up after
   * itself).
   */
  String stagingId() {
    String unique = UUID.randomUUID().toString();
    return step == null ? unique : stepKey() + "-" + attempt + "-" + unique;
  }

  /**
   * Deletes the staging folders that earlier attempts of this step left beside {@code out}. Call it
   * holding the output's publish lock where there is one; an earlier attempt still writing is
   * fenced out anyway, so losing its staging folder costs nothing.
   */
  void deleteEarlierStaging(FileSystem fs, Path out) throws IOException {
    if (step == null || out.getParent() == null || !fs.exists(out.getParent())) {
      return;
    }
    String prefix = "." + out.getName() + ".staging-" + stepKey() + "-";
    for (FileStatus s : fs.listStatus(out.getParent())) {
      String name = s.getPath().getName();
      if (!name.startsWith(prefix)) {
        continue;
      }
      String rest = name.substring(prefix.length());
      int dash = rest.indexOf('-');
      try {
        if (dash > 0 && Integer.parseInt(rest.substring(0, dash)) < attempt) {
          fs.delete(s.getPath(), true);
        }
      } catch (NumberFormatException e) {
        // Not one of ours after all: leave it.
      }
    }
  }

  /** A short, name-safe key for the step (its text holds slashes and is long). */
  private String stepKey() {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(step.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Throws when this job was cancelled or a later attempt of its step has claimed {@code out}. */
  void requireLatest(FileSystem fs, Path out) throws IOException {
    throwIfCancelled();
    if (step == null) {
      return;
    }
    Path file = claimFile(out);
    if (!fs.exists(file)) {
      return;
    }
    Claim claim;
    try (InputStream in = fs.open(file)) {
      claim = Json.read(new String(in.readAllBytes(), StandardCharsets.UTF_8), Claim.class);
    } catch (IOException | IllegalArgumentException e) {
      return; // unreadable (a claim being written by a dead process): it fences nothing
    }
    if (step.equals(claim.step()) && claim.attempt() > attempt) {
      cancelled = "attempt " + claim.attempt() + " of this step has started since";
      throwIfCancelled();
    }
  }

  private static Path claimFile(Path out) {
    return DirectorySwap.sibling(out, "attempt");
  }
}
