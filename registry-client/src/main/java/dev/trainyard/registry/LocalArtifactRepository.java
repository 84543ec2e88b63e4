package dev.trainyard.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/** Artifacts in a local (or mounted) folder: {@code file:} URIs. */
final class LocalArtifactRepository implements ArtifactRepository {
  private final Path root;

  LocalArtifactRepository(Path root) {
    this.root = root;
  }

  @Override
  public void uploadFile(Path localFile, String path) {
    Path target = file(path);
    try {
      Files.createDirectories(target.getParent());
      LocalFiles.copyAtomically(localFile, target);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store artifact " + target, e);
    }
  }

  @Override
  public InputStream open(String path) {
    Path file = file(path);
    try {
      return Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw notFound(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read artifact " + file, e);
    }
  }

  @Override
  public List<ArtifactFile> list(String path) {
    Path dir = file(path);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<ArtifactFile> out = new ArrayList<>();
    try (Stream<Path> children = Files.list(dir)) {
      for (Path child : children.sorted(Comparator.comparing(Path::toString)).toList()) {
        String rel = ArtifactPaths.join(path, child.getFileName().toString());
        boolean isDir = Files.isDirectory(child);
        out.add(
            new ArtifactFile(
                rel, isDir, isDir ? OptionalLong.empty() : OptionalLong.of(Files.size(child))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list artifacts in " + dir, e);
    }
    return out;
  }

  private Path file(String path) {
    return path.isEmpty() ? root : root.resolve(path);
  }

  private static ResourceNotFoundException notFound(Path file) {
    return new ResourceNotFoundException(
        MlflowErrors.NOT_FOUND, "no artifact at " + file.toUri(), 0, null, null);
  }
}
