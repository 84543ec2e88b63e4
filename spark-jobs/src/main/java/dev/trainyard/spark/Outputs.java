package dev.trainyard.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Publishing a directory output in one step, shared by the feature and scoring jobs.
 *
 * <p>Everything is written to a hidden sibling {@code .NAME.staging-UUID} first (Spark, Hadoop and
 * pyarrow readers skip names starting with {@code .} or {@code _}); a failed write deletes it and
 * leaves any earlier output untouched. Then:
 *
 * <ul>
 *   <li>On file systems whose directory rename is atomic ({@code file}, {@code hdfs}) {@code
 *       _SUCCESS} is added to the staging directory and it is renamed into place, replacing an
 *       earlier output (moved aside to {@code .NAME.replaced-UUID} first, then deleted): readers
 *       see the old output or the new one (or, for an instant between the two renames, none).
 *   <li>On object stores ({@code s3://}, {@code s3a://}) a rename is a copy of every object plus a
 *       delete, so no step is atomic; <b>the commit point is {@code NAME/_SUCCESS}, written
 *       last</b>. The earlier output's {@code _SUCCESS} is deleted first (it stops being
 *       committed), then the rest of it; the staged files are moved in (server-side copies; Spark's
 *       own {@code _SUCCESS} from the staging directory is dropped first, so no marker can arrive
 *       ahead of the data); then {@code _SUCCESS} is written. A reader that requires {@code
 *       _SUCCESS} sees all of one output or none; a reader that merely lists the directory can, for
 *       the seconds the copies take, see part of it. If publishing fails after the old output was
 *       deleted, the half-moved output is deleted too.
 * </ul>
 *
 * <p>Either way a retry with the same URI replaces what an earlier attempt left, and the staging
 * directory is deleted whether or not the job succeeds.
 */
final class Outputs {
  static final String SUCCESS = "_SUCCESS";

  private Outputs() {}

  /**
   * Calls {@code write} with the URI of a staging directory to write to, then publishes it at
   * {@code outputUri} with {@code _SUCCESS}.
   */
  static void publish(SparkSession spark, String outputUri, Consumer<String> write) {
    Path out = new Path(outputUri);
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try {
      FileSystem fs = out.getFileSystem(conf);
      out = fs.makeQualified(out);
      String scheme = out.toUri().getScheme();
      boolean atomicRename = scheme.equals("file") || scheme.equals("hdfs");
      String token = UUID.randomUUID().toString();
      Path staging = new Path(out.getParent(), "." + out.getName() + ".staging-" + token);
      Throwable failure = null;
      try {
        write(outputUri, staging, write, conf);
        if (atomicRename) {
          renameIntoPlace(fs, staging, out, token);
        } else {
          copyIntoPlace(fs, staging, out);
        }
      } catch (RuntimeException | IOException | Error e) {
        failure = e;
        throw e;
      } finally {
        deleteStaging(fs, staging, failure);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot publish " + outputUri + ": " + S3Access.cause(outputUri, e, conf), e);
    }
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

  private static void renameIntoPlace(FileSystem fs, Path staging, Path out, String token)
      throws IOException {
    Path replaced = new Path(out.getParent(), "." + out.getName() + ".replaced-" + token);
    fs.create(new Path(staging, SUCCESS), true).close();
    boolean existed = fs.exists(out);
    if (existed && !fs.rename(out, replaced)) {
      throw new IOException("could not move the earlier output " + out + " aside");
    }
    if (!fs.rename(staging, out)) {
      if (existed) {
        fs.rename(replaced, out);
      }
      throw new IOException("could not rename " + staging + " to " + out);
    }
    if (existed) {
      fs.delete(replaced, true);
    }
  }

  /** Object stores: {@code _SUCCESS} is the commit point, withdrawn first and written last. */
  private static void copyIntoPlace(FileSystem fs, Path staging, Path out) throws IOException {
    fs.delete(new Path(staging, SUCCESS), false);
    fs.delete(new Path(out, SUCCESS), false);
    fs.delete(out, true);
    boolean published = false;
    try {
      if (!fs.rename(staging, out)) {
        throw new IOException("could not move " + staging + " to " + out);
      }
      fs.create(new Path(out, SUCCESS), true).close();
      published = true;
    } finally {
      if (!published) {
        try {
          fs.delete(out, true);
        } catch (IOException e) {
          // The failure that got us here is the one to report; a retry deletes the rest.
        }
      }
    }
  }

  /** True when {@code outputUri} holds a published output (its {@code _SUCCESS} marker). */
  static boolean isPublished(SparkSession spark, String outputUri) {
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
  static void checkWritable(SparkSession spark, String outputUri, String what) {
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
