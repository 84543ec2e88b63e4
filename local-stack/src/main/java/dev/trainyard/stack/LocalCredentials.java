package dev.trainyard.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The local S3 store's access key, generated once per state folder and kept in a file only its
 * owner can read, so no shared default secret exists anywhere.
 */
public record LocalCredentials(String accessKeyId, String secretAccessKey) {
  private static final SecureRandom RANDOM = new SecureRandom();

  public static LocalCredentials random() {
    return new LocalCredentials("TY" + hex(9).toUpperCase(), hex(20));
  }

  public static LocalCredentials loadOrCreate(Path stateDir) {
    Path file = stateDir.resolve("credentials");
    try {
      if (Files.isRegularFile(file)) {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          p.load(r);
        }
        return new LocalCredentials(
            p.getProperty("aws_access_key_id"), p.getProperty("aws_secret_access_key"));
      }
      LocalCredentials created = random();
      Files.createDirectories(stateDir);
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(
          file,
          "# Local S3 store credentials, made by `trainyard dev up`. Keep private.\n"
              + "aws_access_key_id="
              + created.accessKeyId
              + "\naws_secret_access_key="
              + created.secretAccessKey
              + "\n",
          StandardCharsets.UTF_8);
      return created;
    } catch (IOException e) {
      throw new StackException(
          "Cannot read or create " + file + ": " + e.getMessage() + ".",
          "Check that " + stateDir + " is writable.",
          e);
    }
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
