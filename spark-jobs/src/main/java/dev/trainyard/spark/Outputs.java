package dev.trainyard.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Publishing a directory output in one step, shared by the feature and scoring jobs.
 *
 * <p>On file systems whose rename is atomic ({@code file}, {@code hdfs}) everything is written to a
 * hidden sibling {@code .NAME.staging-UUID} and renamed into place, replacing an earlier output
 * (moved aside to {@code .NAME.replaced-UUID} first, then deleted); readers see the old output or
 * the new one (or, for an instant between the two renames, none). The staging directory is deleted
 * whether or not the write succeeds, so a failed job leaves nothing behind. On object stores
 * ({@code s3a}) rename is a copy, so the old output is deleted and the new one written in place;
 * {@code _SUCCESS} is written last, and readers must wait for it. Either way a retry with the same
 * URI replaces what an earlier attempt left.
 */
final class Outputs {
  static final String SUCCESS = "_SUCCESS";

  private Outputs() {}

  /**
   * Calls {@code write} with the URI to write to (the staging directory, or {@code outputUri}
   * itself on object stores), then adds {@code _SUCCESS} and publishes at {@code outputUri}.
   */
  static void publish(SparkSession spark, String outputUri, Consumer<String> write) {
    Path out = new Path(outputUri);
    try {
      FileSystem fs = out.getFileSystem(spark.sparkContext().hadoopConfiguration());
      out = fs.makeQualified(out);
      String scheme = fs.getScheme();
      if (!scheme.equals("file") && !scheme.equals("hdfs")) {
        fs.delete(out, true);
        write.accept(out.toString());
        fs.create(new Path(out, SUCCESS), true).close();
        return;
      }
      String token = UUID.randomUUID().toString();
      Path staging = new Path(out.getParent(), "." + out.getName() + ".staging-" + token);
      Path replaced = new Path(out.getParent(), "." + out.getName() + ".replaced-" + token);
      try {
        write.accept(staging.toString());
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
      } finally {
        if (fs.exists(staging)) {
          fs.delete(staging, true);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish " + outputUri, e);
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
