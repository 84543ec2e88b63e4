package dev.trainyard.spark.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Trainyard replaces only what it wrote: a folder that is absent, empty, or carries its {@code
 * _trainyard.json} for the same kind of output and holds nothing that marker does not list.
 * Anything else (a user's folder, a home folder, a file-system root, another job's output) is
 * refused with a {@link DataInputException} that names the path, a few of its entries and the fix.
 */
final class OutputOwnership {
  private static final int ENTRIES_IN_MESSAGE = 5;

  private OutputOwnership() {}

  /**
   * Checks that {@code out} may be replaced by a publish of {@code by.kind()}.
   *
   * @param uri the output as the user wrote it, for messages
   * @param leftovers files an interrupted publish may have left (object stores), also accepted
   * @return the marker of the output there now, or null when there is none
   */
  static PublishMarker requireReplaceable(
      FileSystem fs, Path out, String uri, String kind, Set<String> leftovers) throws IOException {
    FileStatus status;
    try {
      status = fs.getFileStatus(out);
    } catch (FileNotFoundException e) {
      return null;
    }
    if (status.isFile()) {
      throw refused(uri, kind, "it is a file, not a folder Trainyard published", List.of());
    }
    Path markerFile = new Path(out, PublishMarker.NAME);
    PublishMarker marker = fs.exists(markerFile) ? PublishMarker.read(fs, markerFile) : null;
    if (marker == null) {
      // Only the top level: this may be a home folder or a root, never walk it.
      Set<String> leftoverTops = new HashSet<>();
      leftovers.forEach(f -> leftoverTops.add(f.replaceFirst("/.*", "")));
      List<String> names = new ArrayList<>();
      for (FileStatus e : fs.listStatus(out)) {
        String name = e.getPath().getName();
        if (!name.startsWith(ObjectStorePublish.PENDING) && !leftoverTops.contains(name)) {
          names.add(name + (e.isDirectory() ? "/" : ""));
        }
      }
      if (names.isEmpty()) {
        return null;
      }
      throw refused(
          uri,
          kind,
          "it holds "
              + names.size()
              + " entr"
              + (names.size() == 1 ? "y" : "ies")
              + " that Trainyard did not publish (no valid "
              + PublishMarker.NAME
              + ")",
          names);
    }
    if (!marker.kind().equals(kind)) {
      throw refused(
          uri,
          kind,
          "it holds Trainyard's " + marker.describe() + ", not " + article(kind) + " output",
          List.of());
    }
    Set<String> known = new HashSet<>(marker.paths());
    known.addAll(leftovers);
    List<String> foreign = new ArrayList<>();
    for (PublishMarker.FileEntry f : PublishMarker.listFiles(fs, out)) {
      if (!known.contains(f.path())) {
        foreign.add(f.path());
      }
    }
    if (!foreign.isEmpty()) {
      throw refused(
          uri,
          kind,
          "besides Trainyard's "
              + marker.describe()
              + " it holds "
              + foreign.size()
              + " file(s) that Trainyard did not write",
          foreign);
    }
    return marker;
  }

  private static DataInputException refused(
      String uri, String kind, String why, List<String> entries) {
    String shown =
        entries.isEmpty()
            ? ""
            : " ("
                + String.join(", ", entries.stream().sorted().limit(ENTRIES_IN_MESSAGE).toList())
                + (entries.size() > ENTRIES_IN_MESSAGE
                    ? ", … " + (entries.size() - ENTRIES_IN_MESSAGE) + " more"
                    : "")
                + ")";
    return new DataInputException(
        "will not publish the "
            + kind
            + " output to "
            + uri
            + ": "
            + why
            + shown
            + ". Trainyard replaces only a folder that is absent, empty or one it published"
            + " itself; choose a new folder for the output (e.g. "
            + uri.replaceAll("/+$", "")
            + "/"
            + kind
            + "), or move those files away first.");
  }

  private static String article(String kind) {
    return "aeiou".indexOf(kind.charAt(0)) >= 0 ? "an " + kind : "a " + kind;
  }
}
