package dev.trainyard.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes local files so that a reader (or a retried activity) never sees half of one: into a
 * temporary file beside the target, then renamed over it.
 */
final class LocalFiles {
  private LocalFiles() {}

  static void copyAtomically(Path source, Path target) throws IOException {
    try (InputStream in = Files.newInputStream(source)) {
      writeAtomically(in, target);
    }
  }

  static void writeAtomically(InputStream in, Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".part");
    try {
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
