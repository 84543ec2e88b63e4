package dev.trainyard.activities.runtime;

import dev.trainyard.registry.MlflowClient;
import dev.trainyard.registry.MlflowException;
import dev.trainyard.registry.ModelVersion;
import dev.trainyard.registry.ResourceNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * shared by every run that needs one: scoring, and a pipeline evaluating its champion.
 *
 * <p>A fetch checks the files against the digest recorded at registration ({@link ModelDigest}) and
 * fails, without retries, when they differ. The copies are keyed by that digest, not by name and
 * version: a model deleted and registered again reuses version numbers for other files. Only
 * verified, non-empty downloads are kept, each moved into place from a private folder, so a
 * concurrent or interrupted download never leaves half a model where another run would use it.
 */
public final class ModelFolders {
  private static final Logger log = LoggerFactory.getLogger(ModelFolders.class);

  private final MlflowClient mlflow;
  private final Path root;

  public ModelFolders(MlflowClient mlflow, Path root) {
    this.mlflow = mlflow;
    this.root = root;
  }

  /** For the worker's work folder: {@code <workDir>/models/SHA256}. */
  public static ModelFolders in(ActivityEnvironment env) {
    return new ModelFolders(env.mlflow(), env.workDir().resolve("models"));
  }

  /**
   * The local folder of {@code name} version {@code version}, whose files are at {@code source}
   * (the version's artifact URI, as resolved earlier in the run), verified against the version's
   * recorded digest; downloaded unless this worker has those files already.
   */
  public Path fetch(String name, String version, String source) {
    String ref = name + "/" + version;
    ModelVersion v = version(name, version);
    if (!source.equals(v.source())) {
      throw Failures.badInput(
          "ModelVersionChanged",
          "Model "
              + ref
              + " now has its files at "
              + v.source()
              + ", not at "
              + source
              + " where this run found them: the version was deleted and registered again"
              + " meanwhile. Run again so the model is resolved afresh.");
    }
    String expected = v.tags().get(ModelDigest.TAG);
    if (expected != null && Files.isDirectory(root.resolve(expected))) {
      return root.resolve(expected);
    }
    Path tmp = root.resolve(".download-" + UUID.randomUUID());
    try {
      Files.createDirectories(root);
      try {
        download(source, tmp);
        if (!ModelDigest.hasFiles(tmp)) {
          throw Failures.badInput(
              "ModelArtifactsMissing",
              "Model "
                  + ref
                  + " has no files at "
                  + source
                  + ". They were deleted after registration; register the model again"
                  + " (train again) or pick another version.");
        }
        String actual = ModelDigest.of(tmp);
        if (expected == null) {
          // Registered before digests were recorded: nothing to check against.
          log.warn("model {} has no {} tag; its files are not verified", ref, ModelDigest.TAG);
        } else if (!expected.equals(actual)) {
          throw Failures.badInput(
              "ModelArtifactsChanged",
              "Model "
                  + ref
                  + ": the files at "
                  + source
                  + " changed after registration (sha256 "
                  + actual
                  + ", registered as "
                  + expected
                  + "). Do not use this version: restore its files, or register the model again"
                  + " and use the new version.");
        }
        Path dir = root.resolve(actual);
        try {
          Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
          log.info("fetched model {} from {} into {}", ref, source, dir);
        } catch (IOException raced) {
          // Another run fetched the same files meanwhile: use that copy. (Renaming onto a
          // non-empty folder fails with a plain FileSystemException on Linux, not with
          // DirectoryNotEmptyException, so the folder, not the exception type, decides.)
          if (!Files.isDirectory(dir)) {
            throw raced;
          }
        }
        return dir;
      } finally {
        deleteTree(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot fetch model " + ref + " into " + root, e);
    }
  }

  private ModelVersion version(String name, String version) {
    try {
      return mlflow.registry().getModelVersion(name, version);
    } catch (ResourceNotFoundException e) {
      throw Failures.badInput(
          "ModelVersionNotFound",
          "Model "
              + name
              + "/"
              + version
              + " no longer exists in MLflow ("
              + e.serverMessage()
              + "). List the versions with `trainyard models "
              + name
              + "`.");
    } catch (MlflowException e) {
      throw Failures.fromMlflow(e);
    }
  }

  private void download(String source, Path tmp) {
    try {
      mlflow.artifacts().download(source, "", tmp);
    } catch (ResourceNotFoundException e) {
      // Handled as "no files" by the caller.
    } catch (MlflowException e) {
      throw Failures.fromMlflow(e);
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
