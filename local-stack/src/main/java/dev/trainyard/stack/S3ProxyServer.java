package dev.trainyard.stack;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * S3Proxy with its filesystem backend, run out of process: its Jetty 12 and Jackson 3 clash with
 * Spark's on one classpath.
 */
public final class S3ProxyServer implements LocalService {
  private final StackConfig config;
  private final StackConfig.S3Endpoint s3;

  public S3ProxyServer(StackConfig config) {
    this.config = config;
    this.s3 = config.s3();
  }

  @Override
  public String name() {
    return "s3";
  }

  @Override
  public String title() {
    return "S3 (S3Proxy)";
  }

  @Override
  public String host() {
    return s3.endpoint().getHost();
  }

  @Override
  public List<Integer> ports() {
    return List.of(s3.endpoint().getPort());
  }

  @Override
  public Map<String, URI> links() {
    Map<String, URI> links = new LinkedHashMap<>();
    links.put("endpoint", s3.endpoint());
    return links;
  }

  @Override
  public String relocationHint() {
    return "set AWS_ENDPOINT_URL_S3=http://127.0.0.1:<port>";
  }

  @Override
  public Probe.Result probe() {
    // An unsigned request gets 403 from a live S3 endpoint; any HTTP answer means it serves.
    return Probe.http(s3.endpoint(), 200, 499);
  }

  @Override
  public List<String> prepare(Tools tools) {
    Path jar = tools.s3proxyJar();
    Path data = config.dataDir(name());
    Path conf = data.resolveSibling("s3proxy.conf");
    try {
      // With the filesystem backend a bucket is a top-level directory, so creating the folders
      // creates the buckets, idempotently and before the server accepts its first request.
      Files.createDirectories(data.resolve(s3.lakeBucket()));
      Files.createDirectories(data.resolve(s3.artifactBucket()));
      String props =
          String.join(
              "\n",
              "s3proxy.endpoint=" + s3.endpoint(),
              "s3proxy.authorization=aws-v2-or-v4",
              "s3proxy.identity=" + s3.accessKeyId(),
              "s3proxy.credential=" + s3.secretAccessKey(),
              "jclouds.provider=filesystem-nio2",
              "jclouds.filesystem.basedir=" + data.toAbsolutePath(),
              "");
      Files.deleteIfExists(conf);
      Files.createFile(
          conf, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(conf, props, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new StackException(
          "Cannot prepare S3Proxy's data folder " + data + ": " + e.getMessage() + ".",
          "Check that " + config.stateDir() + " is writable.",
          e);
    }
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(System.getProperty("java.home") + "/bin/java");
    return List.of(java, "-Xmx512m", "-jar", jar.toString(), "--properties", conf.toString());
  }

  @Override
  public Map<String, String> environment() {
    return Map.of();
  }

  @Override
  public Path workDir() {
    return config.dataDir(name());
  }
}
