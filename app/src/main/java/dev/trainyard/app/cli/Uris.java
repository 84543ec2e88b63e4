package dev.trainyard.app.cli;

import java.nio.file.Path;

/** Paths typed on the command line, made into URIs a worker on another machine reads the same. */
final class Uris {
  private Uris() {}

  /**
   * A URI (anything with a scheme) is kept; a path is made absolute against the working folder,
   * keeping {@code {date}} and a trailing slash as typed. Null stays null.
   */
  static String absolute(String pathOrUri) {
    if (pathOrUri == null || pathOrUri.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
      return pathOrUri;
    }
    return Path.of(pathOrUri).toAbsolutePath().normalize().toString();
  }

  /** Spec field names in problems, as the CLI's options spell them. */
  static String asOption(String problem) {
    return problem
        .replaceFirst("^batchSize:", "--batch-size:")
        .replaceFirst("^maxQuarantineFraction:", "--max-quarantine:")
        .replaceFirst("^ifOutputExists:", "--if-output-exists:")
        .replaceFirst("^labelDelayDays:", "--label-delay-days:")
        .replaceFirst("^retrain\\.(metric|min|max):", "--retrain-$1:")
        .replaceFirst("^(scores|labels|label):", "--$1:")
        .replaceFirst("^(model|input|output|quarantine|format|partitions|date|keys)", "--$1");
  }
}
