package dev.trainyard.registry;

import java.util.OptionalLong;

/**
 * An entry of an artifact listing. {@code path} is relative to the artifact root that was listed
 * ('/'-separated); {@code size} is known for files only (and not always then).
 */
public record ArtifactFile(String path, boolean isDirectory, OptionalLong size) {
  /** The last segment of the path. */
  public String name() {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }
}
