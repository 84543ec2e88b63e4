package dev.trainyard.stack;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The local S3 store's access key, generated once per state folder and kept in a file only its
 * owner can read, so no shared default secret exists anywhere. Made under a lock and moved into
 * place whole, so concurrent first uses agree on one key (see {@link PrivateFile}).
 */
public record LocalCredentials(String accessKeyId, String secretAccessKey) {
  private static final SecureRandom RANDOM = new SecureRandom();

  public static LocalCredentials random() {
    return new LocalCredentials("TY" + hex(9).toUpperCase(), hex(20));
  }

  public static LocalCredentials loadOrCreate(Path stateDir) {
    Path file = stateDir.resolve("credentials");
    try {
      Properties p =
          PrivateFile.loadOrCreate(
              stateDir,
              "credentials",
              () -> {
                LocalCredentials created = random();
                return "# Local S3 store credentials, made by `trainyard dev up`. Keep private.\n"
                    + "aws_access_key_id="
                    + created.accessKeyId
                    + "\naws_secret_access_key="
                    + created.secretAccessKey
                    + "\n";
              });
      return fromProperties(file, p);
    } catch (IOException e) {
      throw new StackException(
          "Cannot read or create " + file + ": " + e.getMessage() + ".",
          "Check that " + stateDir + " is writable.",
          e);
    }
  }

  private static LocalCredentials fromProperties(Path file, Properties p) {
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

  static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  @Override
  public String toString() {
    return "LocalCredentials[accessKeyId=" + accessKeyId + "]";
  }
}
