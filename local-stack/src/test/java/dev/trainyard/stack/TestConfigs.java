package dev.trainyard.stack;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/** A stack on free loopback ports with its own state folder, sharing the checkout's installs. */
final class TestConfigs {
  private TestConfigs() {}

  static Path home() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("infra/local"))) {
        return p;
      }
    }
    throw new IllegalStateException("run from inside the Trainyard checkout");
  }

  static StackConfig freshStack() throws IOException {
    Path home = home();
    Path state =
        Files.createTempDirectory(
            Files.createDirectories(Path.of("target").toAbsolutePath()), "stack-");
    LocalCredentials creds = LocalCredentials.random();
    String h = "127.0.0.1";
    return new StackConfig(
        home,
        state,
        home.resolve(".trainyard/tools"),
        new StackConfig.TemporalEndpoint(
            h, Probe.freePort(), "default", URI.create("http://" + h + ":" + Probe.freePort())),
        URI.create("http://" + h + ":" + Probe.freePort()),
        new StackConfig.S3Endpoint(
            URI.create("http://" + h + ":" + Probe.freePort()),
            "us-east-1",
            creds.accessKeyId(),
            creds.secretAccessKey(),
            StackConfig.DEFAULT_LAKE_BUCKET,
            StackConfig.DEFAULT_ARTIFACT_BUCKET));
  }
}
