package dev.trainyard.spark.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Publishing a directory output in one step, shared by the feature and scoring jobs.
 *
 * <p>Trainyard replaces only what it wrote ({@link OutputOwnership}): before any work, and again
 * when it publishes, the output must be absent, empty, or Trainyard's own output of the same kind
 * (its {@code _trainyard.json}, {@link PublishMarker}); a root never qualifies.
 *
 * <p>Everything is written to a hidden sibling {@code .NAME.staging-ID} first (Spark, Hadoop and
 * pyarrow readers skip names starting with {@code .} or {@code _}); a failed write deletes it and
 * leaves any earlier output untouched. Then {@code _trainyard.json} (who published, and every file
 * with its size) and {@code _SUCCESS} are added and the output replaces the earlier one:
 *
 * <ul>
 *   <li>on file systems whose directory rename is atomic ({@code file}, {@code hdfs}) by two
 *       renames under a lock ({@link DirectorySwap}): readers see the old output or the new one,
 *       never a mix; for an instant, none. A publisher killed between the renames is recovered from
 *       by the next publish.
 *   <li>on object stores ({@code s3://}, {@code s3a://}) by copying the new files in beside the old
 *       ones, rewriting {@code _trainyard.json} (the commit point), then deleting the old files
 *       ({@link ObjectStorePublish}): the earlier output stays complete until the new one is.
 * </ul>
 *
 * <p>Either way a retry with the same URI replaces what an earlier attempt left, and the staging
 * directory is deleted whether or not the job succeeds. {@code docs/guarantees.md} says what a
 * reader sees at each moment.
 */
public final class Outputs {
  static final String SUCCESS = "_SUCCESS";

  private Outputs() {}

  /** {@link #publish(SparkSession, String, Publisher, Consumer)} for an output of no named kind. */
  public static void publish(SparkSession spark, String outputUri, Consumer<String> write) {
    publish(spark, outputUri, Publisher.of("output"), write);
  }

  /**
   * Calls {@code write} with the URI of a staging directory to write to, then publishes it at
   * {@code outputUri} with {@code _trainyard.json} and {@code _SUCCESS}.
   *
   * @throws DataInputException when {@code outputUri} is a root or holds something Trainyard may
   *     not replace (checked before {@code write} runs, and again before replacing)
   */
  public static void publish(
      SparkSession spark, String outputUri, Publisher by, Consumer<String> write) {
    publish(spark, outputUri, by, JobControl.none(), write);
  }

  /**
   * The same for a job {@code control} can stop: nothing is published once it is cancelled or a
   * later attempt of its step has {@link #claim claimed} the output.
   */
  public static void publish(
      SparkSession spark,
      String outputUri,
      Publisher by,
      JobControl control,
      Consumer<String> write) {
    publish(spark.sparkContext().hadoopConfiguration(), outputUri, by, control, write);
  }

  /** The same with a Hadoop configuration: {@code write} may write without Spark. */
  public static void publish(
      Configuration conf, String outputUri, Publisher by, Consumer<String> write) {
    publish(conf, outputUri, by, JobControl.none(), write);
  }

  static void publish(
      Configuration conf,
      String outputUri,
      Publisher by,
      JobControl control,
      Consumer<String> write) {
    Path out = new Path(outputUri);
    try {
      FileSystem fs = out.getFileSystem(conf);
      out = fs.makeQualified(out);
      String scheme = out.toUri().getScheme();
      boolean atomicRename = scheme.equals("file") || scheme.equals("hdfs");
      requireReplaceable(fs, out, outputUri, by.kind(), atomicRename);
      String token = control.stagingId();
      Path staging = DirectorySwap.sibling(out, "staging-" + token);
      Throwable failure = null;
      try {
        write(outputUri, staging, write, conf);
        PublishMarker marker =
            PublishMarker.of(
                by, token, Instant.now().toString(), PublishMarker.listFiles(fs, staging));
        if (atomicRename) {
          DirectorySwap.publish(fs, staging, out, outputUri, marker, control);
        } else {
          // No lock on object stores: the fence is checked as close to the commit as it gets.
          control.requireLatest(fs, out);
          ObjectStorePublish.publish(fs, staging, out, outputUri, marker);
        }
      } catch (RuntimeException | IOException | Error e) {
        failure = e;
        if (!(e instanceof JobCancelledException)) {
          // A later attempt may have taken over (and deleted this attempt's staging folder, which
          // is why this one failed): say so rather than report the missing files.
          try {
            control.requireLatest(fs, out);
          } catch (JobCancelledException superseded) {
            superseded.addSuppressed(e);
            failure = superseded;
            throw superseded;
          } catch (IOException | RuntimeException unknown) {
            e.addSuppressed(unknown);
          }
        }
        throw e;
      } finally {
        deleteStaging(fs, staging, failure);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot publish " + outputUri + ": " + S3Access.cause(outputUri, e, conf), e);
    }
  }

  /**
   * Fails fast, before a job spends time, when Trainyard may not replace what is at {@code
   * outputUri} with an output of {@code kind} ({@link OutputOwnership}).
   */
  public static void checkReplaceable(SparkSession spark, String outputUri, String kind) {
    Path out = new Path(outputUri);
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try {
      FileSystem fs = out.getFileSystem(conf);
      out = fs.makeQualified(out);
      String scheme = out.toUri().getScheme();
      requireReplaceable(fs, out, outputUri, kind, scheme.equals("file") || scheme.equals("hdfs"));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot check " + outputUri + ": " + S3Access.cause(outputUri, e, conf), e);
    }
  }

  private static void requireReplaceable(
      FileSystem fs, Path out, String uri, String kind, boolean atomicRename) throws IOException {
    if (out.isRoot()) {
      throw new DataInputException(
          "will not publish the "
              + kind
              + " output to "
              + uri
              + ": it is the root of "
              + (atomicRename ? "the file system" : "the bucket")
              + ", and publishing replaces the whole folder. Choose a folder of its own, e.g. "
              + uri.replaceAll("/+$", "")
              + "/"
              + kind
              + ".");
    }
    Set<String> leftovers = new HashSet<>();
    if (!atomicRename) {
      for (ObjectStorePublish.Pending p : ObjectStorePublish.pending(fs, out).values()) {
        leftovers.addAll(p.adding());
        leftovers.addAll(p.removing());
      }
    }
    OutputOwnership.requireReplaceable(fs, out, uri, kind, leftovers);
  }

  /**
   * Fails when {@code outputUri} and {@code inputUri} share a folder (one is, holds or lies in the
   * other), as the file system resolves them: publishing replaces the whole output folder. Symbolic
   * links on local disk are followed.
   */
  public static void checkApart(
      SparkSession spark, String outputUri, String what, String inputUri, String inputWhat) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try {
      String a = place(new Path(outputUri), conf);
      String b = place(new Path(inputUri), conf);
      String relation =
          a.equals(b)
              ? "is"
              : b.startsWith(a + "/") ? "contains" : a.startsWith(b + "/") ? "is inside" : null;
      if (relation != null) {
        throw new DataInputException(
            "will not publish the "
                + what
                + " to "
                + outputUri
                + ": it "
                + relation
                + " the "
                + inputWhat
                + " "
                + inputUri
                + (a.equals(outputUri) ? "" : " (resolved: " + a + " and " + b + ")")
                + ", and publishing replaces the whole folder. Write it to a folder of its own.");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + outputUri, e);
    }
  }

  /** A comparable form: scheme (s3 and s3a alike), authority, path; local links resolved. */
  private static String place(Path p, Configuration conf) throws IOException {
    FileSystem fs = p.getFileSystem(conf);
    Path q = fs.makeQualified(p);
    String scheme = q.toUri().getScheme();
    if (scheme.equals("file")) {
      java.nio.file.Path local = java.nio.file.Paths.get(q.toUri()).normalize();
      java.nio.file.Path existing = local;
      while (existing != null && !java.nio.file.Files.exists(existing)) {
        existing = existing.getParent();
      }
      if (existing != null) {
        local = existing.toRealPath().resolve(existing.relativize(local));
      }
      return "file://" + local.toString().replaceAll("/+$", "");
    }
    String s = scheme.startsWith("s3") ? "s3" : scheme;
    return s + "://" + q.toUri().getAuthority() + q.toUri().getPath().replaceAll("/+$", "");
  }

  /** The job's write; an S3 access failure inside it (a Spark job failure) is made plain. */
  private static void write(
      String outputUri, Path staging, Consumer<String> write, Configuration conf)
      throws IOException {
    try {
      write.accept(staging.toString());
    } catch (RuntimeException e) {
      if (S3Access.isS3(outputUri) && S3Access.isAccessFailure(e)) {
        throw new IOException(S3Access.redact(InputData.rootMessage(e), conf), e);
      }
      throw e;
    }
  }

  /** Best effort after a failure (which it must not hide), required after a success. */
  private static void deleteStaging(FileSystem fs, Path staging, Throwable failure)
      throws IOException {
    try {
      if (fs.exists(staging)) {
        fs.delete(staging, true);
      }
    } catch (IOException e) {
      if (failure == null) {
        throw e;
      }
      failure.addSuppressed(e);
    }
  }

  /**
   * Marks {@code outputUri} as worked on by {@code control}'s attempt, so that an earlier attempt
   * of the same step still running (it timed out) can no longer publish there ({@link JobControl}).
   * Throws {@link JobCancelledException} when a later attempt already has.
   */
  public static void claim(SparkSession spark, String outputUri, JobControl control) {
    claim(spark.sparkContext().hadoopConfiguration(), outputUri, control);
  }

  static void claim(Configuration conf, String outputUri, JobControl control) {
    Path out = new Path(outputUri);
    try {
      FileSystem fs = out.getFileSystem(conf);
      out = fs.makeQualified(out);
      try (PublishLock lock = PublishLock.acquire(fs, out)) {
        control.claim(fs, out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot claim " + outputUri + ": " + S3Access.cause(outputUri, e, conf), e);
    }
  }

  /**
   * Who published {@code outputUri}, as its {@code _trainyard.json} says; null when it has none
   * (not published by Trainyard, or not published at all).
   */
  public static PublishMarker marker(SparkSession spark, String outputUri) {
    Path out = new Path(outputUri);
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try {
      FileSystem fs = out.getFileSystem(conf);
      Path file = new Path(out, PublishMarker.NAME);
      return fs.exists(file) ? PublishMarker.read(fs, file) : null;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read "
              + PublishMarker.NAME
              + " of "
              + outputUri
              + ": "
              + S3Access.cause(outputUri, e, conf),
          e);
    }
  }

  /** True when {@code outputUri} holds a published output (its {@code _SUCCESS} marker). */
  public static boolean isPublished(SparkSession spark, String outputUri) {
    Path out = new Path(outputUri);
    try {
      return out.getFileSystem(spark.sparkContext().hadoopConfiguration())
          .exists(new Path(out, SUCCESS));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + outputUri, e);
    }
  }

  /**
   * Fails fast, before a job spends time, when {@code outputUri} cannot be written: its nearest
   * existing ancestor is a file, or (local disk) a folder this process may not write to. Object
   * stores are not checked here: only a write tells.
   *
   * @param what the output's role in messages, e.g. "output"
   */
  public static void checkWritable(SparkSession spark, String outputUri, String what) {
    Path out = new Path(outputUri);
    try {
      FileSystem fs = out.getFileSystem(spark.sparkContext().hadoopConfiguration());
      String scheme = fs.getScheme();
      if (!scheme.equals("file")) {
        return;
      }
      Path p = fs.makeQualified(out);
      while (p != null && !fs.exists(p)) {
        p = p.getParent();
      }
      if (p == null) {
        return;
      }
      String fix = ". Choose an " + what + " path under a folder this worker can write to.";
      if (fs.getFileStatus(p).isFile() && !p.equals(fs.makeQualified(out))) {
        throw new DataInputException(
            "cannot write the "
                + what
                + " "
                + outputUri
                + ": "
                + p
                + " is a file, not a folder"
                + fix);
      }
      java.io.File local = new java.io.File(p.toUri());
      if (!local.canWrite()) {
        throw new DataInputException(
            "cannot write the "
                + what
                + " "
                + outputUri
                + ": "
                + p
                + " is not writable by user "
                + System.getProperty("user.name")
                + fix);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + outputUri, e);
    }
  }
}
