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
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The local S3 store's access key, generated once per state folder and kept in a file only its
 * owner can read, so no shared default secret exists anywhere.
 *
 * <p>Two first uses at once (two commands, or threads of one) must agree on one key: the file is
 * created under a lock on {@code credentials.lock} (a file lock between processes, a monitor
 * between threads of this JVM, since one JVM cannot take the same file lock twice) and appears
 * whole, written to a temporary file and moved into place atomically, so a reader without the lock
 * never sees it half-written.
 */
public record LocalCredentials(String accessKeyId, String secretAccessKey) {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Object IN_PROCESS = new Object();

  public static LocalCredentials random() {
    return new LocalCredentials("TY" + hex(9).toUpperCase(), hex(20));
  }

  public static LocalCredentials loadOrCreate(Path stateDir) {
    Path file = stateDir.resolve("credentials");
    try {
      if (Files.isRegularFile(file)) {
        return read(file);
      }
      Files.createDirectories(stateDir);
      synchronized (IN_PROCESS) {
        try (FileChannel channel =
                FileChannel.open(
                    stateDir.resolve("credentials.lock"),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.lock()) {
          if (Files.isRegularFile(file)) {
            return read(file); // another process made it while we waited
          }
          LocalCredentials created = random();
          Path tmp =
              Files.createTempFile(
                  stateDir,
                  "credentials-",
                  ".tmp",
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------")));
          try {
            Files.writeString(
                tmp,
                "# Local S3 store credentials, made by `trainyard dev up`. Keep private.\n"
                    + "aws_access_key_id="
                    + created.accessKeyId
                    + "\naws_secret_access_key="
                    + created.secretAccessKey
                    + "\n",
                StandardCharsets.UTF_8);
            try (FileChannel data = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
              data.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
          } finally {
            Files.deleteIfExists(tmp);
          }
          return created;
        }
      }
    } catch (IOException e) {
      throw new StackException(
          "Cannot read or create " + file + ": " + e.getMessage() + ".",
          "Check that " + stateDir + " is writable.",
          e);
    }
  }

  private static LocalCredentials read(Path file) throws IOException {
    Properties p = new Properties();
    try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    String id = p.getProperty("aws_access_key_id");
    String secret = p.getProperty("aws_secret_access_key");
    if (id == null || id.isBlank() || secret == null || secret.isBlank()) {
      // Only an older Trainyard (before the file was written atomically) could leave this.
      throw new StackException(
          file + " has no complete key (aws_access_key_id and aws_secret_access_key).",
          "Stop the stack (`trainyard dev down`), delete " + file + " and start it again.");
    }
    return new LocalCredentials(id, secret);
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  @Override
  public String toString() {
    return "LocalCredentials[accessKeyId=" + accessKeyId + "]";
  }
}
