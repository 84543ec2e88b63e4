package dev.trainyard.spark.cluster;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Small text files (requests, results) on any Hadoop file system: {@code file:}, {@code s3a:},
 * {@code hdfs:}. Both the submitter and the driver use it, so the exchange works wherever the
 * driver runs.
 */
final class ClusterFiles {
  private ClusterFiles() {}

  static void write(Configuration conf, String uri, String text) {
    Path path = new Path(uri);
    try {
      FileSystem fs = path.getFileSystem(conf);
      try (OutputStream out = fs.create(path, true)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + uri + ": " + e.getMessage(), e);
    }
  }

  /** The file's text, or null when it does not exist. */
  static String readIfExists(Configuration conf, String uri) {
    Path path = new Path(uri);
    try {
      FileSystem fs = path.getFileSystem(conf);
      try (InputStream in = fs.open(path)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + uri + ": " + e.getMessage(), e);
    }
  }

  static String read(Configuration conf, String uri) {
    String text = readIfExists(conf, uri);
    if (text == null) {
      throw new UncheckedIOException(
          new FileNotFoundException(uri + " does not exist (or cannot be seen from here)"));
    }
    return text;
  }

  static void delete(Configuration conf, String uri) {
    Path path = new Path(uri);
    try {
      path.getFileSystem(conf).delete(path, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + uri + ": " + e.getMessage(), e);
    }
  }
}
