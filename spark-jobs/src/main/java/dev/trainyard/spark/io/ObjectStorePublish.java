package dev.trainyard.spark.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Publishing on object stores ({@code s3://}, {@code s3a://}), where nothing spanning several
 * objects is atomic, so the earlier output stays complete until the new one is:
 *
 * <ol>
 *   <li>{@code _trainyard.pending-ID.json} records the files this publish adds and the earlier
 *       files it will remove, so a publish that dies anywhere can be cleaned up by the next one;
 *   <li>the staged files are copied in (server-side) under their own names: Spark names data files
 *       {@code part-N-<write UUID>-...}, so they never collide with the earlier output's;
 *   <li>{@code _trainyard.json} is rewritten to list exactly the new files: <b>the commit
 *       point</b>; then {@code _SUCCESS} is rewritten (it was there throughout if the earlier
 *       output had it);
 *   <li>the earlier files the new marker does not list are deleted, then the pending record.
 * </ol>
 *
 * <p>A failure before the commit deletes only the files this publish added. An output whose file
 * names repeat between publishes (the feature job's {@code features.json} and {@code pipeline/})
 * cannot keep the earlier copy: there {@code _SUCCESS} is withdrawn first and, on failure, the
 * half-replaced output is deleted, as before this scheme.
 */
final class ObjectStorePublish {
  static final String PENDING = "_trainyard.pending-";

  /** What one publish is changing; see the class comment. */
  record Pending(String publishId, List<String> adding, List<String> removing) {}

  private ObjectStorePublish() {}

  static void publish(FileSystem fs, Path staging, Path out, String uri, PublishMarker marker)
      throws IOException {
    PublishMarker earlier = recover(fs, out, uri, marker.kind());
    Set<String> earlierFiles = earlier == null ? Set.of() : new HashSet<>(earlier.paths());
    List<String> adding = marker.paths();
    boolean sameNames = adding.stream().anyMatch(earlierFiles::contains);
    List<String> removing = new ArrayList<>();
    for (String f : earlierFiles) {
      if (!adding.contains(f)) {
        removing.add(f);
      }
    }
    removing.sort(null);
    Path pendingFile = new Path(out, PENDING + marker.publishId() + ".json");
    write(fs, pendingFile, Json.write(new Pending(marker.publishId(), adding, removing)));
    boolean committed = false;
    List<String> copied = new ArrayList<>();
    try {
      if (sameNames) {
        fs.delete(new Path(out, Outputs.SUCCESS), false);
      }
      for (String rel : adding) {
        Path dst = new Path(out, rel);
        if (sameNames && earlierFiles.contains(rel)) {
          fs.delete(dst, false);
        }
        if (!fs.rename(new Path(staging, rel), dst)) {
          throw new IOException("could not copy " + rel + " into " + out);
        }
        copied.add(rel);
      }
      marker.write(fs, new Path(out, PublishMarker.NAME));
      committed = true;
      fs.create(new Path(out, Outputs.SUCCESS), true).close();
      for (String rel : removing) {
        fs.delete(new Path(out, rel), false);
      }
      fs.delete(pendingFile, false);
    } catch (IOException | RuntimeException e) {
      if (!committed) {
        undo(fs, out, pendingFile, sameNames ? null : earlierFiles, copied, e);
      }
      throw e;
    }
  }

  /**
   * Deletes the files an uncommitted publish copied in (or, when it overwrote earlier files, the
   * whole output), then its pending record. Best effort: should a delete fail, the record stays and
   * the next publish removes what it lists.
   */
  private static void undo(
      FileSystem fs,
      Path out,
      Path pendingFile,
      Set<String> keep,
      List<String> copied,
      Exception failure) {
    try {
      if (keep == null) {
        fs.delete(out, true);
        return;
      }
      for (String rel : copied) {
        if (!keep.contains(rel)) {
          fs.delete(new Path(out, rel), false);
        }
      }
      fs.delete(pendingFile, false);
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * Finishes or rolls back what earlier publishes that died left (their pending records), after
   * checking that Trainyard may replace {@code out}; returns the output's marker, or null.
   */
  static PublishMarker recover(FileSystem fs, Path out, String uri, String kind)
      throws IOException {
    Map<Path, Pending> pending = pending(fs, out);
    Set<String> leftovers = new HashSet<>();
    pending.values().forEach(p -> leftovers.addAll(p.adding()));
    pending.values().forEach(p -> leftovers.addAll(p.removing()));
    PublishMarker current = OutputOwnership.requireReplaceable(fs, out, uri, kind, leftovers);
    Set<String> listed = current == null ? Set.of() : new HashSet<>(current.paths());
    for (var e : pending.entrySet()) {
      Pending p = e.getValue();
      boolean committed = current != null && current.publishId().equals(p.publishId());
      boolean clean = true;
      for (String rel : committed ? p.removing() : p.adding()) {
        if (!listed.contains(rel)) {
          try {
            fs.delete(new Path(out, rel), false);
          } catch (IOException notThere) {
            // A file the dead publish never got to copy can be unreachable (under a file); the
            // record stays, listing it, and the next publish tries again.
            clean = false;
          }
        }
      }
      if (clean) {
        fs.delete(e.getKey(), false);
      }
    }
    return current;
  }

  /** The pending records in {@code out}, top level only. */
  static Map<Path, Pending> pending(FileSystem fs, Path out) throws IOException {
    Map<Path, Pending> found = new LinkedHashMap<>();
    FileStatus[] entries;
    try {
      entries = fs.listStatus(out, p -> p.getName().startsWith(PENDING));
    } catch (FileNotFoundException e) {
      return found;
    }
    for (FileStatus s : entries) {
      try (InputStream in = fs.open(s.getPath())) {
        found.put(
            s.getPath(),
            Json.read(new String(in.readAllBytes(), StandardCharsets.UTF_8), Pending.class));
      } catch (IllegalArgumentException e) {
        // Not ours after all: the ownership check names it.
      }
    }
    return found;
  }

  private static void write(FileSystem fs, Path file, String text) throws IOException {
    try (OutputStream o = fs.create(file, true)) {
      o.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }
}
