package dev.trainyard.registry;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * One artifact root on one kind of store. Paths are relative to the root and normalized ({@link
 * ArtifactPaths}); directories exist only through the files under them, as on S3.
 */
interface ArtifactRepository {
  /** Stores the local file at {@code path}, replacing what was there. */
  void uploadFile(Path localFile, String path);

  /** The contents of the file at {@code path}; the caller closes it. */
  InputStream open(String path);

  /** The direct children of the directory at {@code path}; empty when there is none. */
  List<ArtifactFile> list(String path);
}
