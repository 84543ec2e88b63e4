package dev.trainyard.stack;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * A secrets file in the state folder, made once and readable only by its owner.
 *
 * <p>Two first uses at once (two commands, or threads of one) must agree on one secret: the file is
 * created under a lock on {@code NAME.lock} (a file lock between processes, a monitor between
 * threads of this JVM, since one JVM cannot take the same file lock twice) and appears whole,
 * written to a temporary file and moved into place atomically, so a reader without the lock never
 * sees it half-written.
 */
final class PrivateFile {
  private static final Object IN_PROCESS = new Object();

  private PrivateFile() {}

  /**
   * The properties in {@code stateDir/name}; if the file is missing, {@code content} (the whole
   * file's text, comments included) is written there first.
   */
  static Properties loadOrCreate(Path stateDir, String name, Supplier<String> content)
      throws IOException {
    Path file = stateDir.resolve(name);
    if (Files.isRegularFile(file)) {
      return read(file);
    }
    Files.createDirectories(stateDir);
    synchronized (IN_PROCESS) {
      try (FileChannel channel =
              FileChannel.open(
                  stateDir.resolve(name + ".lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        if (Files.isRegularFile(file)) {
          return read(file); // another process made it while we waited
        }
        Path tmp =
            Files.createTempFile(
                stateDir,
                name + "-",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
          Files.writeString(tmp, content.get(), StandardCharsets.UTF_8);
          try (FileChannel data = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            data.force(true);
          }
          Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
          Files.deleteIfExists(tmp);
        }
        return read(file);
      }
    }
  }

  static Properties read(Path file) throws IOException {
    Properties p = new Properties();
    try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    return p;
  }
}
