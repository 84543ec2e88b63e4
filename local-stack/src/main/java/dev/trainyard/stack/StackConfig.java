package dev.trainyard.stack;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * Where the stack's services are and where its files live. Endpoints on a loopback address are
 * started and stopped by Trainyard; any other endpoint is someone else's service, only checked.
 *
 * @param home the Trainyard installation (holds {@code infra/local/*.sh})
 * @param stateDir installs, data, logs and pid files (git-ignored {@code .trainyard/})
 * @param toolsDir where installs go; shared between the dev stack and test stacks
 */
public record StackConfig(
    Path home,
    Path stateDir,
    Path toolsDir,
    TemporalEndpoint temporal,
    URI mlflowTrackingUri,
    S3Endpoint s3) {

  public static final int DEFAULT_TEMPORAL_PORT = 7233;
  public static final int DEFAULT_TEMPORAL_UI_PORT = 8233;
  public static final int DEFAULT_MLFLOW_PORT = 5000;
  public static final int DEFAULT_S3_PORT = 9000;
  public static final String DEFAULT_LAKE_BUCKET = "trainyard-lake";
  public static final String DEFAULT_ARTIFACT_BUCKET = "trainyard-artifacts";

  /** A Temporal frontend ({@code host:port}), its namespace and its Web UI. */
  public record TemporalEndpoint(String host, int port, String namespace, URI uiUri) {
    public String address() {
      return host + ":" + port;
    }
  }

  /** An S3-compatible endpoint and the buckets Trainyard uses on it. */
  public record S3Endpoint(
      URI endpoint,
      String region,
      String accessKeyId,
      String secretAccessKey,
      String lakeBucket,
      String artifactBucket) {
    @Override
    public String toString() {
      // Never print the secret: records end up in logs and exception messages.
      return "S3Endpoint[endpoint="
          + endpoint
          + ", region="
          + region
          + ", lake="
          + lakeBucket
          + "]";
    }
  }

  public Path dataDir(String service) {
    return stateDir.resolve("data").resolve(service);
  }

  public Path logFile(String service) {
    return stateDir.resolve("logs").resolve(service + ".log");
  }

  public Path pidFile(String service) {
    return stateDir.resolve("run").resolve(service + ".pid");
  }

  /** True when {@code host} names this machine's loopback interface, so we may run it here. */
  public static boolean isLoopback(String host) {
    if (host == null || host.isBlank()) {
      return false;
    }
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    try {
      // Only literal addresses are resolved; a DNS name other than localhost is treated as remote.
      if (!host.matches("[0-9.]+|\\[?[0-9a-fA-F:]+]?")) {
        return false;
      }
      return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
