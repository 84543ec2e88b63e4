package dev.trainyard.activities.pipeline;

import dev.trainyard.registry.MlflowClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model versions' {@code model/} folders on this worker's disk ({@link ModelPackager}'s layout),
 * fetched once per version and shared by every run that needs one: scoring, and a pipeline
 * evaluating its champion. A version's files never change, so the copy stays valid. Each fetch goes
 * to a private folder that is moved into place, so a concurrent or interrupted download never
 * leaves half a model where another run would use it.
 */
public final class ModelFolders {
  private static final Logger log = LoggerFactory.getLogger(ModelFolders.class);

  private final MlflowClient mlflow;
  private final Path root;

  public ModelFolders(MlflowClient mlflow, Path root) {
    this.mlflow = mlflow;
    this.root = root;
  }

  /** For the worker's work folder: {@code <workDir>/models/NAME/VERSION}. */
  public static ModelFolders in(PipelineEnvironment env) {
    return new ModelFolders(env.mlflow(), env.workDir().resolve("models"));
  }

  /**
   * The local folder of {@code name} version {@code version}, downloaded from {@code source} (the
   * version's artifact URI) unless this worker has it already.
   */
  public Path fetch(String name, String version, String source) {
    Path dir = root.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_")).resolve(version);
    if (Files.isDirectory(dir)) {
      return dir;
    }
    try {
      Files.createDirectories(dir.getParent());
      Path tmp = dir.resolveSibling("." + version + ".download-" + UUID.randomUUID());
      try {
        mlflow.artifacts().download(source, "", tmp);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        log.info("fetched model {}/{} from {} into {}", name, version, source, dir);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
        // Another run fetched the same version meanwhile: use that copy.
      } finally {
        deleteTree(tmp);
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot fetch model " + name + "/" + version + " into " + dir, e);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }
}
