package dev.trainyard.activities.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The content digest of a model version's files, recorded on the version at registration (tag
 * {@value #TAG}) and checked by every worker that fetches it: SHA-256 over each file's relative
 * path, size and bytes, in path order. Paths are in it, so a renamed or an extra file changes it.
 */
public final class ModelDigest {
  public static final String TAG = "trainyard.model_sha256";

  private ModelDigest() {}

  /** The digest of the files under {@code folder}; "" paths never occur (only files count). */
  public static String of(Path folder) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(folder)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    List<String> paths =
        files.stream()
            .map(f -> folder.relativize(f).toString().replace('\\', '/'))
            .sorted()
            .toList();
    MessageDigest sha = sha256();
    byte[] buf = new byte[1 << 16];
    for (String p : paths) {
      Path f = folder.resolve(p);
      sha.update(p.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(ByteBuffer.allocate(Long.BYTES).putLong(Files.size(f)).array());
      try (InputStream in = Files.newInputStream(f)) {
        for (int n; (n = in.read(buf)) > 0; ) {
          sha.update(buf, 0, n);
        }
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** Whether {@code folder} holds at least one file. */
  public static boolean hasFiles(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return false;
    }
    try (Stream<Path> walk = Files.walk(folder)) {
      return walk.anyMatch(Files::isRegularFile);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
