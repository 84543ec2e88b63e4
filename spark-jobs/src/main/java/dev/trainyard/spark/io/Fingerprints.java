package dev.trainyard.spark.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Content fingerprints of datasets, for lineage and for recognizing input a step has seen before.
 *
 * <p>The digest covers, for each file in order of its path relative to the root: the path, the
 * length and the bytes (streamed, never held in memory). A single file is hashed under the empty
 * path, so its name does not matter. Files and directories whose name starts with {@code .} or
 * {@code _} are skipped, as Spark and Hadoop readers skip them ({@code _SUCCESS}, {@code .crc}
 * checksums, staging folders). Note that Spark names part files with a per-write id, so writing the
 * same rows twice gives two different fingerprints: this identifies files, not rows.
 *
 * <p>{@code file:} URIs and plain paths are read with java.nio; any other scheme through Hadoop's
 * {@link FileSystem} ({@code s3://} and {@code s3a://} through S3A). The same bytes under the same
 * relative paths give the same fingerprint wherever they are stored.
 */
public final class Fingerprints {
  private static final int BUFFER = 1 << 16;

  private Fingerprints() {}

  /** With {@link SparkSessions#hadoopConfiguration()} (the worker's S3 settings) for non-files. */
  public static DatasetFingerprint of(String uri) {
    URI parsed = URI.create(uri);
    if (parsed.getScheme() == null || parsed.getScheme().equals("file")) {
      return local(parsed.getScheme() == null ? Path.of(uri) : Path.of(parsed));
    }
    return viaHadoop(uri, SparkSessions.hadoopConfiguration());
  }

  /** With the Hadoop configuration (credentials, endpoints) to use for non-{@code file:} URIs. */
  public static DatasetFingerprint of(String uri, Configuration hadoop) {
    URI parsed = URI.create(uri);
    if (parsed.getScheme() == null || parsed.getScheme().equals("file")) {
      return local(parsed.getScheme() == null ? Path.of(uri) : Path.of(parsed));
    }
    return viaHadoop(uri, hadoop);
  }

  /** Any URI through Hadoop's {@link FileSystem}; {@link #of} uses it for non-file schemes. */
  static DatasetFingerprint viaHadoop(String uri, Configuration hadoop) {
    return hadoop(uri, new org.apache.hadoop.fs.Path(URI.create(uri)), hadoop);
  }

  private static DatasetFingerprint local(Path root) {
    if (!Files.exists(root)) {
      throw new DataInputException(
          "cannot fingerprint " + root + ": it does not exist. Check the URI.");
    }
    TreeMap<String, Path> files = new TreeMap<>();
    try {
      if (Files.isRegularFile(root)) {
        files.put("", root);
      } else {
        try (Stream<Path> walk = Files.walk(root)) {
          walk.filter(Files::isRegularFile)
              .filter(p -> !hidden(root.relativize(p).toString()))
              .forEach(p -> files.put(root.relativize(p).toString().replace('\\', '/'), p));
        }
      }
      Digest digest = new Digest();
      for (var file : files.entrySet()) {
        try (InputStream in = Files.newInputStream(file.getValue())) {
          digest.add(file.getKey(), Files.size(file.getValue()), in);
        }
      }
      return digest.result();
    } catch (NoSuchFileException e) {
      throw new DataInputException(
          "cannot fingerprint " + root + ": " + e.getFile() + " vanished while reading it", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot fingerprint " + root, e);
    }
  }

  private static DatasetFingerprint hadoop(
      String uri, org.apache.hadoop.fs.Path root, Configuration conf) {
    try {
      FileSystem fs = root.getFileSystem(conf);
      if (!fs.exists(root)) {
        throw new DataInputException(
            "cannot fingerprint "
                + uri
                + ": it does not exist"
                + (S3Access.isS3(uri) ? " on " + S3Access.describeEndpoint(uri, conf) : "")
                + ". Check the URI.");
      }
      FileStatus rootStatus = fs.getFileStatus(root);
      TreeMap<String, FileStatus> files = new TreeMap<>();
      if (rootStatus.isFile()) {
        files.put("", rootStatus);
      } else {
        String prefix = fs.makeQualified(root).toUri().getPath();
        prefix = prefix.endsWith("/") ? prefix : prefix + "/";
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        while (it.hasNext()) {
          LocatedFileStatus status = it.next();
          String path = status.getPath().toUri().getPath();
          String relative = path.startsWith(prefix) ? path.substring(prefix.length()) : path;
          if (!hidden(relative)) {
            files.put(relative, status);
          }
        }
      }
      Digest digest = new Digest();
      for (var file : files.entrySet()) {
        try (InputStream in = fs.open(file.getValue().getPath())) {
          digest.add(file.getKey(), file.getValue().getLen(), in);
        }
      }
      return digest.result();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot fingerprint " + uri + ": " + S3Access.cause(uri, e, conf), e);
    }
  }

  private static boolean hidden(String relativePath) {
    List<String> parts = new ArrayList<>(List.of(relativePath.split("[/\\\\]")));
    return parts.stream().anyMatch(p -> p.startsWith(".") || p.startsWith("_"));
  }

  /** SHA-256 over (path, NUL, length, bytes) per file. */
  private static final class Digest {
    private final MessageDigest sha;
    private final byte[] buffer = new byte[BUFFER];
    private long files;
    private long bytes;

    Digest() {
      try {
        sha = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("the JVM lacks SHA-256", e);
      }
    }

    void add(String relativePath, long length, InputStream in) throws IOException {
      sha.update(relativePath.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(Long.toString(length).getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      int n;
      while ((n = in.read(buffer)) > 0) {
        sha.update(buffer, 0, n);
        bytes += n;
      }
      files++;
    }

    DatasetFingerprint result() {
      return new DatasetFingerprint(HexFormat.of().formatHex(sha.digest()), files, bytes);
    }
  }
}
