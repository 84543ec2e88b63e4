package dev.trainyard.testing;

import dev.trainyard.stack.LocalCredentials;
import dev.trainyard.stack.LocalStack;
import dev.trainyard.stack.MlflowAdmin;
import dev.trainyard.stack.Probe;
import dev.trainyard.stack.StackConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One stack per test JVM, on free ports and in its own state folder, so tests never touch a
 * developer's {@code dev up} stack. Installs are shared with {@code dev up} ({@code
 * .trainyard/tools}), so each program is installed once per machine. Services start on first
 * request and stop when the JVM exits.
 */
final class TestStack {
  private static TestStack instance;

  private final LocalStack stack;
  private S3Server s3;
  private MlflowServer mlflow;
  private AuthMlflowServer authMlflow;
  private TemporalServer temporal;

  private TestStack(LocalStack stack) {
    this.stack = stack;
  }

  static synchronized TestStack get() {
    if (instance == null) {
      instance =
          new TestStack(
              new LocalStack(config(), line -> System.err.println("[test-stack] " + line)));
    }
    return instance;
  }

  synchronized S3Server s3() {
    if (s3 == null) {
      stack.ensureRunning(stack.service("s3"), false);
      StackConfig.S3Endpoint e = stack.config().s3();
      s3 =
          new S3Server(
              e.endpoint(),
              e.region(),
              e.accessKeyId(),
              e.secretAccessKey(),
              e.lakeBucket(),
              e.artifactBucket());
    }
    return s3;
  }

  synchronized MlflowServer mlflow() {
    if (mlflow == null) {
      S3Server store = s3();
      stack.ensureRunning(stack.service("mlflow"), false);
      mlflow = new MlflowServer(stack.config().mlflowTrackingUri(), store);
    }
    return mlflow;
  }

  /**
   * A second MLflow, with its basic-auth app, beside the open one (so the open one's tests are
   * unaffected): its own state folder and port, the same S3 store.
   */
  synchronized AuthMlflowServer authMlflow() {
    if (authMlflow == null) {
      S3Server store = s3();
      StackConfig open = stack.config();
      try {
        StackConfig c =
            new StackConfig(
                open.home(),
                Files.createTempDirectory(targetDir(), "test-stack-auth-"),
                open.toolsDir(),
                open.temporal(),
                URI.create("http://127.0.0.1:" + Probe.freePort()),
                open.s3());
        MlflowAdmin admin = MlflowAdmin.random();
        LocalStack authStack =
            new LocalStack(c, line -> System.err.println("[test-stack auth] " + line), admin);
        authStack.ensureRunning(authStack.service("mlflow"), false);
        authMlflow =
            new AuthMlflowServer(c.mlflowTrackingUri(), store, admin.username(), admin.password());
      } catch (IOException e) {
        throw new IllegalStateException("cannot create the auth MLflow's state folder", e);
      }
    }
    return authMlflow;
  }

  synchronized TemporalServer temporal() {
    if (temporal == null) {
      stack.ensureRunning(stack.service("temporal"), false);
      StackConfig.TemporalEndpoint t = stack.config().temporal();
      temporal = new TemporalServer(t.address(), t.namespace(), t.uiUri());
    }
    return temporal;
  }

  private static StackConfig config() {
    Path home = Checkout.root();
    try {
      Path state = Files.createTempDirectory(targetDir(), "test-stack-");
      LocalCredentials creds = LocalCredentials.random();
      String host = "127.0.0.1";
      return new StackConfig(
          home,
          state,
          home.resolve(".trainyard/tools"),
          new StackConfig.TemporalEndpoint(
              host,
              Probe.freePort(),
              "default",
              URI.create("http://" + host + ":" + Probe.freePort())),
          URI.create("http://" + host + ":" + Probe.freePort()),
          new StackConfig.S3Endpoint(
              URI.create("http://" + host + ":" + Probe.freePort()),
              "us-east-1",
              creds.accessKeyId(),
              creds.secretAccessKey(),
              StackConfig.DEFAULT_LAKE_BUCKET,
              StackConfig.DEFAULT_ARTIFACT_BUCKET));
    } catch (IOException e) {
      throw new IllegalStateException("cannot create the test stack's state folder", e);
    }
  }

  private static Path targetDir() throws IOException {
    return Files.createDirectories(Path.of("target").toAbsolutePath());
  }
}
