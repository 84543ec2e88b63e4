package dev.trainyard.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scheme-independent transfer logic, over {@code file:} (no server needed). */
class LocalArtifactStoreTest {
  @TempDir Path tmp;

  private ArtifactStore store() {
    return new ArtifactStore(
        new MlflowHttp(MlflowConfig.of(URI.create("http://127.0.0.1:1"))),
        S3Settings.builder().build());
  }

  @Test
  void folderUploadKeepsRelativePathsAndDownloadRestoresThem() throws IOException {
    Path src = tmp.resolve("src");
    Files.createDirectories(src.resolve("a/b"));
    Files.writeString(src.resolve("a/b/c.txt"), "c");
    Files.writeString(src.resolve("top.txt"), "top");
    String root = tmp.resolve("store").toUri().toString();

    try (ArtifactStore store = store()) {
      assertEquals(2, store.upload(root, src, "model"));
      assertEquals("c", Files.readString(tmp.resolve("store/model/a/b/c.txt")));
      assertEquals(
          List.of("model/a", "model/top.txt"),
          store.list(root, "model").stream().map(ArtifactFile::path).toList());

      Path out = store.download(root, "model", tmp.resolve("out"));
      assertEquals("c", Files.readString(out.resolve("a/b/c.txt")));
      assertEquals("top", Files.readString(out.resolve("top.txt")));
      Path one = store.download(root, "model/a/b/c.txt", tmp.resolve("one.txt"));
      assertEquals("c", Files.readString(one));
      try (Stream<Path> left = Files.list(tmp)) {
        assertFalse(left.anyMatch(p -> p.getFileName().toString().endsWith(".part")));
      }
    }
  }

  @Test
  void missingPathsAndBadArgumentsFailClearly() throws IOException {
    String root = tmp.resolve("store").toUri().toString();
    Path file = Files.writeString(tmp.resolve("f.txt"), "x");
    try (ArtifactStore store = store()) {
      assertThrows(
          ResourceNotFoundException.class, () -> store.download(root, "absent", tmp.resolve("o")));
      assertThrows(IllegalArgumentException.class, () -> store.upload(root, file, ""));
      assertThrows(IllegalArgumentException.class, () -> store.upload(root, file, "../escape"));
      assertEquals(List.of(), store.list(root, "absent"));
    }
  }
}
