package dev.trainyard.spark.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * {@code _trainyard.json}, written beside {@code _SUCCESS} by every publish: who published the
 * output and exactly which files it is made of. It is how Trainyard knows an output is its own (and
 * may be replaced), and on object stores it is the commit record: the files it lists are the
 * output, whatever else a listing shows for the seconds a replace takes.
 *
 * @param publishedBy always {@code trainyard}
 * @param kind what the folder holds ({@link Publisher#kind()}); a publish replaces only its kind
 * @param publishId unique to one publish (matches its staging folder and pending record)
 * @param publishedAt ISO-8601 instant
 * @param files every file of the output, relative to it, with its size ({@code _SUCCESS} and this
 *     marker excepted)
 */
public record PublishMarker(
    String publishedBy,
    String kind,
    String model,
    String version,
    String workflowId,
    String runId,
    String publishId,
    String publishedAt,
    List<FileEntry> files) {

  public static final String NAME = "_trainyard.json";
  static final String TRAINYARD = "trainyard";

  public PublishMarker {
    files = files == null ? List.of() : List.copyOf(files);
  }

  /** One file of the output. */
  public record FileEntry(String path, long bytes) {}

  static PublishMarker of(Publisher by, String publishId, String at, List<FileEntry> files) {
    return new PublishMarker(
        TRAINYARD,
        by.kind(),
        by.model(),
        by.version(),
        by.workflowId(),
        by.runId(),
        publishId,
        at,
        files);
  }

  List<String> paths() {
    return files.stream().map(FileEntry::path).toList();
  }

  /** Who published, for messages: "scores of churn/3 by workflow w (run r) at t". */
  String describe() {
    StringBuilder b = new StringBuilder(kind);
    if (model != null) {
      b.append(" of ").append(model).append(version == null ? "" : "/" + version);
    }
    if (workflowId != null) {
      b.append(" by workflow ").append(workflowId);
      if (runId != null) {
        b.append(" (run ").append(runId).append(')');
      }
    }
    return b.append(" at ").append(publishedAt).toString();
  }

  void write(FileSystem fs, Path file) throws IOException {
    try (OutputStream out = fs.create(file, true)) {
      out.write(Json.write(this).getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The marker at {@code file}; null when it is not Trainyard's (not JSON of this shape). */
  static PublishMarker read(FileSystem fs, Path file) throws IOException {
    String json;
    try (InputStream in = fs.open(file)) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try {
      PublishMarker m = Json.read(json, PublishMarker.class);
      return TRAINYARD.equals(m.publishedBy()) && m.kind() != null && m.publishId() != null
          ? m
          : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The files under {@code dir}, relative and sorted, that make up an output: not the markers
   * ({@code _SUCCESS}, {@code _trainyard*}) at its top, nor checksum files ({@code .NAME.crc},
   * which the local file system keeps beside each file).
   */
  static List<FileEntry> listFiles(FileSystem fs, Path dir) throws IOException {
    List<FileEntry> files = new ArrayList<>();
    String base = fs.makeQualified(dir).toUri().getPath();
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
    while (it.hasNext()) {
      LocatedFileStatus f = it.next();
      String rel = f.getPath().toUri().getPath().substring(base.length()).replaceFirst("^/+", "");
      if (isBookkeeping(rel)) {
        continue;
      }
      files.add(new FileEntry(rel, f.getLen()));
    }
    files.sort(java.util.Comparator.comparing(FileEntry::path));
    return files;
  }

  /** Trainyard's own files in an output folder, and the local file system's checksums. */
  static boolean isBookkeeping(String rel) {
    String name = rel.substring(rel.lastIndexOf('/') + 1);
    boolean top = rel.indexOf('/') < 0;
    return (top && (name.equals(Outputs.SUCCESS) || name.startsWith("_trainyard")))
        || (name.startsWith(".") && name.endsWith(".crc"));
  }
}
