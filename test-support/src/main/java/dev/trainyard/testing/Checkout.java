package dev.trainyard.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The Trainyard checkout the tests run in: its scripts, examples and shared installs. */
public final class Checkout {
  private Checkout() {}

  /** Maven passes it as {@code trainyard.root}; otherwise look upwards for {@code infra/local}. */
  public static Path root() {
    String prop = System.getProperty("trainyard.root");
    if (prop != null && Files.isDirectory(Path.of(prop, "infra/local"))) {
      return Path.of(prop).toAbsolutePath();
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("infra/local"))) {
        return p;
      }
    }
    throw new IllegalStateException(
        "cannot find the Trainyard checkout (infra/local): run the tests from inside it");
  }
}
