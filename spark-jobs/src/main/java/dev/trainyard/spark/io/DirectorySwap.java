package dev.trainyard.spark.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Publishing on file systems whose directory rename is atomic ({@code file}, {@code hdfs}): under
 * {@link PublishLock}, the staged folder gets {@code _trainyard.json} and {@code _SUCCESS}, the
 * earlier output is renamed aside to {@code .NAME.replaced-ID}, the staged folder is renamed into
 * place and the earlier output deleted. Readers see the old output or the new one, never a mix; for
 * the instant between the two renames, none.
 *
 * <p>A publisher that dies between the renames leaves no output, the earlier one aside and its own
 * staged folder. The next publish of that output, holding the lock, first puts the earlier output
 * back and deletes the dead publisher's folders ({@link #recover}), then publishes: one complete
 * output, nothing left over. A staged folder is known to be dead when it holds {@code
 * _trainyard.json}: a live publisher writes it only while holding the lock.
 */
final class DirectorySwap {
  /**
   * Test-only fault point: when this system property is set, the process halts (as if killed)
   * between the two renames, so a test can check what the next publish does with the remains.
   */
  static final String HALT_BETWEEN_RENAMES = "trainyard.test.haltBetweenRenames";

  static final int HALT_STATUS = 86;

  private DirectorySwap() {}

  static void publish(
      FileSystem fs, Path staging, Path out, String uri, PublishMarker marker, JobControl control)
      throws IOException {
    try (PublishLock lock = PublishLock.acquire(fs, out)) {
      // Under the lock: once a later attempt has claimed the output (it claims under this lock
      // too), this one cannot slip in a publish.
      control.requireLatest(fs, out);
      recover(fs, out);
      // Again, under the lock: another publisher may have put something there meanwhile.
      OutputOwnership.requireReplaceable(fs, out, uri, marker.kind(), Set.of());
      marker.write(fs, new Path(staging, PublishMarker.NAME));
      fs.create(new Path(staging, Outputs.SUCCESS), true).close();
      Path replaced = sibling(out, "replaced-" + marker.publishId());
      boolean existed = fs.exists(out);
      if (existed && !fs.rename(out, replaced)) {
        throw new IOException("could not move the earlier output " + out + " aside");
      }
      if (System.getProperty(HALT_BETWEEN_RENAMES) != null) {
        Runtime.getRuntime().halt(HALT_STATUS);
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
  }

  private static boolean isOurs(FileSystem fs, Path folder) throws IOException {
    return fs.exists(new Path(folder, PublishMarker.NAME)) || fs.listStatus(folder).length == 0;
  }

  static Path sibling(Path out, String what) {
    return new Path(out.getParent(), "." + out.getName() + "." + what);
  }

  /**
   * What a publisher that died mid-publish left beside {@code out}: with no output, the latest
   * earlier output moved aside goes back; other moved-aside outputs and dead staged folders go.
   * Call it holding the lock.
   */
  static void recover(FileSystem fs, Path out) throws IOException {
    Path parent = out.getParent();
    if (!fs.exists(parent)) {
      return;
    }
    Pattern mine =
        Pattern.compile(
            "^\\." + Pattern.quote(out.getName()) + "\\.(replaced|staging)-[0-9a-fA-F-]{36}$");
    List<FileStatus> replaced = new ArrayList<>();
    List<Path> deadStaging = new ArrayList<>();
    for (FileStatus s : fs.listStatus(parent, p -> mine.matcher(p.getName()).matches())) {
      if (s.getPath().getName().contains(".replaced-")) {
        // Only what a publish moved aside: a former output carries our marker or was empty. A
        // folder that merely matches the name pattern is someone else's: neither restored nor
        // deleted.
        if (isOurs(fs, s.getPath())) {
          replaced.add(s);
        }
      } else if (fs.exists(new Path(s.getPath(), PublishMarker.NAME))) {
        deadStaging.add(s.getPath());
      }
    }
    replaced.sort(Comparator.comparingLong(FileStatus::getModificationTime).reversed());
    if (!replaced.isEmpty() && !fs.exists(out)) {
      Path back = replaced.remove(0).getPath();
      if (!fs.rename(back, out)) {
        throw new IOException("could not put the earlier output " + back + " back at " + out);
      }
    }
    for (FileStatus s : replaced) {
      fs.delete(s.getPath(), true);
    }
    for (Path p : deadStaging) {
      fs.delete(p, true);
    }
  }
}
